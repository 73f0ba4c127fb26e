import { ASK_USER_QUESTION, parseAskUserQuestion, type AskedQuestion } from '../events/ask-user-question.js'
import type { Clock } from '../ports/clock.js'
import type { Session } from '../session/session.js'
import { Emitter } from './emitter.js'
import type { GoneSignal, HookHolder, HookReply } from './hook-pipeline.js'

/** Where a person answers a held request. */
export type DecisionChannel = 'web' | 'telegram'
/** How a held request ended: answered from a channel, at the keyboard, or not at all. */
export type DecidedBy = DecisionChannel | 'terminal' | 'timeout' | 'gone'
export type Verdict = 'allow' | 'always' | 'deny' | 'answer'

/** A PermissionRequest (a tool call, or an AskUserQuestion) held for a person. */
export interface HeldDecision {
  id: string
  session: Session
  kind: 'permission' | 'question'
  toolName: string
  toolInput: unknown
  /** Claude's `permission_suggestions`: what "Always allow" adds. */
  suggestions: readonly unknown[]
  /** The questions (kind `question`); null when they can't be answered as choices (then nothing is held). */
  questions: AskedQuestion[] | null
  openedAt: number
}

/** A person's answer: the verdict, who gave it (a name for people), from where. */
export interface DecisionAnswer {
  verdict: Verdict
  who: string
  channel: DecisionChannel
  /** For `answer`: the answer to each question, by question text. */
  answers?: Record<string, string>
}

export interface DecisionEnd {
  by: DecidedBy
  verdict: Verdict | null
  who: string | null
  at: number
}

export type DecisionEvent = { type: 'opened'; decision: HeldDecision } | { type: 'ended'; decision: HeldDecision; end: DecisionEnd }

/**
 * A channel's view of one held request: the channel answers through `queue.answer`, or by
 * resolving `answer` (null: it gave up, others may still answer); `ended` is called once, however
 * the request ended, so the channel can say who decided what.
 */
export interface ChannelHold {
  answer?: Promise<DecisionAnswer | null>
  ended(end: DecisionEnd): void
}

/** A channel that shows held requests (Telegram). Returns null when it won't show this one. */
export type DecisionOffer = (decision: HeldDecision) => ChannelHold | null

export interface DecisionQueueDeps {
  clock: Clock
  timer: (ms: number, work: () => void) => { cancel(): void }
  /** How long a request is held before the hook is answered "no decision" (the dialog stays). */
  waitMs: number
}

const decisionReply = (decision: Record<string, unknown>): HookReply => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } })

const PEOPLE: Record<DecisionChannel, string> = { web: 'the web dashboard', telegram: 'Telegram' }

/** The PermissionRequest hook's reply for an answer (what Claude Code honours: allow, with permissions or answers; deny with a message). */
export function replyFor(decision: HeldDecision, answer: DecisionAnswer): HookReply {
  switch (answer.verdict) {
    case 'deny':
      return decisionReply({ behavior: 'deny', message: `Denied from ${PEOPLE[answer.channel]} by ${answer.who}` })
    case 'always':
      return decisionReply({ behavior: 'allow', updatedPermissions: decision.suggestions })
    case 'answer': {
      const input = (decision.toolInput ?? {}) as Record<string, unknown>
      return decisionReply({ behavior: 'allow', updatedInput: { ...input, answers: answer.answers ?? {} } })
    }
    default:
      return decisionReply({ behavior: 'allow' })
  }
}

/** "Allowed by alice (web)", "Answered in the terminal"… */
export function describeEnd(end: DecisionEnd, waitMs: number): string {
  const who = end.who !== null ? ` by ${end.who}` : ''
  switch (end.by) {
    case 'web':
    case 'telegram':
      return `${VERDICT[end.verdict ?? 'allow']}${who} (${end.by === 'web' ? 'web' : 'Telegram'})`
    case 'terminal':
      return 'Answered in the terminal.'
    case 'timeout':
      return `No answer within ${Math.round(waitMs / 1000)} s: answer in the terminal.`
    default:
      return 'No longer waiting (the session or the server stopped, or the hook gave up).'
  }
}

/** Every question answered (non-empty), nothing else. */
function answersFit(questions: readonly AskedQuestion[], answers: Record<string, string>): boolean {
  const asked = new Set(questions.map((q) => q.question))
  return Object.keys(answers).every((k) => asked.has(k)) && questions.every((q) => (answers[q.question] ?? '').trim() !== '')
}

const VERDICT: Record<Verdict, string> = { allow: 'Allowed', always: 'Always allowed', deny: 'Denied', answer: 'Answered' }

interface Pending {
  decision: HeldDecision
  resolve: (reply: HookReply) => void
  holds: ChannelHold[]
  timer: { cancel(): void }
}

/**
 * The one approval queue: every managed session's PermissionRequest (a tool call, or an
 * AskUserQuestion) is held here, shown by every channel (Telegram, the web dashboard), and
 * settled by the first answer — a channel's, the keyboard's (the session leaves its waiting
 * state), or none (the wait runs out, the hook or the session is gone). Each channel is told how
 * it ended, so all of them say who decided what. Questions that can't be answered as choices
 * (offered to the channels, which may post their text) and requests nobody can answer are not held.
 */
export class DecisionQueue {
  private readonly pending = new Map<string, Pending>()
  private readonly offers = new Set<DecisionOffer>()
  private readonly events = new Emitter<[DecisionEvent]>()
  private seq = 0
  /** Whether anything but offers may answer (the web dashboard is on): then requests are held even when no channel shows them. */
  private answerable = false

  constructor(private readonly deps: DecisionQueueDeps) {}

  /** A channel that shows requests; returns its removal. */
  addChannel(offer: DecisionOffer): () => void {
    this.offers.add(offer)
    return () => this.offers.delete(offer)
  }

  /** Requests are held even without an offering channel: someone (the web page) may answer by id. */
  acceptAnswers(): void {
    this.answerable = true
  }

  /** Opened and ended requests, for live views (the web dashboard's push channel). */
  onEvent(listener: (event: DecisionEvent) => void): () => void {
    return this.events.on(listener)
  }

  /** Requests waiting now, oldest first. */
  list(): HeldDecision[] {
    return [...this.pending.values()].map((p) => p.decision)
  }

  get waiting(): number {
    return this.pending.size
  }

  /** How long a request is held. */
  get waitMs(): number {
    return this.deps.waitMs
  }

  /** The hook holder (`SessionService.addHookHolder`). */
  readonly holder: HookHolder = (session, event, reply, payload, signal) => {
    if (event.event !== 'PermissionRequest' || session.kind !== 'managed' || 'hookSpecificOutput' in reply) return null
    const raw = payload as { tool_input?: unknown; permission_suggestions?: unknown } | null
    const question = event.toolName === ASK_USER_QUESTION
    const questions = question ? parseAskUserQuestion(raw?.tool_input) : null
    const decision: HeldDecision = {
      id: `d${++this.seq}`,
      session,
      kind: question ? 'question' : 'permission',
      toolName: event.toolName ?? 'tool',
      toolInput: raw?.tool_input ?? null,
      suggestions: Array.isArray(raw?.permission_suggestions) ? raw.permission_suggestions : [],
      questions,
      openedAt: this.deps.clock.now(),
    }
    return this.hold(decision, signal)
  }

  /** An answer from a channel, by request id: false when the request is no longer waiting. */
  answer(id: string, answer: DecisionAnswer): boolean {
    const p = this.pending.get(id)
    if (p === undefined) return false
    if (answer.verdict === 'answer' && p.decision.kind !== 'question') return false
    if (answer.verdict !== 'answer' && answer.verdict !== 'deny' && p.decision.kind === 'question') return false
    if (answer.verdict === 'always' && p.decision.suggestions.length === 0) return false
    if (answer.verdict === 'answer' && !answersFit(p.decision.questions ?? [], answer.answers ?? {})) return false
    this.settle(p, replyFor(p.decision, answer), { by: answer.channel, verdict: answer.verdict, who: answer.who })
    return true
  }

  /** The session's dialogs closed without us (answered at the keyboard: `terminal`), or it stopped (`gone`). */
  sessionEnded(sessionId: string, by: 'terminal' | 'gone'): void {
    for (const p of [...this.pending.values()]) if (p.decision.session.id === sessionId) this.settle(p, {}, { by, verdict: null, who: null })
  }

  /** Server stop: every request ends without a decision (the terminal dialogs stay). */
  stop(): void {
    for (const p of [...this.pending.values()]) this.settle(p, {}, { by: 'gone', verdict: null, who: null })
  }

  private hold(decision: HeldDecision, signal: GoneSignal): Promise<HookReply> | null {
    if (signal.aborted) return null
    const holds: ChannelHold[] = []
    for (const offer of this.offers) {
      const hold = offer(decision)
      if (hold !== null) holds.push(hold)
    }
    // questions that can't be answered as choices: the channels were told (they may show the text), nobody waits
    if (decision.kind === 'question' && decision.questions === null) {
      for (const hold of holds) hold.ended({ by: 'gone', verdict: null, who: null, at: decision.openedAt })
      return null
    }
    if (holds.length === 0 && !this.answerable) return null
    return new Promise<HookReply>((resolve) => {
      const p: Pending = { decision, resolve, holds, timer: { cancel: () => undefined } }
      this.pending.set(decision.id, p)
      p.timer = this.deps.timer(this.deps.waitMs, () => this.settle(p, {}, { by: 'timeout', verdict: null, who: null }))
      const gone = (): void => this.settle(p, {}, { by: 'gone', verdict: null, who: null })
      signal.addEventListener('abort', gone, { once: true })
      for (const hold of holds) {
        void hold.answer?.then(
          (a) => {
            if (a !== null) this.answer(decision.id, a)
          },
          () => undefined,
        )
      }
      this.events.emit({ type: 'opened', decision })
    })
  }

  private settle(p: Pending, reply: HookReply, end: Omit<DecisionEnd, 'at'>): void {
    if (this.pending.get(p.decision.id) !== p) return
    this.pending.delete(p.decision.id)
    p.timer.cancel()
    p.resolve(reply)
    const ended: DecisionEnd = { ...end, at: this.deps.clock.now() }
    for (const hold of p.holds) {
      try {
        hold.ended(ended)
      } catch {
        // a channel that fails to show the outcome changes nothing about it
      }
    }
    this.events.emit({ type: 'ended', decision: p.decision, end: ended })
  }
}

import type { Button } from './control.js'
import { escapeHtml, type FormattedMessage } from './format.js'

/** A PermissionRequest the person may answer with buttons. */
export interface ApprovalRequest {
  session: { id: string; name: string | null; workingDir: string }
  toolName: string
  toolInput: unknown
  /** Claude's `permission_suggestions`: what "Always allow" adds. */
  suggestions: readonly unknown[]
}

export type ApprovalChoice = 'allow' | 'always' | 'deny'

/** What a press decided: the PermissionRequest hook's reply. */
export interface ApprovalDecision {
  choice: ApprovalChoice
  by: string
  reply: Record<string, unknown>
}

/** How a request ended without a press. */
export type ApprovalLapse = 'timeout' | 'terminal' | 'gone'

export interface ApprovalsDeps {
  /** How long a request waits for a press. */
  waitMs: number
  timer: (ms: number, work: () => void) => { cancel(): void }
  /**
   * Posts the request (with its buttons) in the session's topic; the message is known by `key`
   * afterwards. False when it is not shown now (turned off, quiet hours): nobody waits then.
   */
  post: (request: ApprovalRequest, message: FormattedMessage, buttons: Button[][], key: string) => boolean
  /** Replaces the request's message (by its key), buttons removed. */
  edit: (request: ApprovalRequest, key: string, message: FormattedMessage) => void
  /** Ids for callback data: short and unique in this process. */
  nextId: () => string
}

interface Pending {
  id: string
  request: ApprovalRequest
  message: FormattedMessage
  resolve: (decision: ApprovalDecision | null) => void
  timer: { cancel(): void }
}

/** Callback data of the approval buttons: `p:<id>:<a|s|d>`. */
const DATA = /^p:([A-Za-z0-9]{1,40}):([asd])$/
const CHOICES: Record<string, ApprovalChoice> = { a: 'allow', s: 'always', d: 'deny' }
const INPUT_SHOWN = 1500

const decisionReply = (decision: Record<string, unknown>) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } })

/**
 * Permission approval from Telegram. `request` posts the tool and its input with Allow / Always
 * allow / Deny and resolves with the first press, or with null after `waitMs`, when the terminal
 * answered first, or when the hook gave up — then the reply adds nothing and the dialog stays for
 * the person at the keyboard. Whoever answers first wins; the message is edited to say who
 * decided what.
 */
export class Approvals {
  private readonly pending = new Map<string, Pending>()

  constructor(private readonly deps: ApprovalsDeps) {}

  /** Posts the request and waits for the first answer (null: none from Telegram). */
  request(request: ApprovalRequest): { id: string; decision: Promise<ApprovalDecision | null> } {
    const id = this.deps.nextId()
    const message = describeRequest(request)
    const buttons: Button[][] = [
      [
        { text: 'Allow', data: `p:${id}:a` },
        ...(request.suggestions.length > 0 ? [{ text: 'Always allow', data: `p:${id}:s` }] : []),
        { text: 'Deny', data: `p:${id}:d` },
      ],
    ]
    if (!this.deps.post(request, message, buttons, keyOf(id))) return { id, decision: Promise.resolve(null) }
    const decision = new Promise<ApprovalDecision | null>((resolve) => {
      const timer = this.deps.timer(this.deps.waitMs, () => this.lapse(id, 'timeout'))
      this.pending.set(id, { id, request, message, resolve, timer })
    })
    return { id, decision }
  }

  /** Whether `data` is an approval button's. */
  static owns(data: string): boolean {
    return data.startsWith('p:')
  }

  /**
   * A press: settles the request if it still waits. Returns the text for answerCallbackQuery.
   */
  press(data: string, by: string): string {
    const m = DATA.exec(data)
    if (!m) return 'Unknown button.'
    const p = this.pending.get(m[1]!)
    if (!p) return 'Already answered.'
    const choice = CHOICES[m[2]!]!
    const reply =
      choice === 'deny'
        ? decisionReply({ behavior: 'deny', message: `Denied from Telegram by ${by}` })
        : choice === 'always'
          ? decisionReply({ behavior: 'allow', updatedPermissions: p.request.suggestions })
          : decisionReply({ behavior: 'allow' })
    this.settle(p, { choice, by, reply }, `${VERDICT[choice]} by ${by}`)
    return VERDICT[choice]
  }

  /** The session's requests were answered some other way (the terminal), or can no longer be. */
  lapseSession(sessionId: string, why: ApprovalLapse): void {
    for (const p of [...this.pending.values()]) if (p.request.session.id === sessionId) this.lapse(p.id, why)
  }

  /** Ends one request without a decision. */
  lapse(id: string, why: ApprovalLapse): void {
    const p = this.pending.get(id)
    if (p) this.settle(p, null, LAPSE[why](this.deps.waitMs))
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.pending.size
  }

  /** Server stop: every request ends without a decision (the terminal dialog stays). */
  stop(): void {
    for (const id of [...this.pending.keys()]) this.lapse(id, 'gone')
  }

  private settle(p: Pending, decision: ApprovalDecision | null, outcome: string): void {
    this.pending.delete(p.id)
    p.timer.cancel()
    p.resolve(decision)
    const text = `${p.message.text}\n\n${outcome}`
    const html = `${p.message.html}\n\n<i>${escapeHtml(outcome)}</i>`
    this.deps.edit(p.request, keyOf(p.id), { text, html })
  }
}

const keyOf = (id: string) => `perm:${id}`

const VERDICT: Record<ApprovalChoice, string> = { allow: 'Allowed', always: 'Always allowed', deny: 'Denied' }

export const LAPSE: Record<ApprovalLapse, (waitMs: number) => string> = {
  timeout: (ms) => `No answer within ${Math.round(ms / 1000)} s: answer in the terminal.`,
  terminal: () => 'Answered in the terminal.',
  gone: () => 'No longer waiting (the session or the server stopped, or the hook gave up).',
}

/** "Permission: Bash" and what the tool would do: a command, a file, or the input as JSON. */
export function describeRequest(request: ApprovalRequest): FormattedMessage {
  const title = `Permission: ${request.toolName}`
  const input = request.toolInput as Record<string, unknown> | null
  const main =
    typeof input?.command === 'string'
      ? input.command
      : typeof input?.file_path === 'string'
        ? input.file_path
        : JSON.stringify(request.toolInput ?? {}, null, 1)
  const shown = main.length > INPUT_SHOWN ? `${main.slice(0, INPUT_SHOWN)}…` : main
  const note = typeof input?.description === 'string' ? `\n${input.description}` : ''
  return {
    text: `${title}\n${shown}${note}`,
    html: `<b>${escapeHtml(title)}</b>\n<pre>${escapeHtml(shown)}</pre>${escapeHtml(note)}`,
  }
}

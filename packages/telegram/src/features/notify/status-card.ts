import type { Session, SessionState } from '@claude-sessions/core'
import { escapeHtml, topicName, type FormattedMessage } from '../format.js'
import { formatAge, STATE_WORDS } from '../session-text.js'
import type { Timer } from './notifier.js'
import { formatClockTime } from './zoned-time.js'

/** The emoji a card shows before each state's words. */
const STATE_EMOJI: Record<SessionState, string> = {
  starting: '🚀',
  idle: '💤',
  working: '⚙️',
  waiting_permission: '🔐',
  waiting_answer: '❓',
  error: '❌',
  stopped: '⏹',
}

/** The emoji and words a card shows for a state. */
export const stateLabel = (state: SessionState): string => `${STATE_EMOJI[state]} ${STATE_WORDS[state]}`

/** At most this many children listed; the rest as `+N more`. */
export const CARD_CHILDREN = 10
const TASK_CHARS = 200

/** HH:MM for today's times; older ones also say how long ago (a day or more). */
function clockOrDate(then: number, now: number, timeZone: string | undefined): string {
  const clock = formatClockTime(then, timeZone)
  return now - then < 20 * 3600_000 ? clock : `${clock} (${formatAge(now - then)})`
}

const clip = (text: string, max: number) => {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

export interface StatusCardView {
  session: Session
  children: readonly Session[]
  now: number
  /** For clock times; default: the process's. */
  timeZone?: string
}

/** A session's status as one compact message (the same input gives the same message). */
export function renderStatusCard(view: StatusCardView): FormattedMessage {
  const { session: s, now } = view
  const title = `${topicName(s)} · ${stateLabel(s.state)}`
  const lines: string[] = []
  if (s.state === 'working' && s.lastTool !== null) lines.push(`Tool: ${clip(s.lastTool, 80)}`)
  if (s.currentTask !== null && s.currentTask.trim() !== '') lines.push(`Task: ${clip(s.currentTask, TASK_CHARS)}`)
  if (s.backgroundTasks > 0 && s.state !== 'stopped') lines.push(`Background tasks: ${s.backgroundTasks}`)
  // clock times, not "5 s ago": a card is edited only when something it shows changed
  if (s.state === 'stopped' && s.stoppedAt !== null) lines.push(`Stopped: ${clockOrDate(s.stoppedAt, now, view.timeZone)}`)
  else lines.push(`Last activity: ${clockOrDate(s.lastActivityAt, now, view.timeZone)}`)
  if (view.children.length > 0) {
    lines.push(`Children (${view.children.length}):`)
    for (const c of view.children.slice(0, CARD_CHILDREN)) lines.push(`• ${topicName(c)} · ${stateLabel(c.state)}`)
    if (view.children.length > CARD_CHILDREN) lines.push(`+${view.children.length - CARD_CHILDREN} more`)
  }
  const body = lines.join('\n')
  return { text: `${title}\n${body}`, html: `<b>${escapeHtml(title)}</b>\n${escapeHtml(body)}` }
}

export interface StatusCardsDeps {
  clock: { now(): number }
  timer: Timer
  /** Default 3000. */
  minIntervalMs?: number
  /** The first card of a session (the caller sends and pins it). */
  send: (sessionId: string, card: FormattedMessage) => void
  /** A new version of the card sent before. */
  edit: (sessionId: string, card: FormattedMessage) => void
  /** The card now; undefined: the session is gone. */
  render: (sessionId: string) => FormattedMessage | undefined
  /** `send`/`edit`/`render` threw (from a timer; otherwise the error is thrown to the caller). */
  onError?: (error: unknown, sessionId: string) => void
}

interface Card {
  last: { text: string; html?: string }
  at: number
  trailing?: { cancel(): void }
}

/** One card per session, edited in place: only when it changed, at most once per `minIntervalMs` (default 10 s: Telegram allows a group about 20 messages a minute). */
export class StatusCards {
  private readonly cards = new Map<string, Card>()
  private readonly interval: number
  private stopped = false

  constructor(private readonly deps: StatusCardsDeps) {
    this.interval = deps.minIntervalMs ?? 10_000
  }

  /** The session changed: send its card, or edit it now or at the end of the interval. */
  update(sessionId: string): void {
    if (this.stopped) return
    const card = this.cards.get(sessionId)
    if (card?.trailing !== undefined) return // the trailing edit renders the latest
    const render = this.deps.render(sessionId)
    if (render === undefined) return this.drop(sessionId)
    const now = this.deps.clock.now()
    if (card === undefined) {
      this.deps.send(sessionId, render)
      this.cards.set(sessionId, { last: render, at: now })
      return
    }
    if (same(card, render)) return
    const wait = card.at + this.interval - now
    if (wait <= 0) return this.edit(sessionId, card, render, now)
    card.trailing = this.deps.timer(wait, () => {
      card.trailing = undefined
      try {
        this.editLatest(sessionId, card)
      } catch (error) {
        this.deps.onError?.(error, sessionId)
      }
    })
  }

  /** A card already exists (sent before a restart): the next update edits it, unless `lastText` is still what it says. */
  restore(sessionId: string, lastText: string): void {
    const card = this.cards.get(sessionId)
    if (card !== undefined) card.last = { text: lastText }
    else this.cards.set(sessionId, { last: { text: lastText }, at: Number.NEGATIVE_INFINITY })
  }

  /** No more updates for the session; a pending trailing edit is made now (the final state matters). */
  forget(sessionId: string): void {
    const card = this.cards.get(sessionId)
    if (card === undefined) return
    this.cards.delete(sessionId)
    if (card.trailing === undefined) return
    card.trailing.cancel()
    card.trailing = undefined
    this.editLatest(sessionId, card)
  }

  /** Cancels every pending edit; later updates do nothing. */
  stop(): void {
    this.stopped = true
    for (const card of this.cards.values()) {
      card.trailing?.cancel()
      card.trailing = undefined
    }
  }

  private editLatest(sessionId: string, card: Card): void {
    const render = this.deps.render(sessionId)
    if (render === undefined) return this.drop(sessionId)
    if (!same(card, render)) this.edit(sessionId, card, render, this.deps.clock.now())
  }

  private edit(sessionId: string, card: Card, render: FormattedMessage, now: number): void {
    this.deps.edit(sessionId, render)
    card.last = render
    card.at = now
  }

  private drop(sessionId: string): void {
    this.cards.get(sessionId)?.trailing?.cancel()
    this.cards.delete(sessionId)
  }
}

const same = (card: Card, render: FormattedMessage) =>
  card.last.text === render.text && (card.last.html === undefined || card.last.html === render.html)

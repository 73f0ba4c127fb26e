import type { Session } from '@claude-sessions/core'
import type { TelegramHeldStore } from '@claude-sessions/core/telegram'
import type { ChatOutbox } from '../transport/chat-outbox.js'
import type { SessionControl } from '../control.js'
import type { Follows } from '../state/follows.js'
import { escapeHtml, formatPlain, formatTitled, type FormattedMessage } from './format.js'
import type { NotificationKind } from '@claude-sessions/core'
import { Notifier, type Notification, type NotifierConfig } from './notify/notifier.js'
import { renderStatusCard, StatusCards } from './notify/status-card.js'
import type { TopicManager } from '../state/topics.js'

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>
type Timer = (ms: number, work: () => void) => { cancel(): void }

export interface NotificationsDeps {
  topics: TopicManager
  follows: Follows
  chat: ChatOutbox
  control: SessionControl | undefined
  config: NotifierConfig
  clock: { now(): number }
  timer: Timer
  timeZone?: string
  /** Where notifications held in quiet hours are kept (so a restart keeps them for the digest). */
  held?: TelegramHeldStore
  /** A notification, digest, store write or card update that failed (logged by the service). */
  onError: (error: unknown, sessionId: string) => void
}

export const cardKey = (sessionId: string) => `card:${sessionId}`

export type NotifyExtras = Pick<Notification, 'buttons' | 'key'> & { messages?: FormattedMessage[] }

const trimmed = (m: FormattedMessage): FormattedMessage => ({ text: m.text.trimEnd(), html: m.html.trimEnd() })

function summaryOf(title: string, body: string): string {
  const first = body.trim().split('\n', 1)[0] ?? ''
  return first === '' ? title : `${title}: ${first.length > 80 ? `${first.slice(0, 80)}…` : first}`
}

/** `[id]` before the first piece: in a private chat, it says which session a message is about (and routes replies). */
function tagged(sessionId: string, messages: readonly FormattedMessage[]): FormattedMessage[] {
  return messages.map((m, i) => (i > 0 ? m : { text: `[${sessionId}] ${m.text}`, html: `[${escapeHtml(sessionId)}] ${m.html}` }))
}

/**
 * Notifications into each session's topic (and the private chats following it), filtered by kind
 * and held in quiet hours (then a digest), and the pinned status card of each topic, edited in place.
 */
export class Notifications {
  private readonly notifier: Notifier
  private readonly cards: StatusCards | undefined

  constructor(private readonly deps: NotificationsDeps) {
    this.notifier = new Notifier({
      config: deps.config,
      clock: deps.clock,
      timer: deps.timer,
      post: (n) => this.post(n.session, n.messages, n.buttons, n.key),
      postDigest: (session, messages) => this.post(session, messages),
      ...(deps.held !== undefined ? { store: deps.held } : {}),
      onError: (error, session) => deps.onError(error, session.id),
    })
    const control = deps.control
    if (control !== undefined) {
      this.cards = new StatusCards({
        clock: deps.clock,
        timer: deps.timer,
        onError: (error, sessionId) => deps.onError(error, sessionId),
        send: (id, card) => this.withSession(id, (s) => deps.topics.post(s, [card], { key: cardKey(id), pin: true })),
        edit: (id, card) => this.withSession(id, (s) => deps.topics.edit(s, cardKey(id), card)),
        render: (id) => {
          const session = this.find(id)
          if (session === undefined) return undefined
          // live children only: the registry of stopped sessions grows without bound
          const children = control.list().filter((s) => s.parentId === id)
          return renderStatusCard({ session, children, now: deps.clock.now(), ...(deps.timeZone !== undefined ? { timeZone: deps.timeZone } : {}) })
        },
      })
    }
  }

  /**
   * A notification of `kind`: a bold title over `body` (or `extras.messages` as they are).
   * Returns what happened to it.
   */
  notify(session: SessionRef, kind: NotificationKind, title: string, body: string, extras: NotifyExtras = {}): 'sent' | 'held' | 'filtered' {
    const { messages = body === '' ? formatTitled(title, '').map(trimmed) : formatTitled(title, body), ...rest } = extras
    return this.notifier.notify({ session: { id: session.id, name: session.name, workingDir: session.workingDir }, kind, messages, summary: summaryOf(title, body), ...rest })
  }

  /** `text` as it is (a response), split as needed; its first line is the digest's summary. */
  notifyPlain(session: SessionRef, kind: NotificationKind, text: string): 'sent' | 'held' | 'filtered' {
    return this.notify(session, kind, 'Response', text, { messages: formatPlain(text) })
  }

  /** The session changed: its card shows it (at most one edit per few seconds). Only sessions with a topic have one. */
  cardChanged(session: SessionRef): void {
    if (this.cards === undefined || !this.deps.topics.isFollowed(session.id)) return
    this.cards.update(session.id)
  }

  /** After a restart: a card sent before is edited, not sent again. */
  restoreCard(sessionId: string, text: string): void {
    this.cards?.restore(sessionId, text)
  }

  /**
   * After a restart: the notifications held by the last run come back, for the digest at the end
   * of quiet hours (at once if they are over). Throws if the store cannot be read.
   */
  restore(): void {
    this.notifier.restore()
  }

  /** The session stopped: a last card update, then nothing more for it. */
  sessionStopped(session: SessionRef): void {
    this.cardChanged(session)
    this.cards?.forget(session.id)
    this.deps.follows.forget(session.id)
  }

  stop(): void {
    this.notifier.stop()
    this.cards?.stop()
  }

  /** Into the topic (buttons and key on the last piece), and copied to private followers. */
  private post(session: SessionRef, messages: readonly FormattedMessage[], buttons?: Notification['buttons'], key?: string): void {
    this.deps.topics.post(session, messages, { ...(buttons !== undefined ? { buttons } : {}), ...(key !== undefined ? { key } : {}) })
    for (const chatId of this.deps.follows.followers(session.id)) {
      this.deps.chat.reply({ chatId }, { messages: tagged(session.id, messages) })
    }
  }

  private withSession(id: string, work: (s: SessionRef) => void): void {
    const session = this.find(id)
    if (session !== undefined) work(session)
  }

  private find(id: string): Session | undefined {
    try {
      return this.deps.control?.resolve(id)
    } catch {
      return undefined
    }
  }
}

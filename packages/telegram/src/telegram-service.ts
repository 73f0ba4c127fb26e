import type { NotificationKind, Session } from '@claude-sessions/core'
import { describeEnd, type ChannelHold, type HeldDecision } from '@claude-sessions/core/services'
import type { OutboxStatus, TelegramTopicStatus, TelegramUser } from '@claude-sessions/core/telegram'
import { composeTelegram, type TelegramParts, type TelegramServiceDeps } from './compose-telegram.js'
import type { ApprovalRequest } from './features/approvals.js'
import type { TopicTextHandler } from './features/inbound.js'
import { cardKey } from './features/notifications.js'
import { formatTitled, topicName } from './features/format.js'
import { describeError } from './transport/logger.js'

export { systemClock } from './compose-telegram.js'
export type { TelegramServiceDeps } from './compose-telegram.js'

export interface TelegramStatus {
  chatId: number
  configuredUserIds: number[]
  pairedUsers: TelegramUser[]
  /** Outbox entries not yet sent (pending, sending) and given up (failed), by status. */
  outbox: Partial<Record<OutboxStatus, number>>
  /** The forum's topics by status. */
  topics: Partial<Record<TelegramTopicStatus, number>>
  approvalsWaiting: number
  stallRestarts: number
}

/** A PermissionRequest reply that adds nothing: the terminal dialog stays. */

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>

/** Settled outbox entries are kept this long (for `sm` and debugging), then pruned at start. */
const KEEP_SETTLED_MS = 7 * 24 * 3600_000
/** Message keys (approval messages, status cards) are kept this long, then pruned at start. */
const KEEP_MESSAGE_KEYS_MS = 30 * 24 * 3600_000

/**
 * Telegram for the server: one forum topic per session, notifications, and text typed in a
 * topic. The `on*`/`notify*` methods only write to the store (and wake the outbox worker): they
 * never wait on Telegram and never throw (failures are logged). Nothing talks to Telegram before
 * `start()` — call it only once the server holds its single-instance lock.
 */
export class TelegramService {
  private readonly parts: TelegramParts
  private state: 'new' | 'running' | 'stopped' = 'new'

  constructor(private readonly deps: TelegramServiceDeps) {
    this.parts = composeTelegram(deps, { sessionStarted: (session) => this.onSessionStarted(session) })
  }

  /** Starts the outbox worker and long polling. Returns at once: it does not wait for Telegram. */
  start(): void {
    if (this.state !== 'new') return
    this.state = 'running'
    if (!this.parts.access.hasAnyone()) {
      this.parts.logger.warn({}, 'telegram: nobody may use the bot (allowed_user_ids is empty and nobody has paired); pair with `sm telegram pair`')
    }
    this.safely('prune the outbox', () => this.deps.stores.outbox.pruneSettled(this.parts.clock.now() - KEEP_SETTLED_MS))
    // approval messages and cards older than this are never edited again
    this.safely('prune message keys', () => this.deps.stores.messageKeys.prune(this.parts.clock.now() - KEEP_MESSAGE_KEYS_MS))
    this.safely('recover topics', () => this.parts.topics.recover())
    this.safely('restore status cards', () => {
      for (const t of this.deps.stores.topics.list({ chatId: this.deps.config.chatId, status: 'open' })) {
        if (this.deps.stores.messageKeys.get(cardKey(t.sessionId)) !== undefined) this.parts.notifications.restoreCard(t.sessionId, '')
      }
    })
    this.safely('restore held notifications', () => this.parts.notifications.restore())
    this.parts.worker.start()
    this.parts.poller.start()
    this.parts.menu?.start()
  }

  /** Stops polling and the worker (attempts in flight get a short grace) and closes every connection. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    this.parts.approvals.stop()
    this.parts.questions.stop()
    this.parts.notifications.stop()
    this.parts.menu?.stop()
    if (wasRunning) {
      await this.parts.poller.stop()
      await this.parts.worker.stop()
    }
    this.parts.destroyBot()
  }

  /** A session started: its topic is made (once, however often this is called). */
  onSessionStarted(session: SessionRef): void {
    this.safely('queue topic creation', () => void this.parts.topics.ensureTopic(session))
  }

  /** A session was renamed: its topic follows. */
  onSessionRenamed(session: SessionRef): void {
    this.safely('queue topic rename', () => this.parts.topics.renameTopic(session))
  }

  /** A session stopped: a goodbye in its topic, then the topic is closed, deleted or kept as configured. */
  onSessionStopped(session: SessionRef): void {
    const [goodbye] = formatTitled('Session stopped.', `${topicName(session)} has ended.`)
    this.safely('end pending approvals', () => this.parts.approvals.lapseSession(session.id, 'gone'))
    this.safely('update the status card', () => this.parts.notifications.sessionStopped(session))
    this.safely('queue topic close', () => this.parts.topics.closeTopic(session, goodbye!))
  }

  /** A turn ended with `message` (Stop's last_assistant_message): posted in the topic, split as needed. */
  notifyTurnEnded(session: SessionRef, message: string): void {
    this.safely('queue turn message', () => this.parts.notifications.notifyPlain(session, 'turn_ended', message))
  }

  /** A notification of `kind` into the session's topic: a bold title over `body` (filtered, held in quiet hours). */
  notify(session: SessionRef, kind: NotificationKind, title: string, body: string): void {
    this.safely(`queue a ${kind} notification`, () => this.parts.notifications.notify(session, kind, title, body))
  }

  /** The session changed (state, tool, children): its pinned status card follows, a few seconds late at most. */
  sessionChanged(session: SessionRef): void {
    this.safely('update the status card', () => this.parts.notifications.cardChanged(session))
  }

  /**
   * A held PermissionRequest of the approval queue (core's `DecisionQueue`), shown in the
   * session's topic: a tool call with Allow / Always allow / Deny, or an AskUserQuestion with a
   * button per option (text written there answers in the person's own words). The first press
   * answers for every channel; `ended` edits the message to say how it ended when that was not
   * here (the web, the terminal, the wait, the hook gone). Null when it is not shown here
   * (stopped, turned off, quiet hours, questions that can't be buttons: those are posted as text).
   */
  offerDecision(decision: HeldDecision): ChannelHold | null {
    if (this.state !== 'running') return null
    try {
      const { session } = decision
      if (decision.kind === 'question') {
        const { id, posted, answer } = this.parts.questions.request({ session, toolInput: decision.toolInput })
        if (!posted) return null
        return {
          answer: answer.then((a) => (a === null ? null : { verdict: 'answer', who: a.by, channel: 'telegram', answers: a.answers })),
          ended: (end) => this.parts.questions.conclude(id, describeEnd(end, this.parts.approvalWaitMs)),
        }
      }
      const request: ApprovalRequest = { session, toolName: decision.toolName, toolInput: decision.toolInput, suggestions: decision.suggestions }
      const { id, posted, decision: pressed } = this.parts.approvals.request(request)
      if (!posted) return null
      return {
        answer: pressed.then((d) => (d === null ? null : { verdict: d.choice, who: d.by, channel: 'telegram' })),
        ended: (end) => this.parts.approvals.conclude(id, describeEnd(end, this.parts.approvalWaitMs)),
      }
    } catch (err) {
      this.parts.logger.error({ error: describeError(err, this.parts.redact) }, 'telegram: could not ask for a decision')
      return null
    }
  }

  /** A message sent from Telegram was delivered: the bot confirms it where it was written. */
  messageDelivered(messageId: number): void {
    this.safely('confirm a delivery', () => this.parts.interactions?.delivered(messageId))
  }

  /** Approvals and questions waiting for a person. */
  get approvalsWaiting(): number {
    return this.parts.approvals.waiting + this.parts.questions.waiting
  }

  /** Text allowed users write in a session's topic; returns the handler's removal. */
  onTopicText(handler: TopicTextHandler): () => void {
    return this.parts.inbound.onTopicText(handler)
  }

  /** A one-time pairing code (for `sm telegram pair`), valid `pairing.codeTtlSeconds`. */
  issuePairingCode(): { code: string; expiresAt: number } {
    return this.parts.pairing.issue()
  }

  /** What the bot is doing: who may use it, the outbox, the topics, approvals and questions waiting, polling restarts. */
  status(): TelegramStatus {
    const { stores, config } = this.deps
    const count = <T extends string>(items: readonly { status: T }[]) => {
      const counts: Partial<Record<T, number>> = {}
      for (const item of items) counts[item.status] = (counts[item.status] ?? 0) + 1
      return counts
    }
    return {
      chatId: config.chatId,
      configuredUserIds: [...config.allowedUserIds],
      pairedUsers: stores.access.users(),
      outbox: count([...stores.outbox.list({ status: 'pending' }), ...stores.outbox.list({ status: 'sending' }), ...stores.outbox.list({ status: 'failed' })]),
      topics: count(stores.topics.list({ chatId: config.chatId })),
      approvalsWaiting: this.approvalsWaiting,
      stallRestarts: this.parts.poller.stallRestarts,
    }
  }

  /** Removes a paired user: false if they were not paired (users in the config stay until it changes). */
  unpair(userId: number): boolean {
    return this.deps.stores.access.removeUser(userId)
  }

  /** Whether `userId` may use the bot (config or pairing). */
  isAllowed(userId: number): boolean {
    return this.parts.access.isAllowed(userId)
  }

  /** Polling restarts after a stall, since start. */
  get stallRestarts(): number {
    return this.parts.poller.stallRestarts
  }

  private safely(what: string, work: () => unknown): void {
    try {
      work()
    } catch (err) {
      this.parts.logger.error({ error: describeError(err, this.parts.redact) }, `telegram: could not ${what}`)
    }
  }
}

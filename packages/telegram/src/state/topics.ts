import type { Clock, Session } from '@claude-sessions/core'
import type { TelegramButton, TelegramOperation, TelegramOutbox, TelegramTopic, TelegramTopicStore } from '@claude-sessions/core/telegram'
import type { TopicOnStop } from '../config.js'
import { type FormattedMessage, topicName } from '../features/format.js'
import type { TelegramLogger } from '../transport/logger.js'

/** The lane of a session's topic: its operations run in order, one at a time. */
export const topicLane = (chatId: number, sessionId: string): string => `topic:${chatId}:${sessionId}`

/** The lane of a chat (or one thread of it) outside any session topic. */
export const chatLane = (chatId: number, threadId?: number): string =>
  threadId === undefined ? `chat:${chatId}` : `chat:${chatId}:${threadId}`

export interface TopicManagerDeps {
  topics: TelegramTopicStore
  outbox: TelegramOutbox
  clock: Clock
  logger: TelegramLogger
  chatId: number
  topicOnStop: TopicOnStop
  /** Tells the outbox worker there is work. */
  kick: () => void
}

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>

/** What the last message of a post carries. */
export interface LastMessageExtras {
  buttons?: TelegramButton[][]
  key?: string
  pin?: boolean
}

/**
 * The topic of each session, as outbox operations: nothing here waits on Telegram. The topic row
 * is reserved (one per chat and session, ever) before its creation is queued, so however often
 * `ensureTopic` runs — from any number of restarts — Telegram is asked at most once.
 */
export class TopicManager {
  constructor(private readonly deps: TopicManagerDeps) {}

  /** The session's topic, reserved now (and its creation queued) if it has none. Idempotent. */
  ensureTopic(session: SessionRef): TelegramTopic {
    const { topics, clock, chatId } = this.deps
    const { topic, created } = topics.reserve({ chatId, sessionId: session.id, name: topicName(session), at: clock.now() })
    if (created || (topic.status === 'reserved' && !this.creationQueued(session.id))) {
      this.enqueue(session.id, { kind: 'create_topic', chatId, sessionId: session.id })
    }
    return topic
  }

  /** A new name: stored, and sent to Telegram if the topic exists there (else it is created with it). */
  renameTopic(session: SessionRef): void {
    const { topics, clock, chatId } = this.deps
    const topic = topics.get(chatId, session.id)
    if (topic === undefined) return void this.ensureTopic(session)
    const name = topicName(session)
    if (topic.name === name) return
    topics.rename(chatId, session.id, name, clock.now())
    // a reserved topic is created with the row's (new) name; one being created needs the edit after
    if (topic.status === 'open' || topic.status === 'creating') {
      this.enqueue(session.id, { kind: 'edit_topic', chatId, sessionId: session.id, name })
    }
  }

  /** A short goodbye in the topic, then close / delete / keep it as configured. Nothing for a session without a topic. */
  closeTopic(session: SessionRef, goodbye: FormattedMessage): void {
    const { topics, chatId, topicOnStop } = this.deps
    const topic = topics.get(chatId, session.id)
    if (topic === undefined || topic.status === 'closed' || topic.status === 'deleted') return
    this.enqueue(session.id, { kind: 'send_message', chatId, sessionId: session.id, text: goodbye.text, html: goodbye.html })
    if (topicOnStop !== 'keep') this.enqueue(session.id, { kind: 'close_topic', chatId, sessionId: session.id, mode: topicOnStop })
  }

  /**
   * Messages into the session's topic (made first if needed), in order. `last` applies to the
   * last message: its buttons, the key it is known by afterwards, whether to pin it.
   */
  post(session: SessionRef, messages: readonly FormattedMessage[], last: LastMessageExtras = {}): void {
    if (messages.length === 0) return
    const topic = this.ensureTopic(session)
    if (topic.status === 'closed' || topic.status === 'deleted') {
      this.deps.logger.debug({ sessionId: session.id, status: topic.status }, 'telegram: no message into a closed topic')
      return
    }
    messages.forEach((m, i) => {
      const extras = i === messages.length - 1 ? last : {}
      this.enqueue(session.id, { kind: 'send_message', chatId: this.deps.chatId, sessionId: session.id, text: m.text, html: m.html, ...extras })
    })
  }

  /**
   * Edits a message of the session's topic known by `key`, in the topic's order (after its send).
   * Edits of that message still waiting in the outbox are dropped: only the latest text matters,
   * and a backlog of card edits must not hold back the topic's messages.
   */
  edit(session: SessionRef, key: string, message: FormattedMessage, buttons?: TelegramButton[][] | null): void {
    const { outbox, clock, chatId } = this.deps
    for (const e of outbox.list({ lane: topicLane(chatId, session.id), status: 'pending' })) {
      if (e.operation.kind === 'edit_message' && e.operation.key === key) outbox.complete(e.id, clock.now())
    }
    const op: TelegramOperation = { kind: 'edit_message', chatId, key, text: message.text, html: message.html }
    if (buttons !== undefined) op.buttons = buttons
    this.enqueue(session.id, op)
  }

  /** Whether the session has a topic that is (or will be) open. */
  isFollowed(sessionId: string): boolean {
    const status = this.deps.topics.get(this.deps.chatId, sessionId)?.status
    return status === 'open' || status === 'reserved' || status === 'creating'
  }

  /**
   * After a restart, before the outbox runs: a creation that was in flight when the process
   * died may have succeeded in Telegram, so it is not repeated (the topic is marked failed, its
   * messages go to the main chat); reserved topics get their creation queued if it is not.
   */
  recover(): void {
    const { topics, clock, logger } = this.deps
    for (const t of topics.list({ status: 'creating' })) {
      const error = 'creation interrupted by a restart; not repeated, so no duplicate topic can appear'
      topics.setStatus(t.chatId, t.sessionId, 'failed', clock.now(), error)
      logger.warn({ sessionId: t.sessionId, chatId: t.chatId, name: t.name }, `telegram: topic ${error}`)
    }
    for (const t of topics.list({ chatId: this.deps.chatId, status: 'reserved' })) {
      if (!this.creationQueued(t.sessionId)) this.enqueue(t.sessionId, { kind: 'create_topic', chatId: t.chatId, sessionId: t.sessionId })
    }
  }

  private creationQueued(sessionId: string): boolean {
    const lane = topicLane(this.deps.chatId, sessionId)
    const open = [...this.deps.outbox.list({ lane, status: 'pending' }), ...this.deps.outbox.list({ lane, status: 'sending' })]
    return open.some((e) => e.operation.kind === 'create_topic')
  }

  private enqueue(sessionId: string, operation: TelegramOperation): void {
    this.deps.outbox.enqueue({ lane: topicLane(this.deps.chatId, sessionId), operation, createdAt: this.deps.clock.now() })
    this.deps.kick()
  }
}

import type { Clock, Session } from '@claude-sessions/core'
import type { GoneSignal } from '@claude-sessions/core/services'
import type { OutboxStatus, TelegramStores, TelegramTopicStatus, TelegramUser } from '@claude-sessions/core/telegram'
import { sequentialize } from '@grammyjs/runner'
import type { Transformer } from 'grammy'
import { Access } from './access.js'
import { createBot } from './bot.js'
import type { TelegramConfig } from './config.js'
import { Approvals, type ApprovalLapse, type ApprovalRequest } from './approvals.js'
import { ChatOutbox } from './chat-outbox.js'
import { CommandMenu } from './command-menu.js'
import { menuCommands } from './commands/catalog.js'
import type { SessionControl } from './control.js'
import { Follows } from './follows.js'
import { formatTitled, topicName } from './format.js'
import { byOf, Interactions } from './interactions.js'
import { Questions, type QuestionRequest } from './questions.js'
import { cardKey, Notifications } from './notifications.js'
import { NOTIFICATION_KINDS, type NotificationKind } from '@claude-sessions/core'
import type { NotifierConfig } from './notify/notifier.js'
import { Inbound, type TopicTextHandler } from './inbound.js'
import { describeError, redactToken, silentLogger, type TelegramLogger } from './logger.js'
import { OperationExecutor } from './operations.js'
import { OutboxWorker } from './outbox-worker.js'
import { Pairing } from './pairing.js'
import { Poller } from './poller.js'
import { TopicManager, chatLane } from './topics.js'

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

export interface TelegramServiceDeps {
  config: TelegramConfig
  stores: TelegramStores
  clock?: Clock
  logger?: TelegramLogger
  /** What the bot may do to sessions (the server's services). Without it: topics and notifications only, no commands. */
  control?: SessionControl
  /** Which notifications go out, and quiet hours. Default: all, no quiet hours. */
  notify?: NotifierConfig
  /** Runs `work` after `ms` (default: an unref'd setTimeout). */
  timer?: (ms: number, work: () => void) => { cancel(): void }
}

const systemTimer = (ms: number, work: () => void) => {
  const t = setTimeout(work, ms)
  t.unref()
  return { cancel: () => clearTimeout(t) }
}

const ALL_ON: NotifierConfig = { enabled: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as NotifierConfig['enabled'], quietHours: null }

/** A PermissionRequest reply that adds nothing: the terminal dialog stays. */
const NO_DECISION = {}

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>

/** Settled outbox entries are kept this long (for `sm` and debugging), then pruned at start. */
const KEEP_SETTLED_MS = 7 * 24 * 3600_000
/** Message keys (approval messages, status cards) are kept this long, then pruned at start. */
const KEEP_MESSAGE_KEYS_MS = 30 * 24 * 3600_000

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * Telegram for the server: one forum topic per session, notifications, and text typed in a
 * topic. The `on*`/`notify*` methods only write to the store (and wake the outbox worker): they
 * never wait on Telegram and never throw (failures are logged). Nothing talks to Telegram before
 * `start()` — call it only once the server holds its single-instance lock.
 */
export class TelegramService {
  private readonly logger: TelegramLogger
  private readonly clock: Clock
  private readonly redact: (text: string) => string
  private readonly access: Access
  private readonly pairing: Pairing
  private readonly inbound: Inbound
  private readonly topics: TopicManager
  private readonly worker: OutboxWorker
  private readonly poller: Poller
  private readonly destroyBot: () => void
  private readonly chat: ChatOutbox
  private readonly follows: Follows
  private readonly notifications: Notifications
  private readonly approvals: Approvals
  private readonly questions: Questions
  private readonly interactions: Interactions | undefined
  private readonly menu: CommandMenu | undefined
  private heldIds = 0
  private state: 'new' | 'running' | 'stopped' = 'new'

  constructor(private readonly deps: TelegramServiceDeps) {
    const { config, stores } = deps
    const logger = (this.logger = deps.logger ?? silentLogger)
    const clock = (this.clock = deps.clock ?? systemClock)
    const redact = (this.redact = redactToken(config.token))
    this.follows = new Follows(stores.follows, () => clock.now())

    let poller: Poller | undefined
    const pollTransformer = ((prev, method, payload, signal) => poller!.transformer(prev, method, payload, signal)) as Transformer
    const { bot, destroy } = createBot(config, [pollTransformer])
    this.destroyBot = destroy
    this.poller = poller = new Poller({
      bot,
      logger,
      redact,
      options: { pollTimeoutSeconds: config.pollTimeoutSeconds, stallMs: config.stallSeconds * 1000, stopGraceMs: config.outbox.stopGraceMs },
    })
    const executor = new OperationExecutor({ api: bot.api, topics: stores.topics, messageKeys: stores.messageKeys, clock, logger, redact })
    this.worker = new OutboxWorker({ outbox: stores.outbox, executor, clock, logger, redact, options: config.outbox })
    this.topics = new TopicManager({
      topics: stores.topics,
      outbox: stores.outbox,
      clock,
      logger,
      chatId: config.chatId,
      topicOnStop: config.topicOnStop,
      kick: () => this.worker.kick(),
    })
    this.pairing = new Pairing(stores.access, clock, config.pairing)
    this.access = new Access({
      chatId: config.chatId,
      allowedUserIds: config.allowedUserIds,
      store: stores.access,
      pairing: this.pairing,
      logger,
      now: () => clock.now(),
      onPaired: (to) => {
        const text = 'Paired: you can use this bot now.'
        stores.outbox.enqueue({
          lane: chatLane(to.chatId, to.threadId),
          operation: { kind: 'send_message', chatId: to.chatId, threadId: to.threadId, replyToMessageId: to.messageId, text },
          createdAt: clock.now(),
        })
        this.worker.kick()
      },
    })
    this.inbound = new Inbound({ chatId: config.chatId, topics: stores.topics, logger, redact })
    const timer = deps.timer ?? systemTimer
    this.chat = new ChatOutbox({ outbox: stores.outbox, clock, kick: () => this.worker.kick() })
    this.notifications = new Notifications({
      topics: this.topics,
      follows: this.follows,
      chat: this.chat,
      control: deps.control,
      config: deps.notify ?? ALL_ON,
      clock,
      timer,
      onError: (error, sessionId) => logger.error({ sessionId, error: describeError(error, redact) }, 'telegram: a notification or status card failed'),
      ...(deps.notify?.quietHours?.timeZone !== undefined ? { timeZone: deps.notify.quietHours.timeZone } : {}),
      held: deps.stores.held,
    })
    this.approvals = new Approvals({
      waitMs: config.approvalWaitSeconds * 1000,
      timer,
      nextId: () => this.nextHeldId(),
      post: (request, message, buttons, key) =>
        this.notifications.notify(request.session, 'permission', `Permission: ${request.toolName}`, '', { buttons, key, messages: [message] }) === 'sent',
      edit: (request, key, message) => this.topics.edit(request.session, key, message, null),
    })
    this.questions = new Questions({
      waitMs: config.approvalWaitSeconds * 1000,
      timer,
      nextId: () => this.nextHeldId(),
      post: (request, message, buttons, key) =>
        this.notifications.notify(request.session, 'question', 'Question', '', { buttons, key, messages: [message] }) === 'sent',
      edit: (request, key, message, buttons) => this.topics.edit(request.session, key, message, buttons),
    })
    const control = deps.control
    if (control !== undefined) {
      this.interactions = new Interactions({
        chatId: config.chatId,
        topics: stores.topics,
        control,
        approvals: this.approvals,
        questions: this.questions,
        follows: this.follows,
        chat: this.chat,
        messageKeys: stores.messageKeys,
        ensureTopic: (id) => this.onSessionStarted(control.resolve(id)),
        logger,
        redact,
        now: () => clock.now(),
      })
      this.menu = new CommandMenu({ api: bot.api, commands: menuCommands(), timer, logger, redact })
      // text in a session's topic: a message for the session, confirmed where it was written
      this.inbound.onTopicText((m) =>
        this.interactions!.sendText(m.sessionId, m.text, 'sequential', { chatId: m.chatId, threadId: m.threadId, messageId: m.messageId }, byOf(m.from)),
      )
    }

    bot.catch((err) => logger.error({ error: describeError(err.error, redact) }, 'telegram: update handling failed'))
    // one update at a time per chat: a topic's texts reach its session in order
    bot.use(sequentialize((ctx) => (ctx.chat === undefined ? undefined : String(ctx.chat.id))))
    bot.use(this.access.guard)
    if (this.interactions !== undefined) bot.use(this.interactions.composer())
    bot.use(this.inbound.composer())
  }

  /** Starts the outbox worker and long polling. Returns at once: it does not wait for Telegram. */
  start(): void {
    if (this.state !== 'new') return
    this.state = 'running'
    if (!this.access.hasAnyone()) {
      this.logger.warn({}, 'telegram: nobody may use the bot (allowed_user_ids is empty and nobody has paired); pair with `sm telegram pair`')
    }
    this.safely('prune the outbox', () => this.deps.stores.outbox.pruneSettled(this.clock.now() - KEEP_SETTLED_MS))
    // approval messages and cards older than this are never edited again
    this.safely('prune message keys', () => this.deps.stores.messageKeys.prune(this.clock.now() - KEEP_MESSAGE_KEYS_MS))
    this.safely('recover topics', () => this.topics.recover())
    this.safely('restore status cards', () => {
      for (const t of this.deps.stores.topics.list({ chatId: this.deps.config.chatId, status: 'open' })) {
        if (this.deps.stores.messageKeys.get(cardKey(t.sessionId)) !== undefined) this.notifications.restoreCard(t.sessionId, '')
      }
    })
    this.safely('restore held notifications', () => this.notifications.restore())
    this.worker.start()
    this.poller.start()
    this.menu?.start()
  }

  /** Stops polling and the worker (attempts in flight get a short grace) and closes every connection. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    this.approvals.stop()
    this.questions.stop()
    this.notifications.stop()
    this.menu?.stop()
    if (wasRunning) {
      await this.poller.stop()
      await this.worker.stop()
    }
    this.destroyBot()
  }

  /** A session started: its topic is made (once, however often this is called). */
  onSessionStarted(session: SessionRef): void {
    this.safely('queue topic creation', () => void this.topics.ensureTopic(session))
  }

  /** A session was renamed: its topic follows. */
  onSessionRenamed(session: SessionRef): void {
    this.safely('queue topic rename', () => this.topics.renameTopic(session))
  }

  /** A session stopped: a goodbye in its topic, then the topic is closed, deleted or kept as configured. */
  onSessionStopped(session: SessionRef): void {
    const [goodbye] = formatTitled('Session stopped.', `${topicName(session)} has ended.`)
    this.safely('end pending approvals', () => this.approvals.lapseSession(session.id, 'gone'))
    this.safely('update the status card', () => this.notifications.sessionStopped(session))
    this.safely('queue topic close', () => this.topics.closeTopic(session, goodbye!))
  }

  /** A turn ended with `message` (Stop's last_assistant_message): posted in the topic, split as needed. */
  notifyTurnEnded(session: SessionRef, message: string): void {
    this.safely('queue turn message', () => this.notifications.notifyPlain(session, 'turn_ended', message))
  }

  /** A notification of `kind` into the session's topic: a bold title over `body` (filtered, held in quiet hours). */
  notify(session: SessionRef, kind: NotificationKind, title: string, body: string): void {
    this.safely(`queue a ${kind} notification`, () => this.notifications.notify(session, kind, title, body))
  }

  /** The session changed (state, tool, children): its pinned status card follows, a few seconds late at most. */
  sessionChanged(session: SessionRef): void {
    this.safely('update the status card', () => this.notifications.cardChanged(session))
  }

  /**
   * A PermissionRequest: the tool and its input with Allow / Always allow / Deny in the topic.
   * Resolves with the hook reply of the first press, or `{}` (no decision: the terminal dialog
   * stays) after `approval_wait_seconds`, when the terminal answered first, or when `signal`
   * aborts (the hook gave up). Never rejects.
   */
  requestApproval(request: ApprovalRequest, signal: GoneSignal): Promise<Record<string, unknown>> {
    return this.hold('ask for approval', signal, () => {
      const { id, decision } = this.approvals.request(request)
      return { settled: decision.then((d) => d?.reply), lapse: () => this.approvals.lapse(id, 'gone') }
    })
  }

  /**
   * An AskUserQuestion's PermissionRequest: the questions with a button per option in the topic
   * (text written there answers in the person's own words). Resolves, once every question has an
   * answer, with a reply that allows the tool with `updatedInput.answers`; or `{}` like
   * `requestApproval` (timeout, the terminal first, the hook gone). Never rejects.
   */
  requestAnswer(request: QuestionRequest, signal: GoneSignal): Promise<Record<string, unknown>> {
    return this.hold('ask the question', signal, () => {
      const { id, answer } = this.questions.request(request)
      return { settled: answer.then((a) => a?.reply), lapse: () => this.questions.lapse(id, 'gone') }
    })
  }

  /** The session's pending approvals and questions ended another way (`terminal`: answered at the keyboard). */
  approvalLapsed(sessionId: string, why: ApprovalLapse): void {
    this.safely('settle approvals', () => {
      this.approvals.lapseSession(sessionId, why)
      this.questions.lapseSession(sessionId, why)
    })
  }

  /** A message sent from Telegram was delivered: the bot confirms it where it was written. */
  messageDelivered(messageId: number): void {
    this.safely('confirm a delivery', () => this.interactions?.delivered(messageId))
  }

  /** Approvals and questions waiting for a person. */
  get approvalsWaiting(): number {
    return this.approvals.waiting + this.questions.waiting
  }

  /** Text allowed users write in a session's topic; returns the handler's removal. */
  onTopicText(handler: TopicTextHandler): () => void {
    return this.inbound.onTopicText(handler)
  }

  /** A one-time pairing code (for `sm telegram pair`), valid `pairing.codeTtlSeconds`. */
  issuePairingCode(): { code: string; expiresAt: number } {
    return this.pairing.issue()
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
      stallRestarts: this.poller.stallRestarts,
    }
  }

  /** Removes a paired user: false if they were not paired (users in the config stay until it changes). */
  unpair(userId: number): boolean {
    return this.deps.stores.access.removeUser(userId)
  }

  /** Whether `userId` may use the bot (config or pairing). */
  isAllowed(userId: number): boolean {
    return this.access.isAllowed(userId)
  }

  /** Polling restarts after a stall, since start. */
  get stallRestarts(): number {
    return this.poller.stallRestarts
  }

  /** A held hook reply: what `register` settles with, or `{}` when it can't be asked, lapses, or the hook gives up. */
  private hold(what: string, signal: GoneSignal, register: () => { settled: Promise<Record<string, unknown> | undefined>; lapse: () => void }): Promise<Record<string, unknown>> {
    if (this.state !== 'running' || signal.aborted) return Promise.resolve(NO_DECISION)
    try {
      const { settled, lapse } = register()
      signal.addEventListener('abort', lapse, { once: true })
      return settled.then((reply) => {
        signal.removeEventListener('abort', lapse)
        return reply ?? NO_DECISION
      })
    } catch (err) {
      this.logger.error({ error: describeError(err, this.redact) }, `telegram: could not ${what}`)
      return Promise.resolve(NO_DECISION)
    }
  }

  private nextHeldId(): string {
    return `${(++this.heldIds).toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`
  }

  private safely(what: string, work: () => unknown): void {
    try {
      work()
    } catch (err) {
      this.logger.error({ error: describeError(err, this.redact) }, `telegram: could not ${what}`)
    }
  }
}

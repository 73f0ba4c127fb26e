import type { Clock, Session, TelegramStores } from '@claude-sessions/core'
import { sequentialize } from '@grammyjs/runner'
import type { Transformer } from 'grammy'
import { Access } from './access.js'
import { createBot } from './bot.js'
import type { TelegramConfig } from './config.js'
import { formatPlain, formatTitled } from './format.js'
import { Inbound, type TopicTextHandler } from './inbound.js'
import { describeError, redactToken, silentLogger, type TelegramLogger } from './logger.js'
import { OperationExecutor } from './operations.js'
import { OutboxWorker } from './outbox-worker.js'
import { Pairing } from './pairing.js'
import { Poller } from './poller.js'
import { TopicManager, chatLane } from './topics.js'

export interface TelegramServiceDeps {
  config: TelegramConfig
  stores: TelegramStores
  clock?: Clock
  logger?: TelegramLogger
}

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>

/** Settled outbox entries are kept this long (for `sm` and debugging), then pruned at start. */
const KEEP_SETTLED_MS = 7 * 24 * 3600_000

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
  private state: 'new' | 'running' | 'stopped' = 'new'

  constructor(private readonly deps: TelegramServiceDeps) {
    const { config, stores } = deps
    const logger = (this.logger = deps.logger ?? silentLogger)
    const clock = (this.clock = deps.clock ?? systemClock)
    const redact = (this.redact = redactToken(config.token))

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
    const executor = new OperationExecutor({ api: bot.api, topics: stores.topics, clock, logger, redact })
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

    bot.catch((err) => logger.error({ error: describeError(err.error, redact) }, 'telegram: update handling failed'))
    // one update at a time per chat: a topic's texts reach its session in order
    bot.use(sequentialize((ctx) => (ctx.chat === undefined ? undefined : String(ctx.chat.id))))
    bot.use(this.access.guard)
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
    this.safely('recover topics', () => this.topics.recover())
    this.worker.start()
    this.poller.start()
  }

  /** Stops polling and the worker (attempts in flight get a short grace) and closes every connection. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
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
    const [goodbye] = formatTitled('Session stopped.', `${session.name ?? session.id} [${session.id}] has ended.`)
    this.safely('queue topic close', () => this.topics.closeTopic(session, goodbye!))
  }

  /** A turn ended with `message` (Stop's last_assistant_message): posted in the topic, split as needed. */
  notifyTurnEnded(session: SessionRef, message: string): void {
    this.safely('queue turn message', () => this.topics.post(session, formatPlain(message)))
  }

  /** Text allowed users write in a session's topic; returns the handler's removal. */
  onTopicText(handler: TopicTextHandler): () => void {
    return this.inbound.onTopicText(handler)
  }

  /** A one-time pairing code (for `sm telegram pair`), valid `pairing.codeTtlSeconds`. */
  issuePairingCode(): { code: string; expiresAt: number } {
    return this.pairing.issue()
  }

  /** Whether `userId` may use the bot (config or pairing). */
  isAllowed(userId: number): boolean {
    return this.access.isAllowed(userId)
  }

  /** Polling restarts after a stall, since start. */
  get stallRestarts(): number {
    return this.poller.stallRestarts
  }

  private safely(what: string, work: () => unknown): void {
    try {
      work()
    } catch (err) {
      this.logger.error({ error: describeError(err, this.redact) }, `telegram: could not ${what}`)
    }
  }
}

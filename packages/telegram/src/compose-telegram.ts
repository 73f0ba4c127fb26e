import { NOTIFICATION_KINDS, type Clock, type Session } from '@claude-sessions/core'
import type { TelegramStores } from '@claude-sessions/core/telegram'
import { sequentialize } from '@grammyjs/runner'
import type { Transformer } from 'grammy'
import type { TelegramConfig } from './config.js'
import type { SessionControl } from './control.js'
import { Approvals } from './features/approvals.js'
import { CommandMenu } from './features/command-menu.js'
import { menuCommands } from './features/commands/catalog.js'
import { Inbound } from './features/inbound.js'
import { byOf, Interactions } from './features/interactions.js'
import { Notifications } from './features/notifications.js'
import type { NotifierConfig } from './features/notify/notifier.js'
import { Questions } from './features/questions.js'
import { Access } from './state/access.js'
import { Follows } from './state/follows.js'
import { Pairing } from './state/pairing.js'
import { chatLane, TopicManager } from './state/topics.js'
import { createBot } from './transport/bot.js'
import { ChatOutbox } from './transport/chat-outbox.js'
import { describeError, redactToken, silentLogger, type TelegramLogger } from './transport/logger.js'
import { OperationExecutor } from './transport/operations.js'
import { OutboxWorker } from './transport/outbox-worker.js'
import { Poller, type PollerTime } from './transport/poller.js'

/** Runs `work` after `ms`; `cancel()` stops it. */
export type Timer = (ms: number, work: () => void) => { cancel(): void }

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
  timer?: Timer
  /**
   * The poller's own time (its stall watchdog and restart backoff): monotonic, never `clock`
   * (which tests skip ahead). Default: performance.now and real timers.
   */
  pollerTime?: PollerTime
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

const systemTimer: Timer = (ms, work) => {
  const t = setTimeout(work, ms)
  t.unref()
  return { cancel: () => clearTimeout(t) }
}

const ALL_ON: NotifierConfig = { enabled: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as NotifierConfig['enabled'], quietHours: null }

type SessionRef = Pick<Session, 'id' | 'name' | 'workingDir'>

/** What the service calls back into while composing: making a session's topic (asked for by a command). */
export interface ComposeHooks {
  sessionStarted(session: SessionRef): void
}

/** The parts of a Telegram bot, wired together; `TelegramService` holds them and gives them their behaviour. */
export interface TelegramParts {
  logger: TelegramLogger
  clock: Clock
  redact: (text: string) => string
  access: Access
  pairing: Pairing
  inbound: Inbound
  topics: TopicManager
  worker: OutboxWorker
  poller: Poller
  /** Closes the bot's connections. */
  destroyBot: () => void
  chat: ChatOutbox
  follows: Follows
  notifications: Notifications
  approvals: Approvals
  questions: Questions
  /** How long approvals and questions wait for a press (`approval_wait_seconds`). */
  approvalWaitMs: number
  /** Commands, buttons and text for sessions: only with a `control`. */
  interactions: Interactions | undefined
  /** The `/` command menu: only with a `control`. */
  menu: CommandMenu | undefined
}

/**
 * Builds the bot and everything around it, nothing started: grammY with the poller's transformer,
 * the outbox worker and its executor, topics, access and pairing, notifications, approvals and
 * questions, and (with a `control`) commands, the command menu and text for sessions; then the
 * bot's middleware in order: error logging, one update at a time per chat, the access guard,
 * interactions, topic text.
 */
export function composeTelegram(deps: TelegramServiceDeps, hooks: ComposeHooks): TelegramParts {
  const { config, stores } = deps
  const logger = deps.logger ?? silentLogger
  const clock = deps.clock ?? systemClock
  const redact = redactToken(config.token)
  const timer = deps.timer ?? systemTimer
  const follows = new Follows(stores.follows, () => clock.now())

  let heldIds = 0
  const nextHeldId = () => `${(++heldIds).toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`

  let poller: Poller | undefined
  const pollTransformer = ((prev, method, payload, signal) => poller!.transformer(prev, method, payload, signal)) as Transformer
  const { bot, destroy } = createBot(config, [pollTransformer])
  poller = new Poller({
    bot,
    logger,
    redact,
    ...(deps.pollerTime !== undefined ? { time: deps.pollerTime } : {}),
    options: { pollTimeoutSeconds: config.pollTimeoutSeconds, stallMs: config.stallSeconds * 1000, stopGraceMs: config.outbox.stopGraceMs },
  })
  const executor = new OperationExecutor({ api: bot.api, topics: stores.topics, messageKeys: stores.messageKeys, clock, logger, redact })
  const worker = new OutboxWorker({ outbox: stores.outbox, executor, clock, logger, redact, options: config.outbox })
  const topics = new TopicManager({
    topics: stores.topics,
    outbox: stores.outbox,
    clock,
    logger,
    chatId: config.chatId,
    topicOnStop: config.topicOnStop,
    kick: () => worker.kick(),
  })
  const pairing = new Pairing(stores.access, clock, config.pairing)
  const access = new Access({
    chatId: config.chatId,
    allowedUserIds: config.allowedUserIds,
    store: stores.access,
    pairing,
    logger,
    now: () => clock.now(),
    onPaired: (to) => {
      const text = 'Paired: you can use this bot now.'
      stores.outbox.enqueue({
        lane: chatLane(to.chatId, to.threadId),
        operation: { kind: 'send_message', chatId: to.chatId, threadId: to.threadId, replyToMessageId: to.messageId, text },
        createdAt: clock.now(),
      })
      worker.kick()
    },
  })
  const inbound = new Inbound({ chatId: config.chatId, topics: stores.topics, logger, redact })
  const chat = new ChatOutbox({ outbox: stores.outbox, clock, kick: () => worker.kick() })
  const notifications = new Notifications({
    topics,
    follows,
    chat,
    control: deps.control,
    config: deps.notify ?? ALL_ON,
    clock,
    timer,
    onError: (error, sessionId) => logger.error({ sessionId, error: describeError(error, redact) }, 'telegram: a notification or status card failed'),
    ...(deps.notify?.quietHours?.timeZone !== undefined ? { timeZone: deps.notify.quietHours.timeZone } : {}),
    held: deps.stores.held,
  })
  const approvals = new Approvals({
    waitMs: config.approvalWaitSeconds * 1000,
    timer,
    nextId: nextHeldId,
    post: (request, message, buttons, key) =>
      notifications.notify(request.session, 'permission', `Permission: ${request.toolName}`, '', { buttons, key, messages: [message] }) === 'sent',
    edit: (request, key, message) => topics.edit(request.session, key, message, null),
  })
  const questions = new Questions({
    waitMs: config.approvalWaitSeconds * 1000,
    timer,
    nextId: nextHeldId,
    post: (request, message, buttons, key) =>
      notifications.notify(request.session, 'question', 'Question', '', { buttons, key, messages: [message] }) === 'sent',
    edit: (request, key, message, buttons) => topics.edit(request.session, key, message, buttons),
  })
  let interactions: Interactions | undefined
  let menu: CommandMenu | undefined
  const control = deps.control
  if (control !== undefined) {
    const composed = (interactions = new Interactions({
      chatId: config.chatId,
      topics: stores.topics,
      control,
      approvals,
      questions,
      follows,
      chat,
      messageKeys: stores.messageKeys,
      ensureTopic: (id) => hooks.sessionStarted(control.resolve(id)),
      logger,
      redact,
      now: () => clock.now(),
    }))
    menu = new CommandMenu({ api: bot.api, commands: menuCommands(), timer, logger, redact })
    // text in a session's topic: a message for the session, confirmed where it was written
    inbound.onTopicText((m) =>
      composed.sendText(m.sessionId, m.text, 'sequential', { chatId: m.chatId, threadId: m.threadId, messageId: m.messageId }, byOf(m.from)),
    )
  }

  bot.catch((err) => logger.error({ error: describeError(err.error, redact) }, 'telegram: update handling failed'))
  // one update at a time per chat: a topic's texts reach its session in order
  bot.use(sequentialize((ctx) => (ctx.chat === undefined ? undefined : String(ctx.chat.id))))
  bot.use(access.guard)
  if (interactions !== undefined) bot.use(interactions.composer())
  bot.use(inbound.composer())

  return { logger, clock, redact, access, pairing, inbound, topics, worker, poller, destroyBot: destroy, chat, follows, notifications, approvals, questions, approvalWaitMs: config.approvalWaitSeconds * 1000, interactions, menu }
}

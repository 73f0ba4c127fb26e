import type { TelegramAccessStore } from '@claude-sessions/core/telegram'
import type { Context, MiddlewareFn } from 'grammy'
import type { TelegramLogger } from '../transport/logger.js'
import { AttemptLimiter, type Pairing } from './pairing.js'

/** Where a paired user's confirmation goes. */
export interface PairedReply {
  chatId: number
  threadId: number | undefined
  messageId: number | undefined
}

export interface AccessOptions {
  /** The forum chat; besides it, only private chats with the bot are served. */
  chatId: number
  allowedUserIds: readonly number[]
  store: TelegramAccessStore
  pairing: Pairing
  logger: TelegramLogger
  now: () => number
  /** Called after a user paired, to confirm it to them (through the outbox). */
  onPaired: (reply: PairedReply) => void
}

/** The argument of `/pair <code>` (or `/pair@<this bot> <code>`), undefined for any other text. */
export function pairArgument(text: string | undefined, botUsername: string | undefined): string | undefined {
  const m = /^\/pair(?:@(\w+))?(?:\s+([\s\S]*))?$/i.exec(text?.trim() ?? '')
  if (!m) return undefined
  if (m[1] !== undefined && m[1].toLowerCase() !== botUsername?.toLowerCase()) return undefined
  return (m[2] ?? '').trim()
}

/** The update's type (`message`, `callback_query`, ...), for logs. */
export const updateKind = (update: object): string => Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown'

/**
 * Deny by default. Allowed: users in the config and users added by pairing, in the forum chat or
 * a private chat with the bot. Every update — messages, commands, button presses, anything else
 * — passes `guard` before any handler; others get no answer (no API call at all) and one log
 * line. A stranger's `/pair <code>` is the one exception: it is rate-limited, and a valid code
 * adds them.
 */
export class Access {
  private readonly configured: ReadonlySet<number>
  /** Refusals logged per user: a stranger flooding the bot cannot flood the log. */
  private readonly refusalLog = new AttemptLimiter(20, 600_000)

  constructor(private readonly options: AccessOptions) {
    this.configured = new Set(options.allowedUserIds)
  }

  isAllowed(userId: number): boolean {
    return this.configured.has(userId) || this.options.store.isAllowed(userId)
  }

  /** Whether anyone at all may use the bot. */
  hasAnyone(): boolean {
    return this.configured.size > 0 || this.options.store.users().length > 0
  }

  readonly guard: MiddlewareFn<Context> = async (ctx, next) => {
    const { logger, chatId } = this.options
    const from = ctx.from
    const chat = ctx.chat
    const update = updateKind(ctx.update)
    if (from === undefined || from.is_bot) {
      logger.debug({ update }, 'telegram: ignored an update without a user')
      return
    }
    const who = { userId: from.id, username: from.username ?? null, chatId: chat?.id ?? null, update }
    const refuse = (msg: string, extra: object = {}) => {
      const level = this.refusalLog.take(from.id, this.options.now()) ? 'warn' : 'debug'
      logger[level]({ ...who, ...extra }, msg)
    }
    if (chat === undefined || (chat.type !== 'private' && chat.id !== chatId)) return refuse('telegram: ignored an update from another chat')
    if (this.isAllowed(from.id)) return next()
    const typed = pairArgument(ctx.message?.text, ctx.me?.username)
    if (typed === undefined) return refuse('telegram: ignored an update from a user who is not allowed')
    const result = this.options.pairing.attempt(from, typed)
    if (result !== 'paired') return refuse('telegram: pairing refused', { result })
    logger.info(who, 'telegram: user paired')
    this.options.onPaired({ chatId: chat.id, threadId: ctx.message?.message_thread_id, messageId: ctx.message?.message_id })
  }
}

import { autoRetry } from '@grammyjs/auto-retry'
import { apiThrottler } from '@grammyjs/transformer-throttler'
import { Bot, type Context, type Transformer } from 'grammy'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { TelegramConfig } from '../config.js'
import { OperationFailure } from './telegram-errors.js'

export interface CreatedBot {
  bot: Bot<Context>
  /** Closes the bot's connections (keep-alive sockets included). */
  destroy(): void
}

/**
 * A request whose signal was aborted before it left (e.g. while the throttler held it) fails
 * here, before any connection: provably not sent, so it is safe to try again later.
 */
const notSentOnceAborted: Transformer = (prev, method, payload, signal) => {
  if (signal?.aborted) return Promise.reject(new OperationFailure({ kind: 'retry', message: `${method} not sent: stopping` }))
  return prev(method, payload, signal)
}

/**
 * The grammY bot: its own HTTP agent (so `destroy()` leaves no socket behind), a request
 * timeout, and the API transformers, innermost first: `inner` (e.g. the poller's), the abort
 * check, the throttler (when configured) and auto-retry for 429 flood waits up to
 * `maxFloodWaitSeconds` (longer ones, network errors and 5xx go back to the outbox, which
 * retries them with its own persisted backoff).
 */
export function createBot(config: TelegramConfig, inner: readonly Transformer[] = []): CreatedBot {
  const agent = config.apiRoot.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true })
  const bot = new Bot<Context>(config.token, {
    client: {
      apiRoot: config.apiRoot,
      timeoutSeconds: config.requestTimeoutSeconds,
      baseFetchConfig: { agent, compress: true },
    },
  })
  for (const t of inner) bot.api.config.use(t)
  bot.api.config.use(notSentOnceAborted)
  if (config.throttle) bot.api.config.use(apiThrottler())
  bot.api.config.use(
    autoRetry({
      maxDelaySeconds: config.maxFloodWaitSeconds,
      maxRetryAttempts: 3,
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: true,
    }),
  )
  return { bot, destroy: () => agent.destroy() }
}

import { SessionsError } from '@claude-sessions/core'

/** What happens to a session's topic when the session stops (after a short goodbye). */
export type TopicOnStop = 'close' | 'delete' | 'keep'

export interface OutboxOptions {
  /** Attempts per operation before it is marked failed. */
  maxAttempts: number
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs: number
  maxBackoffMs: number
  /** How long `stop()` lets attempts in flight finish before aborting them. */
  stopGraceMs: number
  /** Lanes with an attempt in flight at once. */
  concurrency: number
}

export interface PairingOptions {
  /** How long a pairing code is valid. */
  codeTtlSeconds: number
  /** `/pair` attempts one user may make per window; more are ignored (and logged). */
  maxAttempts: number
  windowSeconds: number
}

export interface TelegramConfig {
  /** The bot token. Never logged. */
  token: string
  /** The forum supergroup holding one topic per session (-100...). */
  chatId: number
  /** Users allowed besides those added by pairing. Empty (and nobody paired): nobody. */
  allowedUserIds: readonly number[]
  /** The Bot API root, without a trailing slash. */
  apiRoot: string
  topicOnStop: TopicOnStop
  /** How long a permission request waits for a button press (used by the approval flow). */
  approvalWaitSeconds: number
  /** Long-polling timeout of one getUpdates call. */
  pollTimeoutSeconds: number
  /** Polling restarts when no getUpdates call has completed for this long. */
  stallSeconds: number
  /** Any Bot API request is aborted after this long. */
  requestTimeoutSeconds: number
  /** Pace sends the way Telegram asks (grammY's throttler: about 1/s and 20/min per group). */
  throttle: boolean
  /** A 429 asking to wait up to this long is waited out in-process (auto-retry); longer waits reschedule the operation. */
  maxFloodWaitSeconds: number
  outbox: OutboxOptions
  pairing: PairingOptions
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends readonly unknown[] ? T[K] : Partial<T[K]>) : T[K] }

/** The config as given: only the chat is required; the token may come from the environment. */
export type TelegramConfigInput = DeepPartial<Omit<TelegramConfig, 'chatId'>> & { chatId: number }

export const TOKEN_ENV = 'CLAUDE_SESSIONS_TELEGRAM_TOKEN'

export const TELEGRAM_DEFAULTS: Omit<TelegramConfig, 'token' | 'chatId'> = {
  allowedUserIds: [],
  apiRoot: 'https://api.telegram.org',
  topicOnStop: 'close',
  approvalWaitSeconds: 120,
  pollTimeoutSeconds: 30,
  stallSeconds: 45,
  requestTimeoutSeconds: 60,
  throttle: true,
  maxFloodWaitSeconds: 30,
  outbox: { maxAttempts: 10, baseBackoffMs: 1_000, maxBackoffMs: 300_000, stopGraceMs: 3_000, concurrency: 4 },
  pairing: { codeTtlSeconds: 600, maxAttempts: 5, windowSeconds: 600 },
}

const TOKEN_SHAPE = /^\d+:[A-Za-z0-9_-]+$/

/**
 * The full config: defaults filled in, the token from `env[CLAUDE_SESSIONS_TELEGRAM_TOKEN]`
 * when the input has none (the environment wins when both are set). Every problem is reported
 * at once, as one `invalid_input` error; the token itself never appears in a message.
 */
export function resolveTelegramConfig(input: TelegramConfigInput, env: Record<string, string | undefined> = {}): TelegramConfig {
  const config: TelegramConfig = {
    ...TELEGRAM_DEFAULTS,
    ...stripUndefined(input),
    token: env[TOKEN_ENV] ?? input.token ?? '',
    chatId: input.chatId,
    allowedUserIds: [...(input.allowedUserIds ?? TELEGRAM_DEFAULTS.allowedUserIds)],
    outbox: { ...TELEGRAM_DEFAULTS.outbox, ...stripUndefined(input.outbox ?? {}) },
    pairing: { ...TELEGRAM_DEFAULTS.pairing, ...stripUndefined(input.pairing ?? {}) },
  }
  const problems = problemsOf(config)
  if (problems.length > 0) throw new SessionsError('invalid_input', `telegram config: ${problems.join('; ')}`)
  return config
}

function problemsOf(c: TelegramConfig): string[] {
  const problems: string[] = []
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) problems.push(`${name} must be a positive number`)
  }
  if (c.token === '') problems.push(`token is missing (config telegram.token or ${TOKEN_ENV})`)
  else if (!TOKEN_SHAPE.test(c.token)) problems.push('token is not a bot token (<digits>:<letters>)')
  if (!Number.isSafeInteger(c.chatId) || c.chatId === 0) problems.push('chat_id must be a non-zero integer')
  for (const id of c.allowedUserIds) {
    if (!Number.isSafeInteger(id) || id <= 0) problems.push(`allowed_user_ids: ${String(id)} is not a user id`)
  }
  if (!/^https?:\/\/[^\s]+$/.test(c.apiRoot) || c.apiRoot.endsWith('/')) problems.push('api_root must be an http(s) URL without a trailing slash')
  if (!['close', 'delete', 'keep'].includes(c.topicOnStop)) problems.push('topic_on_stop must be close, delete or keep')
  positive('approval_wait_seconds', c.approvalWaitSeconds)
  if (!Number.isInteger(c.pollTimeoutSeconds) || c.pollTimeoutSeconds < 1) problems.push('poll_timeout_seconds must be an integer >= 1')
  if (!(c.stallSeconds > c.pollTimeoutSeconds)) problems.push('stall_seconds must be more than poll_timeout_seconds')
  if (!(c.requestTimeoutSeconds > c.pollTimeoutSeconds)) problems.push('request_timeout_seconds must be more than poll_timeout_seconds')
  if (!(c.maxFloodWaitSeconds >= 0)) problems.push('max_flood_wait_seconds must be >= 0')
  if (!Number.isInteger(c.outbox.maxAttempts) || c.outbox.maxAttempts < 1) problems.push('outbox.max_attempts must be an integer >= 1')
  positive('outbox.base_backoff_ms', c.outbox.baseBackoffMs)
  if (!(c.outbox.maxBackoffMs >= c.outbox.baseBackoffMs)) problems.push('outbox.max_backoff_ms must be >= outbox.base_backoff_ms')
  if (!(c.outbox.stopGraceMs >= 0)) problems.push('outbox.stop_grace_ms must be >= 0')
  if (!Number.isInteger(c.outbox.concurrency) || c.outbox.concurrency < 1) problems.push('outbox.concurrency must be an integer >= 1')
  positive('pairing.code_ttl_seconds', c.pairing.codeTtlSeconds)
  if (!Number.isInteger(c.pairing.maxAttempts) || c.pairing.maxAttempts < 1) problems.push('pairing.max_attempts must be an integer >= 1')
  positive('pairing.window_seconds', c.pairing.windowSeconds)
  return problems
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

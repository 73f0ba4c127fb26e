/** Telegram: follow and drive sessions from a phone. */
export { resolveTelegramConfig, TELEGRAM_DEFAULTS, TOKEN_ENV } from './config.js'
export type { OutboxOptions, PairingOptions, TelegramConfig, TelegramConfigInput, TopicOnStop } from './config.js'
export { escapeHtml, formatPlain, formatTitled, splitText, topicName, MESSAGE_LIMIT, CHUNK_LIMIT } from './format.js'
export type { FormattedMessage } from './format.js'
export type { TopicText, TopicTextHandler } from './inbound.js'
export { silentLogger } from './logger.js'
export type { TelegramLogger } from './logger.js'
export { TelegramService, systemClock } from './service.js'
export type { TelegramServiceDeps } from './service.js'
export { chatLane, topicLane } from './topics.js'

export const TELEGRAM_PACKAGE = '@claude-sessions/telegram'

// The Telegram stores' fakes and contract suites (@claude-sessions/core/telegram/testing).
export { InMemoryTelegramAccess, InMemoryTelegramFollows, InMemoryTelegramHeld, InMemoryTelegramMessageKeys, InMemoryTelegramTopics, inMemoryTelegramStores } from './in-memory-telegram.js'
export { InMemoryTelegramOutbox } from './in-memory-telegram-outbox.js'
export { aHeldNotification, aNewOutboxEntry, aSendOperation, aTelegramUser } from './telegram-builders.js'
export { telegramAccessContract, telegramTopicContract } from './telegram-contract.js'
export { telegramMessageKeysContract, telegramOutboxContract } from './telegram-outbox-contract.js'
export { telegramFollowsContract, telegramHeldContract } from './telegram-follows-contract.js'

// The Telegram stores' fakes and contract suites (one export line in index.ts).
export { InMemoryTelegramAccess, InMemoryTelegramFollows, InMemoryTelegramHeld, InMemoryTelegramMessageKeys, InMemoryTelegramOutbox, InMemoryTelegramTopics, inMemoryTelegramStores } from './in-memory-telegram.js'
export { aHeldNotification, aNewOutboxEntry, aSendOperation, aTelegramUser, telegramAccessContract, telegramFollowsContract, telegramHeldContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from './telegram-contract.js'

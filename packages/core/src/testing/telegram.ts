// The Telegram stores' fakes and contract suites (one export line in index.ts).
export { InMemoryTelegramAccess, InMemoryTelegramFollows, InMemoryTelegramMessageKeys, InMemoryTelegramOutbox, InMemoryTelegramTopics, inMemoryTelegramStores } from './in-memory-telegram.js'
export { aNewOutboxEntry, aSendOperation, aTelegramUser, telegramAccessContract, telegramFollowsContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from './telegram-contract.js'

// The Telegram stores' fakes and contract suites (one export line in index.ts).
export { InMemoryTelegramAccess, InMemoryTelegramMessageKeys, InMemoryTelegramOutbox, InMemoryTelegramTopics, inMemoryTelegramStores } from './in-memory-telegram.js'
export { aNewOutboxEntry, aSendOperation, aTelegramUser, telegramAccessContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from './telegram-contract.js'

import { InMemoryTelegramAccess, InMemoryTelegramFollows, InMemoryTelegramHeld, InMemoryTelegramMessageKeys, InMemoryTelegramOutbox, InMemoryTelegramTopics } from './telegram.js'
import { telegramAccessContract, telegramFollowsContract, telegramHeldContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from './telegram.js'

telegramAccessContract('in-memory telegram access', () => new InMemoryTelegramAccess())
telegramTopicContract('in-memory telegram topics', () => new InMemoryTelegramTopics())
telegramOutboxContract('in-memory telegram outbox', () => new InMemoryTelegramOutbox())
telegramMessageKeysContract('in-memory telegram message keys', () => new InMemoryTelegramMessageKeys())
telegramFollowsContract('in-memory telegram follows', () => new InMemoryTelegramFollows())
telegramHeldContract('in-memory telegram held notifications', () => new InMemoryTelegramHeld())

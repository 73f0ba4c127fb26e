import { InMemoryTelegramAccess, InMemoryTelegramFollows, InMemoryTelegramHeld, InMemoryTelegramMessageKeys, InMemoryTelegramOutbox, InMemoryTelegramTopics } from './in-memory-telegram.js'
import { telegramAccessContract, telegramFollowsContract, telegramHeldContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from './telegram-contract.js'

telegramAccessContract('in-memory telegram access', () => new InMemoryTelegramAccess())
telegramTopicContract('in-memory telegram topics', () => new InMemoryTelegramTopics())
telegramOutboxContract('in-memory telegram outbox', () => new InMemoryTelegramOutbox())
telegramMessageKeysContract('in-memory telegram message keys', () => new InMemoryTelegramMessageKeys())
telegramFollowsContract('in-memory telegram follows', () => new InMemoryTelegramFollows())
telegramHeldContract('in-memory telegram held notifications', () => new InMemoryTelegramHeld())

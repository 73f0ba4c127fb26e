import { InMemoryTelegramAccess, InMemoryTelegramOutbox, InMemoryTelegramTopics } from './in-memory-telegram.js'
import { telegramAccessContract, telegramOutboxContract, telegramTopicContract } from './telegram-contract.js'

telegramAccessContract('in-memory telegram access', () => new InMemoryTelegramAccess())
telegramTopicContract('in-memory telegram topics', () => new InMemoryTelegramTopics())
telegramOutboxContract('in-memory telegram outbox', () => new InMemoryTelegramOutbox())

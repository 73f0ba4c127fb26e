import { SessionsError } from '@claude-sessions/core'
import { type ListTopicsFilter, type ReserveTopic, type TelegramTopic, type TelegramTopicStatus, type TelegramTopicStore } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { isUniqueViolation, storeCall, toSessionsError } from './sqlite-errors.js'

/** The select list of a whole TelegramTopic, each column named as its field. */
const COLUMNS = `chat_id AS chatId, session_id AS sessionId, thread_id AS threadId, name, status,
  status_message_id AS statusMessageId, create_attempts AS createAttempts, error,
  created_at AS createdAt, updated_at AS updatedAt`

const KEY = 'chat_id = @chatId AND session_id = @sessionId'

type Key = { chatId: number; sessionId: string }

/**
 * TelegramTopicStore on `telegram_topics`. (chat_id, session_id) is the primary key, so a topic
 * row is reserved at most once however often (or from however many restarts) it is asked for;
 * every state change is one conditional UPDATE. Unbuffered: each write has committed on return.
 * Listing is in insertion (rowid) order.
 */
export class SqliteTelegramTopics implements TelegramTopicStore {
  private readonly insertReserved
  private readonly byKey
  private readonly byThreadId
  private readonly setName
  private readonly toCreating
  private readonly toOpen
  private readonly toStatus
  private readonly toReserved
  private readonly setCard
  private readonly lists = new Map<string, Database.Statement<Record<string, unknown>, TelegramTopic>>()

  constructor(private readonly sqlite: Database.Database) {
    this.insertReserved = sqlite.prepare<ReserveTopic>(
      `INSERT INTO telegram_topics (chat_id, session_id, name, status, create_attempts, created_at, updated_at)
       VALUES (@chatId, @sessionId, @name, 'reserved', 0, @at, @at) ON CONFLICT DO NOTHING`,
    )
    this.byKey = sqlite.prepare<Key, TelegramTopic>(`SELECT ${COLUMNS} FROM telegram_topics WHERE ${KEY}`)
    this.byThreadId = sqlite.prepare<{ chatId: number; threadId: number }, TelegramTopic>(
      `SELECT ${COLUMNS} FROM telegram_topics WHERE chat_id = @chatId AND thread_id = @threadId`,
    )
    this.setName = sqlite.prepare<Key & { name: string; at: number }>(
      `UPDATE telegram_topics SET name = @name, updated_at = @at WHERE ${KEY}`,
    )
    this.toCreating = sqlite.prepare<Key & { at: number }>(
      `UPDATE telegram_topics SET status = 'creating', create_attempts = create_attempts + 1, updated_at = @at
       WHERE ${KEY} AND status = 'reserved'`,
    )
    this.toOpen = sqlite.prepare<Key & { threadId: number; at: number }>(
      `UPDATE telegram_topics SET status = 'open', thread_id = @threadId, error = NULL, updated_at = @at
       WHERE ${KEY} AND status = 'creating'`,
    )
    this.toStatus = sqlite.prepare<Key & { status: string; error: string | null; at: number }>(
      `UPDATE telegram_topics SET status = @status, error = @error, updated_at = @at WHERE ${KEY}`,
    )
    this.toReserved = sqlite.prepare<Key & { error: string | null; at: number }>(
      `UPDATE telegram_topics SET status = 'reserved', error = @error, updated_at = @at
       WHERE ${KEY} AND status IN ('creating', 'failed')`,
    )
    this.setCard = sqlite.prepare<Key & { messageId: number | null; at: number }>(
      `UPDATE telegram_topics SET status_message_id = @messageId, updated_at = @at WHERE ${KEY}`,
    )
  }

  reserve(topic: ReserveTopic): { topic: TelegramTopic; created: boolean } {
    return storeCall('reserve telegram topic', () => {
      const created = this.insertReserved.run(topic).changes === 1
      return { topic: this.byKey.get(topic)!, created }
    })
  }

  get(chatId: number, sessionId: string): TelegramTopic | undefined {
    return storeCall('read telegram topic', () => this.byKey.get({ chatId, sessionId }))
  }

  byThread(chatId: number, threadId: number): TelegramTopic | undefined {
    return storeCall('read telegram topic by thread', () => this.byThreadId.get({ chatId, threadId }))
  }

  list(filter: ListTopicsFilter = {}): TelegramTopic[] {
    const where: string[] = []
    const params: Record<string, unknown> = {}
    if (filter.chatId !== undefined) (where.push('chat_id = @chatId'), (params['chatId'] = filter.chatId))
    if (filter.sessionId !== undefined) (where.push('session_id = @sessionId'), (params['sessionId'] = filter.sessionId))
    if (filter.status !== undefined) (where.push('status = @status'), (params['status'] = filter.status))
    const key = where.join(' AND ')
    let statement = this.lists.get(key)
    if (statement === undefined) {
      statement = this.sqlite.prepare(`SELECT ${COLUMNS} FROM telegram_topics ${key ? `WHERE ${key}` : ''} ORDER BY rowid`)
      this.lists.set(key, statement)
    }
    const query = statement
    return storeCall('list telegram topics', () => query.all(params))
  }

  rename(chatId: number, sessionId: string, name: string, at: number): boolean {
    return storeCall('rename telegram topic', () => this.setName.run({ chatId, sessionId, name, at }).changes === 1)
  }

  beginCreate(chatId: number, sessionId: string, at: number): TelegramTopic | undefined {
    return storeCall('begin telegram topic creation', () =>
      this.toCreating.run({ chatId, sessionId, at }).changes === 1 ? this.byKey.get({ chatId, sessionId }) : undefined,
    )
  }

  confirmCreated(chatId: number, sessionId: string, threadId: number, at: number): boolean {
    try {
      return this.toOpen.run({ chatId, sessionId, threadId, at }).changes === 1
    } catch (err) {
      if (isUniqueViolation(err, 'telegram_topics.thread_id')) {
        throw new SessionsError('invalid_input', `thread ${threadId} of chat ${chatId} belongs to another topic`, { cause: err })
      }
      throw toSessionsError('confirm telegram topic', err)
    }
  }

  setStatus(
    chatId: number,
    sessionId: string,
    status: Exclude<TelegramTopicStatus, 'reserved' | 'creating'>,
    at: number,
    error: string | null = null,
  ): boolean {
    if ((status as TelegramTopicStatus) === 'reserved' || (status as TelegramTopicStatus) === 'creating') return false
    return storeCall('set telegram topic status', () => this.toStatus.run({ chatId, sessionId, status, error, at }).changes === 1)
  }

  retryCreate(chatId: number, sessionId: string, at: number, error: string | null = null): boolean {
    return storeCall('retry telegram topic', () => this.toReserved.run({ chatId, sessionId, error, at }).changes === 1)
  }

  setStatusMessage(chatId: number, sessionId: string, messageId: number | null, at: number): boolean {
    return storeCall('set telegram status card', () => this.setCard.run({ chatId, sessionId, messageId, at }).changes === 1)
  }
}

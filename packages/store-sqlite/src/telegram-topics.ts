import { SessionsError } from '@claude-sessions/core'
import { type ListTopicsFilter, type ReserveTopic, type TelegramTopic, type TelegramTopicStatus, type TelegramTopicStore } from '@claude-sessions/core/telegram'
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { telegramTopics as topics } from './schema.js'
import { isUniqueViolation, storeCall, toSessionsError } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)
/** A placeholder as a SET value. */
const value = (name: string) => sql`${p(name)}`

const KEY = and(eq(topics.chatId, p('chatId')), eq(topics.sessionId, p('sessionId')))

type ListShape = Pick<ListTopicsFilter, 'chatId' | 'sessionId' | 'status'>

/**
 * TelegramTopicStore on `telegram_topics`. (chat_id, session_id) is the primary key, so a topic
 * row is reserved at most once however often (or from however many restarts) it is asked for;
 * every state change is one conditional UPDATE. Unbuffered: each write has committed on return.
 * Listing is in insertion (rowid) order; `list` prepares one statement per filter shape, on first use.
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
  private readonly lists = new Map<string, ReturnType<SqliteTelegramTopics['prepareList']>>()

  constructor(private readonly db: BetterSQLite3Database) {
    this.insertReserved = db
      .insert(topics)
      .values({
        chatId: p('chatId'),
        sessionId: p('sessionId'),
        name: p('name'),
        status: 'reserved',
        createAttempts: 0,
        createdAt: p('at'),
        updatedAt: p('at'),
      })
      .onConflictDoNothing()
      .prepare()
    this.byKey = db.select().from(topics).where(KEY).prepare()
    this.byThreadId = db
      .select()
      .from(topics)
      .where(and(eq(topics.chatId, p('chatId')), eq(topics.threadId, p('threadId'))))
      .prepare()
    this.setName = db
      .update(topics)
      .set({ name: value('name'), updatedAt: value('at') })
      .where(KEY)
      .prepare()
    this.toCreating = db
      .update(topics)
      .set({ status: 'creating', createAttempts: sql`${topics.createAttempts} + 1`, updatedAt: value('at') })
      .where(and(KEY, eq(topics.status, 'reserved')))
      .prepare()
    this.toOpen = db
      .update(topics)
      .set({ status: 'open', threadId: value('threadId'), error: sql`NULL`, updatedAt: value('at') })
      .where(and(KEY, eq(topics.status, 'creating')))
      .prepare()
    this.toStatus = db
      .update(topics)
      .set({ status: value('status'), error: value('error'), updatedAt: value('at') })
      .where(KEY)
      .prepare()
    this.toReserved = db
      .update(topics)
      .set({ status: 'reserved', error: value('error'), updatedAt: value('at') })
      .where(and(KEY, inArray(topics.status, ['creating', 'failed'])))
      .prepare()
    this.setCard = db
      .update(topics)
      .set({ statusMessageId: value('messageId'), updatedAt: value('at') })
      .where(KEY)
      .prepare()
  }

  reserve(topic: ReserveTopic): { topic: TelegramTopic; created: boolean } {
    return storeCall('reserve telegram topic', () => {
      const { chatId, sessionId, name, at } = topic
      const created = this.insertReserved.run({ chatId, sessionId, name, at }).changes === 1
      return { topic: this.byKey.get({ chatId, sessionId })!, created }
    })
  }

  get(chatId: number, sessionId: string): TelegramTopic | undefined {
    return storeCall('read telegram topic', () => this.byKey.get({ chatId, sessionId }))
  }

  byThread(chatId: number, threadId: number): TelegramTopic | undefined {
    return storeCall('read telegram topic by thread', () => this.byThreadId.get({ chatId, threadId }))
  }

  list(filter: ListTopicsFilter = {}): TelegramTopic[] {
    const shape: ListShape = { chatId: filter.chatId, sessionId: filter.sessionId, status: filter.status }
    const key = `${+(shape.chatId !== undefined)}${+(shape.sessionId !== undefined)}${+(shape.status !== undefined)}`
    let query = this.lists.get(key)
    if (query === undefined) {
      query = this.prepareList(shape)
      this.lists.set(key, query)
    }
    const params: Record<string, unknown> = {}
    if (filter.chatId !== undefined) params['chatId'] = filter.chatId
    if (filter.sessionId !== undefined) params['sessionId'] = filter.sessionId
    if (filter.status !== undefined) params['status'] = filter.status
    const statement = query
    return storeCall('list telegram topics', () => statement.all(params))
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

  private prepareList(shape: ListShape) {
    const where: SQL[] = []
    if (shape.chatId !== undefined) where.push(eq(topics.chatId, p('chatId')))
    if (shape.sessionId !== undefined) where.push(eq(topics.sessionId, p('sessionId')))
    if (shape.status !== undefined) where.push(eq(topics.status, p('status')))
    return this.db
      .select()
      .from(topics)
      .where(and(...where))
      .orderBy(sql`rowid`)
      .prepare()
  }
}

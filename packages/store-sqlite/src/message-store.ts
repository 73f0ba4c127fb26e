import type { DeliveryVia, ListMessagesFilter, Message, MessageStore, NewMessage } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, asc, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { messages } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

const isQueued = sql`${messages.status} = 'queued'`

/** The select list of a whole Message: every column, named as its field. */
const MESSAGE_COLUMNS = Object.entries(getTableColumns(messages))
  .map(([field, column]) => `"${column.name}" AS "${field}"`)
  .join(', ')

type ListShape = Pick<ListMessagesFilter, 'recipientId' | 'senderId' | 'status'> & { limited: boolean }

type MessageRow = typeof messages.$inferSelect

/**
 * A row as a Message. A message has one time for how it went: `delivered_at` holds when it was
 * delivered or failed and, while it is still queued, when typing of it began (`typingSince`);
 * the two never coexist, so they share the column (and no migration was needed).
 */
function toMessage(row: MessageRow): Message {
  if (row.status === 'queued') return { ...row, deliveredAt: null, typingSince: row.deliveredAt }
  return { ...row, typingSince: null }
}

/**
 * MessageStore on the `messages` table. Nothing is buffered: every write is one statement that
 * has committed when the call returns (so a message is on disk before delivery is tried, and a
 * restart finds every queued one). Statements are prepared once; `list` prepares one per filter
 * shape, on first use. The queue reads (on every hook that can carry a message) name the partial
 * index of queued rows: without statistics SQLite would pick a full index and walk the recipient's
 * whole history. `markTyping` notes in `delivered_at` when typing of a queued message began (see
 * toMessage). A message settles once: `markDelivered`/`markFailed` are each a single
 * `UPDATE ... WHERE id = ? AND status = 'queued'`. A failed message's `deliveredAt` is when it failed.
 */
export class SqliteMessageStore implements MessageStore {
  private readonly insertOne
  private readonly byId
  private readonly queuedOf
  private readonly queuedRecipients
  private readonly setTyping
  private readonly setDelivered
  private readonly setFailed
  private readonly lists = new Map<string, ReturnType<SqliteMessageStore['prepareList']>>()

  constructor(
    sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
  ) {
    this.insertOne = db
      .insert(messages)
      .values({
        recipientId: p('recipientId'),
        senderId: p('senderId'),
        senderName: p('senderName'),
        text: p('text'),
        mode: p('mode'),
        status: 'queued',
        createdAt: p('createdAt'),
      })
      .prepare()
    this.byId = db.select().from(messages).where(eq(messages.id, p('id'))).prepare()
    // raw: 2.0× faster than drizzle here, bench/store-idiom.mjs (the hooks of a session with mail waiting).
    // Both name the partial index (preparing fails if it is missing), which drizzle can't say: it has
    // no INDEXED BY, and over an SQL fragment in FROM it refuses the table's columns.
    this.queuedOf = sqlite.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY messages_queued_idx WHERE recipient_id = ? AND status = 'queued' ORDER BY id`,
    )
    // raw because drizzle can't say INDEXED BY (above); runs once, at start-up
    this.queuedRecipients = sqlite
      .prepare<[], string>(
        `SELECT recipient_id FROM messages INDEXED BY messages_queued_idx WHERE status = 'queued' GROUP BY recipient_id ORDER BY min(id)`,
      )
      .pluck()
    const settles = and(eq(messages.id, p('id')), isQueued)
    this.setTyping = db
      .update(messages)
      .set({ deliveredAt: sql`${p('at')}` })
      .where(settles)
      .prepare()
    this.setDelivered = db
      .update(messages)
      .set({ status: 'delivered', via: sql`${p('via')}`, deliveredAt: sql`${p('at')}` })
      .where(settles)
      .prepare()
    this.setFailed = db
      .update(messages)
      .set({ status: 'failed', error: sql`${p('error')}`, deliveredAt: sql`${p('at')}` })
      .where(settles)
      .prepare()
  }

  insert(message: NewMessage): Message {
    const row = {
      recipientId: message.recipientId,
      senderId: message.senderId ?? null,
      senderName: message.senderName ?? null,
      text: message.text,
      mode: message.mode,
      createdAt: message.createdAt,
    }
    const { lastInsertRowid } = storeCall('insert message', () => this.insertOne.run(row))
    return { id: Number(lastInsertRowid), ...row, status: 'queued', deliveredAt: null, via: null, error: null, typingSince: null }
  }

  get(id: number): Message | undefined {
    const row = storeCall('get message', () => this.byId.get({ id }))
    return row === undefined ? undefined : toMessage(row)
  }

  queued(recipientId: string): Message[] {
    return storeCall('list queued messages', () => this.queuedOf.all(recipientId)).map(toMessage)
  }

  /** Distinct, in the order of each recipient's oldest queued message. */
  recipientsWithQueued(): string[] {
    return storeCall('list recipients with queued messages', () => this.queuedRecipients.all())
  }

  markTyping(id: number, at: number): boolean {
    return storeCall('mark message typing', () => this.setTyping.run({ id, at }).changes === 1)
  }

  markDelivered(id: number, via: DeliveryVia, at: number): boolean {
    return storeCall('mark message delivered', () => this.setDelivered.run({ id, via, at }).changes === 1)
  }

  markFailed(id: number, error: string, at: number): boolean {
    return storeCall('mark message failed', () => this.setFailed.run({ id, error, at }).changes === 1)
  }

  /** A `limit` that is not positive means no limit (as in the in-memory store). */
  list(filter: ListMessagesFilter = {}): Message[] {
    const limited = filter.limit !== undefined && filter.limit > 0
    const shape: ListShape = { recipientId: filter.recipientId, senderId: filter.senderId, status: filter.status, limited }
    const key = `${+(shape.recipientId !== undefined)}${+(shape.senderId !== undefined)}${+(shape.status !== undefined)}${+limited}`
    let query = this.lists.get(key)
    if (query === undefined) {
      query = this.prepareList(shape)
      this.lists.set(key, query)
    }
    const params: Record<string, unknown> = {}
    if (filter.recipientId !== undefined) params['recipientId'] = filter.recipientId
    if (filter.senderId !== undefined) params['senderId'] = filter.senderId
    if (filter.status !== undefined) params['status'] = filter.status
    if (limited) params['limit'] = filter.limit
    const rows = storeCall('list messages', () => query.all(params)).map(toMessage)
    // limited: the newest first, to stop after `limit` rows
    return limited ? rows.reverse() : rows
  }

  private prepareList(shape: ListShape) {
    const where: SQL[] = []
    if (shape.recipientId !== undefined) where.push(eq(messages.recipientId, p('recipientId')))
    if (shape.senderId !== undefined) where.push(eq(messages.senderId, p('senderId')))
    if (shape.status !== undefined) where.push(eq(messages.status, p('status')))
    const query = this.db.select().from(messages).where(and(...where))
    return shape.limited ? query.orderBy(desc(messages.id)).limit(p('limit')).prepare() : query.orderBy(asc(messages.id)).prepare()
  }
}

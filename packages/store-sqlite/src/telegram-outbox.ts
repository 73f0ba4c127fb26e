import type { ListOutboxFilter, NewOutboxEntry, OutboxEntry, TelegramOperation, TelegramOutbox } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { and, asc, desc, eq, lt, lte, min, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { alias } from 'drizzle-orm/sqlite-core'
import { telegramOutbox as outbox } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)
/** A placeholder as a SET value. */
const value = (name: string) => sql`${p(name)}`

/** The outer table of the lane-head queries (the subquery reads the table again, as `i`). */
const o = alias(outbox, 'o')

type Outbox = typeof outbox | typeof o

/** The select list of an entry (all but `kind`, which repeats the operation's). */
const entryOf = (t: Outbox) => ({
  id: t.id,
  lane: t.lane,
  operation: t.operation,
  status: t.status,
  attempts: t.attempts,
  nextAttemptAt: t.nextAttemptAt,
  lastError: t.lastError,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
})

type Row = Omit<typeof outbox.$inferSelect, 'kind'>

const toEntry = (r: Row): OutboxEntry => ({ ...r, operation: JSON.parse(r.operation) as TelegramOperation })

// Status conditions are literals, not bound: SQLite can match a partial index's WHERE (open
// entries, settled ones) against a literal, never against a parameter.
const isPending = (t: Outbox) => sql`${t.status} = 'pending'`
const isSending = (t: Outbox) => sql`${t.status} = 'sending'`
const isOpen = (t: Outbox) => sql`${t.status} IN ('pending', 'sending')`
const isSettled = (t: Outbox) => sql`${t.status} IN ('done', 'failed')`

/**
 * `o` is the oldest open entry of its lane, read through the partial index of open entries.
 * drizzle has no INDEXED BY: the correlated subquery is written out.
 */
const isLaneHead = (o: Outbox) => sql`${o.id} = (SELECT min(i.id) FROM ${outbox} i INDEXED BY telegram_outbox_open_idx
  WHERE i.lane = ${o.lane} AND i.status IN ('pending', 'sending'))`

type ListShape = Pick<ListOutboxFilter, 'lane' | 'status'> & { limited: boolean }

/**
 * TelegramOutbox on `telegram_outbox`. Unbuffered: an entry is on disk when `enqueue` returns,
 * so a restart continues where the last process stopped. Each transition is one conditional
 * UPDATE on the current status, so an entry is attempted by one caller and settles once.
 * `list` prepares one statement per filter shape, on first use.
 */
export class SqliteTelegramOutbox implements TelegramOutbox {
  private readonly insertOne
  private readonly byId
  private readonly dueHeads
  private readonly earliestHead
  private readonly toSending
  private readonly toPending
  private readonly toDone
  private readonly toFailed
  private readonly sendingIds
  private readonly requeue
  private readonly prune
  private readonly requeueAll: (at: number) => OutboxEntry[]
  private readonly lists = new Map<string, ReturnType<SqliteTelegramOutbox['prepareList']>>()

  constructor(
    sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
  ) {
    this.insertOne = db
      .insert(outbox)
      .values({
        lane: p('lane'),
        kind: p('kind'),
        operation: p('operation'),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: p('next'),
        createdAt: p('at'),
        updatedAt: p('at'),
      })
      .prepare()
    this.byId = db.select(entryOf(outbox)).from(outbox).where(eq(outbox.id, p('id'))).prepare()
    this.dueHeads = db
      .select(entryOf(o))
      .from(o)
      .where(and(isPending(o), lte(o.nextAttemptAt, p('now')), isLaneHead(o)))
      .orderBy(asc(o.id))
      .limit(p('limit'))
      .prepare()
    this.earliestHead = db
      .select({ at: min(o.nextAttemptAt) })
      .from(o)
      .where(and(isPending(o), isLaneHead(o)))
      .prepare()
    const byId = eq(outbox.id, p('id'))
    this.toSending = db
      .update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: value('at') })
      .where(and(byId, isPending(outbox)))
      .prepare()
    this.toPending = db
      .update(outbox)
      .set({ status: 'pending', nextAttemptAt: value('next'), lastError: value('error'), updatedAt: value('at') })
      .where(and(byId, isSending(outbox)))
      .prepare()
    this.toDone = db
      .update(outbox)
      .set({ status: 'done', updatedAt: value('at') })
      .where(and(byId, isOpen(outbox)))
      .prepare()
    this.toFailed = db
      .update(outbox)
      .set({ status: 'failed', lastError: value('error'), updatedAt: value('at') })
      .where(and(byId, isOpen(outbox)))
      .prepare()
    this.sendingIds = db.select({ id: outbox.id }).from(outbox).where(isSending(outbox)).orderBy(asc(outbox.id)).prepare()
    this.requeue = db
      .update(outbox)
      .set({ status: 'pending', nextAttemptAt: value('at'), updatedAt: value('at') })
      .where(isSending(outbox))
      .prepare()
    this.prune = db
      .delete(outbox)
      .where(and(isSettled(outbox), lt(outbox.updatedAt, p('before'))))
      .prepare()
    this.requeueAll = sqlite.transaction((at: number) => {
      const ids = this.sendingIds.all().map((r) => r.id)
      this.requeue.run({ at })
      return ids.map((id) => toEntry(this.byId.get({ id })!))
    }).immediate
  }

  enqueue(entry: NewOutboxEntry): OutboxEntry {
    const at = entry.createdAt
    const next = entry.nextAttemptAt ?? at
    const operation = JSON.stringify(entry.operation)
    const { lastInsertRowid } = storeCall('enqueue telegram operation', () =>
      this.insertOne.run({ lane: entry.lane, kind: entry.operation.kind, operation, at, next }),
    )
    return {
      id: Number(lastInsertRowid),
      lane: entry.lane,
      operation: JSON.parse(operation) as TelegramOperation,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: next,
      lastError: null,
      createdAt: at,
      updatedAt: at,
    }
  }

  get(id: number): OutboxEntry | undefined {
    const row = storeCall('read telegram operation', () => this.byId.get({ id }))
    return row && toEntry(row)
  }

  due(now: number, limit = 100): OutboxEntry[] {
    return storeCall('list due telegram operations', () => this.dueHeads.all({ now, limit: Math.max(0, limit) })).map(toEntry)
  }

  nextDueAt(): number | null {
    return storeCall('read next telegram operation', () => this.earliestHead.get()?.at ?? null)
  }

  startAttempt(id: number, at: number): OutboxEntry | undefined {
    return storeCall('start telegram operation', () => (this.toSending.run({ id, at }).changes === 1 ? this.get(id) : undefined))
  }

  retryAt(id: number, nextAttemptAt: number, error: string, at: number): boolean {
    return storeCall('reschedule telegram operation', () => this.toPending.run({ id, next: nextAttemptAt, error, at }).changes === 1)
  }

  complete(id: number, at: number): boolean {
    return storeCall('complete telegram operation', () => this.toDone.run({ id, at }).changes === 1)
  }

  fail(id: number, error: string, at: number): boolean {
    return storeCall('fail telegram operation', () => this.toFailed.run({ id, error, at }).changes === 1)
  }

  requeueInterrupted(at: number): OutboxEntry[] {
    return storeCall('requeue telegram operations', () => this.requeueAll(at))
  }

  /** A `limit` that is not positive means no limit. */
  list(filter: ListOutboxFilter = {}): OutboxEntry[] {
    const limited = filter.limit !== undefined && filter.limit > 0
    const shape: ListShape = { lane: filter.lane, status: filter.status, limited }
    const key = `${+(shape.lane !== undefined)}${+(shape.status !== undefined)}${+limited}`
    let query = this.lists.get(key)
    if (query === undefined) {
      query = this.prepareList(shape)
      this.lists.set(key, query)
    }
    const params: Record<string, unknown> = {}
    if (filter.lane !== undefined) params['lane'] = filter.lane
    if (filter.status !== undefined) params['status'] = filter.status
    if (limited) params['limit'] = filter.limit
    const statement = query
    const rows = storeCall('list telegram operations', () => statement.all(params))
    // limited: the newest first, to stop after `limit` rows
    return (limited ? rows.reverse() : rows).map(toEntry)
  }

  pruneSettled(before: number): number {
    return storeCall('prune telegram operations', () => this.prune.run({ before }).changes)
  }

  private prepareList(shape: ListShape) {
    const where: SQL[] = []
    if (shape.lane !== undefined) where.push(eq(outbox.lane, p('lane')))
    if (shape.status !== undefined) where.push(eq(outbox.status, p('status')))
    const query = this.db
      .select(entryOf(outbox))
      .from(outbox)
      .where(and(...where))
    return shape.limited ? query.orderBy(desc(outbox.id)).limit(p('limit')).prepare() : query.orderBy(asc(outbox.id)).prepare()
  }
}

import { SessionsError, type EventStore, type ListEventsOptions, type NewStoredEvent, type StoredEvent } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, asc, count, desc, eq, getTableColumns, gt, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { positionalInsert } from './positional-insert.js'
import { events } from './schema.js'
import { storeCall } from './sqlite-errors.js'
import { RowBuffer, type WriteBehind } from './write-behind.js'

export interface EventLogOptions {
  /** Appends buffered before a flush is forced in the same call. */
  batchSize: number
}

type EventValues = typeof events.$inferInsert

const { dedupeKey: _dedupeKey, ...storedEventColumns } = getTableColumns(events)

const REQUIRED_TEXT = ['sessionId', 'claudeSessionId', 'event', 'raw'] as const
const REQUIRED_NUMBER = ['at', 'rawSize'] as const

/** Bad rows are refused at `append`, so they can never block a batch. */
function toValues(e: NewStoredEvent): EventValues {
  for (const f of REQUIRED_TEXT) {
    if (typeof e[f] !== 'string') throw new SessionsError('invalid_input', `event ${f} must be a string`)
  }
  for (const f of REQUIRED_NUMBER) {
    if (!Number.isFinite(e[f])) throw new SessionsError('invalid_input', `event ${f} must be a number`)
  }
  return {
    sessionId: e.sessionId,
    claudeSessionId: e.claudeSessionId,
    event: e.event,
    at: e.at,
    toolName: e.toolName ?? null,
    toolUseId: e.toolUseId ?? null,
    notificationType: e.notificationType ?? null,
    raw: e.raw,
    rawSize: e.rawSize,
    // An empty key is no key, as in the in-memory store.
    dedupeKey: e.dedupeKey || null,
  }
}

/**
 * EventStore on the `events` table. `append` only buffers; the write-behind writes the buffer
 * (with the other stores') in one transaction on the next turn of the event loop, or at once
 * when it holds `batchSize` rows. Every read flushes first, so readers see every appended event;
 * a flush that fails (a full disk) keeps the rows for the next attempt, and reads go on with
 * what is written.
 */
export class SqliteEventLog implements EventStore {
  private readonly pending: RowBuffer<EventValues>
  /** Dedupe keys of `pending`: a repeated key is known before it is written. */
  private readonly pendingKeys = new Set<string>()
  private closed = false
  private readonly listAfter
  private readonly listLastAfter
  private readonly countAll
  private readonly byDedupeKey

  constructor(
    sqlite: Database.Database,
    db: BetterSQLite3Database,
    private readonly writes: WriteBehind,
    private readonly options: EventLogOptions,
  ) {
    const p = (name: keyof EventValues | 'afterId' | 'limit') => sql.placeholder(name)
    // raw: 1.2× faster than drizzle here, bench/store-idiom.mjs (every hook event)
    this.pending = new RowBuffer(positionalInsert(sqlite, events, 'ON CONFLICT (dedupe_key) DO NOTHING'), (rows) => {
      for (const row of rows) if (row.dedupeKey) this.pendingKeys.delete(row.dedupeKey)
    })
    const ofSessionAfter = and(eq(events.sessionId, p('sessionId')), gt(events.id, p('afterId')))
    this.listAfter = db.select(storedEventColumns).from(events).where(ofSessionAfter).orderBy(asc(events.id)).prepare()
    this.listLastAfter = db
      .select(storedEventColumns)
      .from(events)
      .where(ofSessionAfter)
      .orderBy(desc(events.id))
      .limit(p('limit'))
      .prepare()
    this.countAll = db.select({ n: count() }).from(events).prepare()
    this.byDedupeKey = db
      .select({ id: events.id })
      .from(events)
      .where(eq(events.dedupeKey, p('dedupeKey')))
      .limit(1)
      .prepare()
    writes.add(this.pending)
  }

  /** Events appended but not yet written. */
  get pendingCount(): number {
    return this.pending.pendingCount
  }

  append(event: NewStoredEvent): void {
    if (this.closed) throw new SessionsError('internal', 'store: append after close')
    const row = toValues(event)
    this.pending.push(row)
    if (row.dedupeKey) this.pendingKeys.add(row.dedupeKey)
    if (this.pending.pendingCount >= this.options.batchSize) this.writes.flushReporting()
    else this.writes.schedule()
  }

  /** Writes the buffer (with the other stores') in one transaction. Throws `internal` and keeps the rows if that fails. */
  flush(): void {
    this.writes.flush()
  }

  list(sessionId: string, options: ListEventsOptions = {}): StoredEvent[] {
    this.writes.flushReporting()
    const afterId = options.afterId ?? 0
    const limit = options.limit
    return storeCall('list events', () =>
      // Like the in-memory store: the last `limit` events, oldest first; no limit (or 0) means all.
      limit === undefined || limit <= 0
        ? this.listAfter.all({ sessionId, afterId })
        : this.listLastAfter.all({ sessionId, afterId, limit }).reverse(),
    )
  }

  count(): number {
    this.writes.flushReporting()
    return storeCall('count events', () => this.countAll.get()?.n ?? 0)
  }

  /** On the hot path (every hook carries a key): the buffer's keys, then the index; no flush. */
  hasDedupeKey(key: string): boolean {
    if (this.pendingKeys.has(key)) return true
    return storeCall('find dedupe key', () => this.byDedupeKey.get({ dedupeKey: key }) !== undefined)
  }

  /** Refuses further appends (the store's close writes what is buffered). */
  close(): void {
    this.closed = true
  }
}

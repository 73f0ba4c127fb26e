import {
  SessionsError,
  type EventStore,
  type ListEventsOptions,
  type NewStoredEvent,
  type StoredEvent,
} from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, asc, count, desc, eq, getTableColumns, gt, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { positionalInsert } from './positional-insert.js'
import { events } from './schema.js'
import { storeCall, toSessionsError } from './sqlite-errors.js'

export interface EventLogOptions {
  /** Appends buffered before a flush is forced in the same call. */
  batchSize: number
  /** Receives the error of a flush that ran outside any caller (scheduled, or forced by `append`). */
  onError: (err: SessionsError) => void
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
 * EventStore on the `events` table. `append` only buffers; the buffer is written in one
 * transaction on the next turn of the event loop, or at once when it holds `batchSize` rows.
 * Every read flushes first, so readers see every appended event. A failed flush keeps its rows
 * for the next attempt.
 */
export class SqliteEventLog implements EventStore {
  private pending: EventValues[] = []
  private scheduled: NodeJS.Immediate | null = null
  private closed = false
  private readonly insertOne
  private readonly insertBatch
  private readonly listAfter
  private readonly listLastAfter
  private readonly countAll
  private readonly byDedupeKey

  constructor(
    sqlite: Database.Database,
    db: BetterSQLite3Database,
    private readonly options: EventLogOptions,
  ) {
    const p = (name: keyof EventValues | 'afterId' | 'limit') => sql.placeholder(name)
    this.insertOne = positionalInsert(sqlite, events, 'ON CONFLICT (dedupe_key) DO NOTHING')
    this.insertBatch = sqlite.transaction((rows: EventValues[]) => {
      for (const row of rows) this.insertOne(row)
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
  }

  /** Events appended but not yet written. */
  get pendingCount(): number {
    return this.pending.length
  }

  append(event: NewStoredEvent): void {
    if (this.closed) throw new SessionsError('internal', 'store: append after close')
    this.pending.push(toValues(event))
    if (this.pending.length >= this.options.batchSize) {
      this.flushReporting()
    } else if (this.scheduled === null) {
      this.scheduled = setImmediate(() => {
        this.scheduled = null
        this.flushReporting()
      })
    }
  }

  /** Writes the buffer in one transaction. Throws `internal` and keeps the rows if that fails. */
  flush(): void {
    if (this.pending.length === 0) return
    try {
      this.insertBatch(this.pending)
    } catch (err) {
      throw toSessionsError(`append of ${this.pending.length} event(s)`, err)
    }
    this.pending = []
  }

  list(sessionId: string, options: ListEventsOptions = {}): StoredEvent[] {
    this.flush()
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
    this.flush()
    return storeCall('count events', () => this.countAll.get()?.n ?? 0)
  }

  hasDedupeKey(key: string): boolean {
    this.flush()
    return storeCall('find dedupe key', () => this.byDedupeKey.get({ dedupeKey: key }) !== undefined)
  }

  /** Flushes and refuses further appends. Throws if the last flush fails. */
  close(): void {
    if (this.scheduled !== null) clearImmediate(this.scheduled)
    this.scheduled = null
    this.closed = true
    this.flush()
  }

  private flushReporting(): void {
    try {
      this.flush()
    } catch (err) {
      this.options.onError(toSessionsError('flush events', err))
    }
  }
}

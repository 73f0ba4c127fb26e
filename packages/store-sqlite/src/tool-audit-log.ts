import { SessionsError, type NewToolEvent, type ToolAuditStore, type ToolEvent, type ToolEventFilter, type ToolStatsKey, type ToolStatsRow } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, max, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { positionalInsert } from './positional-insert.js'
import { toolEvents } from './schema.js'
import { toSessionsError } from './sqlite-errors.js'
import { RowBuffer, type WriteBehind } from './write-behind.js'

const { dedupeKey: _dedupeKey, ...columns } = getTableColumns(toolEvents)

type ToolEventInsert = typeof toolEvents.$inferInsert

/** The SQL condition of a filter; null when it can match nothing. `limit` is not part of it. */
function whereOf(f: ToolEventFilter): SQL | undefined | null {
  if (f.sessionIds !== undefined && f.sessionIds.length === 0) return null
  const where: SQL[] = []
  if (f.sessionIds !== undefined) where.push(inArray(toolEvents.sessionId, [...f.sessionIds]))
  if (f.toolUseId !== undefined) where.push(eq(toolEvents.toolUseId, f.toolUseId))
  if (f.toolName !== undefined) where.push(eq(toolEvents.toolName, f.toolName))
  if (f.destructive !== undefined) where.push(eq(toolEvents.destructive, f.destructive))
  if (f.sensitive !== undefined) where.push(eq(toolEvents.sensitive, f.sensitive))
  if (f.denied === true) where.push(eq(toolEvents.decision, 'deny'))
  if (f.project !== undefined) where.push(eq(toolEvents.project, f.project))
  if (f.since !== undefined) where.push(gte(toolEvents.at, f.since))
  if (f.until !== undefined) where.push(lt(toolEvents.at, f.until))
  return and(...where)
}

const STATS_KEY = {
  tool: toolEvents.toolName,
  session: toolEvents.sessionId,
  category: toolEvents.category,
  project: toolEvents.project,
} as const satisfies Record<ToolStatsKey, unknown>

/** Rows of the group where `condition` holds. */
const countWhere = (condition: SQL, alias: string) =>
  sql<number>`sum(case when ${condition} then 1 else 0 end)`.mapWith(Number).as(alias)

const isCall = sql`${toolEvents.event} = 'PreToolUse'`

/**
 * ToolAuditStore on `tool_events`. Ids are assigned here, at append, from the highest id the
 * table has ever held (the server is its only writer). Appends are buffered and written by the
 * write-behind, with the event log's rows of the same turn, in one transaction; reads flush first.
 */
export class SqliteToolAuditLog implements ToolAuditStore {
  private readonly pending: RowBuffer<ToolEventInsert>
  private nextId: number

  constructor(
    sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
    private readonly writes: WriteBehind,
  ) {
    // raw: 1.3× faster than drizzle here, bench/store-idiom.mjs (every tool hook); the conflict
    // target names the partial unique index, which drizzle can't write (its WHERE lands after DO NOTHING)
    this.pending = new RowBuffer(positionalInsert(sqlite, toolEvents, 'ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING'))
    this.nextId = this.highestId() + 1
    writes.add(this.pending)
  }

  /** The highest id ever used: deleted rows' ids too (AUTOINCREMENT's sqlite_sequence), so none is reused. */
  private highestId(): number {
    try {
      const top = this.db.select({ id: max(toolEvents.id) }).from(toolEvents).get()?.id ?? 0
      const seq = this.db.get<{ seq: number } | undefined>(sql`SELECT seq FROM sqlite_sequence WHERE name = 'tool_events'`)
      return Math.max(top, seq?.seq ?? 0)
    } catch (err) {
      throw toSessionsError('read the last tool event id', err)
    }
  }

  /** A repeated dedupe key is dropped when written; its id is then never used. */
  append(event: NewToolEvent): ToolEvent {
    const { dedupeKey, ...rest } = event
    const stored: ToolEvent = { ...rest, id: this.nextId++ }
    this.pending.push({ ...stored, dedupeKey: dedupeKey || null })
    this.writes.schedule()
    return stored
  }

  /** Writes buffered rows (with the other stores'); keeps them and throws `internal` if that fails. */
  flush(): void {
    this.writes.flush()
  }

  list(filter: ToolEventFilter = {}): ToolEvent[] {
    this.writes.flushReporting()
    const where = whereOf(filter)
    if (where === null) return []
    try {
      const query = this.db.select(columns).from(toolEvents).where(where).orderBy(desc(toolEvents.id))
      const rows = filter.limit === undefined ? query.all() : query.limit(filter.limit).all()
      return rows.reverse()
    } catch (err) {
      throw toSessionsError('list tool events', err)
    }
  }

  stats(filter: ToolEventFilter, by: ToolStatsKey): ToolStatsRow[] {
    this.writes.flushReporting()
    const where = whereOf(filter)
    if (where === null) return []
    const key = STATS_KEY[by]
    const calls = countWhere(isCall, 'calls')
    const events = sql<number>`count(*)`.mapWith(Number).as('events')
    try {
      return this.db
        .select({
          key,
          calls,
          events,
          destructive: countWhere(sql`${isCall} and ${toolEvents.destructive} = 1`, 'destructive'),
          sensitive: countWhere(sql`${isCall} and ${toolEvents.sensitive} = 1`, 'sensitive'),
          denied: countWhere(sql`${toolEvents.decision} = 'deny'`, 'denied'),
          failed: countWhere(sql`${toolEvents.event} = 'PostToolUseFailure'`, 'failed'),
        })
        .from(toolEvents)
        .where(where)
        .groupBy(key)
        .orderBy(desc(calls), desc(events), sql`${key} is null`, asc(key))
        .all()
    } catch (err) {
      throw toSessionsError('tool event stats', err)
    }
  }

  deleteBefore(at: number, limit?: number): number {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new SessionsError('invalid_input', `limit must be a non-negative integer, got ${limit}`)
    }
    this.flush()
    const old = lt(toolEvents.at, at)
    try {
      if (limit === undefined) return this.db.delete(toolEvents).where(old).run().changes
      const oldest = this.db
        .select({ id: toolEvents.id })
        .from(toolEvents)
        .where(old)
        .orderBy(asc(toolEvents.at), asc(toolEvents.id))
        .limit(limit)
      return this.db.delete(toolEvents).where(inArray(toolEvents.id, oldest)).run().changes
    } catch (err) {
      throw toSessionsError('delete old tool events', err)
    }
  }
}

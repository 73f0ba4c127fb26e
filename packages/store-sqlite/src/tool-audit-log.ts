import type { NewToolEvent, ToolAuditStore, ToolEvent, ToolEventFilter } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, desc, eq, getTableColumns, gte, inArray, lt, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { toolEvents } from './schema.js'
import { toSessionsError } from './sqlite-errors.js'

const { dedupeKey: _dedupeKey, ...columns } = getTableColumns(toolEvents)

/**
 * ToolAuditStore on `tool_events`. Appends are buffered and written in one transaction per
 * event-loop turn (like the event log); reads flush first.
 */
export class SqliteToolAuditLog implements ToolAuditStore {
  private pending: (typeof toolEvents.$inferInsert)[] = []
  private scheduled: NodeJS.Immediate | null = null
  private readonly writeBatch: (rows: (typeof toolEvents.$inferInsert)[]) => void

  constructor(
    sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
    private readonly onError: (err: Error) => void,
  ) {
    this.writeBatch = sqlite.transaction((rows: (typeof toolEvents.$inferInsert)[]) => {
      for (const row of rows) db.insert(toolEvents).values(row).onConflictDoNothing({ target: toolEvents.dedupeKey }).run()
    })
  }

  append(event: NewToolEvent): void {
    this.pending.push({ ...event, dedupeKey: event.dedupeKey || null })
    this.scheduled ??= setImmediate(() => {
      this.scheduled = null
      try {
        this.flush()
      } catch (err) {
        this.onError(err as Error)
      }
    })
  }

  /** Writes buffered rows; keeps them and throws `internal` if that fails. */
  flush(): void {
    if (this.scheduled !== null) clearImmediate(this.scheduled)
    this.scheduled = null
    if (this.pending.length === 0) return
    try {
      this.writeBatch(this.pending)
    } catch (err) {
      throw toSessionsError(`append of ${this.pending.length} tool event(s)`, err)
    }
    this.pending = []
  }

  list(filter: ToolEventFilter = {}): ToolEvent[] {
    this.flush()
    if (filter.sessionIds !== undefined && filter.sessionIds.length === 0) return []
    const where: SQL[] = []
    if (filter.sessionIds !== undefined) where.push(inArray(toolEvents.sessionId, [...filter.sessionIds]))
    if (filter.toolName !== undefined) where.push(eq(toolEvents.toolName, filter.toolName))
    if (filter.destructive !== undefined) where.push(eq(toolEvents.destructive, filter.destructive))
    if (filter.sensitive !== undefined) where.push(eq(toolEvents.sensitive, filter.sensitive))
    if (filter.denied === true) where.push(eq(toolEvents.decision, 'deny'))
    if (filter.project !== undefined) where.push(eq(toolEvents.project, filter.project))
    if (filter.since !== undefined) where.push(gte(toolEvents.at, filter.since))
    if (filter.until !== undefined) where.push(lt(toolEvents.at, filter.until))
    try {
      const query = this.db.select(columns).from(toolEvents).where(and(...where)).orderBy(desc(toolEvents.id))
      const rows = filter.limit === undefined ? query.all() : query.limit(filter.limit).all()
      return rows.reverse()
    } catch (err) {
      throw toSessionsError('list tool events', err)
    }
  }

  deleteBefore(at: number): number {
    this.flush()
    try {
      return this.db.delete(toolEvents).where(lt(toolEvents.at, at)).run().changes
    } catch (err) {
      throw toSessionsError('delete old tool events', err)
    }
  }
}

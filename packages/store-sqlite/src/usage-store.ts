import type { UsageFilter, UsageRecord, UsageStore, UsageTotals } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { and, asc, desc, gte, inArray, sql, type SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { usage } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

type Row = typeof usage.$inferSelect

const toRecord = ({ costMicros, ...r }: Row): UsageRecord => ({ ...r, costUsd: costMicros / 1e6 })

const where = (f: UsageFilter): SQL | undefined => {
  const parts: SQL[] = []
  if (f.sessionIds !== undefined) parts.push(inArray(usage.sessionId, [...f.sessionIds]))
  if (f.since !== undefined) parts.push(gte(usage.at, f.since))
  return parts.length === 0 ? undefined : and(...parts)
}

/**
 * UsageStore on the `usage` table (drizzle). A record is stored once: the request id is the key,
 * `ON CONFLICT DO NOTHING`; a batch is one transaction. Nothing is buffered: an export the server
 * answered 200 has committed.
 */
export class SqliteUsageStore implements UsageStore {
  private readonly insertOne
  private readonly insertAll: (records: readonly UsageRecord[]) => number

  constructor(
    private readonly db: BetterSQLite3Database,
    sqlite: Database.Database,
  ) {
    this.insertOne = db
      .insert(usage)
      .values({
        requestId: p('requestId'),
        sessionId: p('sessionId'),
        claudeSessionId: p('claudeSessionId'),
        promptId: p('promptId'),
        model: p('model'),
        inputTokens: p('inputTokens'),
        outputTokens: p('outputTokens'),
        cacheReadTokens: p('cacheReadTokens'),
        cacheWriteTokens: p('cacheWriteTokens'),
        costMicros: p('costMicros'),
        durationMs: p('durationMs'),
        querySource: p('querySource'),
        at: p('at'),
        source: p('source'),
      })
      .onConflictDoNothing()
      .prepare()
    this.insertAll = sqlite.transaction((records: readonly UsageRecord[]) => {
      let added = 0
      for (const { costUsd, ...r } of records) added += this.insertOne.run({ ...r, costMicros: Math.round(costUsd * 1e6) }).changes
      return added
    })
  }

  add(records: readonly UsageRecord[]): number {
    return storeCall('store usage', () => this.insertAll(records))
  }

  totalsBySession(filter: UsageFilter = {}): Map<string, UsageTotals> {
    const rows = storeCall('read usage totals', () =>
      this.db
        .select({
          sessionId: usage.sessionId,
          requests: sql<number>`count(*)`,
          inputTokens: sql<number>`sum(${usage.inputTokens})`,
          outputTokens: sql<number>`sum(${usage.outputTokens})`,
          cacheReadTokens: sql<number>`sum(${usage.cacheReadTokens})`,
          cacheWriteTokens: sql<number>`sum(${usage.cacheWriteTokens})`,
          costMicros: sql<number>`sum(${usage.costMicros})`,
        })
        .from(usage)
        .where(where(filter))
        .groupBy(usage.sessionId)
        .all(),
    )
    return new Map(rows.map(({ sessionId, costMicros, ...t }) => [sessionId, { ...t, costUsd: costMicros / 1e6 }]))
  }

  list(filter: UsageFilter & { limit?: number } = {}): UsageRecord[] {
    return storeCall('list usage', () => {
      if (filter.limit === undefined) return this.db.select().from(usage).where(where(filter)).orderBy(asc(usage.at), asc(usage.requestId)).all().map(toRecord)
      // the newest `limit`, oldest first
      const newest = this.db.select().from(usage).where(where(filter)).orderBy(desc(usage.at), desc(usage.requestId)).limit(filter.limit).all()
      return newest.reverse().map(toRecord)
    })
  }
}

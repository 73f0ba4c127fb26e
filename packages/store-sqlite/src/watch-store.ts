import type { NewWatch, Watch, WatchOutcome, WatchStore } from '@claude-sessions/core'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { watches } from './schema.js'
import { storeCall } from './sqlite-errors.js'

const p = (name: string) => sql.placeholder(name)

/** Literal, not bound: lets SQLite use the partial index `watches_active_idx`. */
const notFired = sql`${watches.outcome} IS NULL`

/**
 * WatchStore on the `watches` table. Nothing is buffered: every write has committed when the
 * call returns, so a restart finds every active watch. Statements are prepared once. A watch
 * fires once: `fire` is a single `UPDATE ... WHERE id = ? AND outcome IS NULL`.
 */
export class SqliteWatchStore implements WatchStore {
  private readonly insertOne
  private readonly listActive
  private readonly setOutcome

  constructor(db: BetterSQLite3Database) {
    this.insertOne = db
      .insert(watches)
      .values({
        targetId: p('targetId'),
        watcherId: p('watcherId'),
        quietMs: p('quietMs'),
        deadline: p('deadline'),
        createdAt: p('createdAt'),
      })
      .prepare()
    this.listActive = db.select().from(watches).where(notFired).orderBy(asc(watches.id)).prepare()
    this.setOutcome = db
      .update(watches)
      .set({ outcome: sql`${p('outcome')}`, firedAt: sql`${p('at')}` })
      .where(and(eq(watches.id, p('id')), notFired))
      .prepare()
  }

  insert(watch: NewWatch): Watch {
    const row = {
      targetId: watch.targetId,
      watcherId: watch.watcherId,
      quietMs: watch.quietMs,
      deadline: watch.deadline,
      createdAt: watch.createdAt,
    }
    const { lastInsertRowid } = storeCall('insert watch', () => this.insertOne.run(row))
    return { id: Number(lastInsertRowid), ...row, outcome: null, firedAt: null }
  }

  active(): Watch[] {
    return storeCall('list active watches', () => this.listActive.all())
  }

  fire(id: number, outcome: WatchOutcome, at: number): boolean {
    return storeCall('fire watch', () => this.setOutcome.run({ id, outcome, at }).changes === 1)
  }
}

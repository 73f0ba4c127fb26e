import type { ListOutboxFilter, NewOutboxEntry, OutboxEntry, OutboxStatus, TelegramOperation, TelegramOutbox } from '@claude-sessions/core/telegram'
import type Database from 'better-sqlite3'
import { storeCall } from './sqlite-errors.js'

interface Row {
  id: number
  lane: string
  operation: string
  status: OutboxStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
  updatedAt: number
}

const COLUMNS = `id, lane, operation, status, attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError,
  created_at AS createdAt, updated_at AS updatedAt`

const toEntry = (r: Row): OutboxEntry => ({ ...r, operation: JSON.parse(r.operation) as TelegramOperation })

/** `o` is the oldest open entry of its lane (read through the partial index of open entries). */
const IS_LANE_HEAD = `o.id = (SELECT min(i.id) FROM telegram_outbox i INDEXED BY telegram_outbox_open_idx
  WHERE i.lane = o.lane AND i.status IN ('pending', 'sending'))`

/**
 * TelegramOutbox on `telegram_outbox`. Unbuffered: an entry is on disk when `enqueue` returns,
 * so a restart continues where the last process stopped. Each transition is one conditional
 * UPDATE on the current status, so an entry is attempted by one caller and settles once.
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
  private readonly lists = new Map<string, Database.Statement<Record<string, unknown>, Row>>()

  constructor(private readonly sqlite: Database.Database) {
    this.insertOne = sqlite.prepare<{ lane: string; kind: string; operation: string; at: number; next: number }>(
      `INSERT INTO telegram_outbox (lane, kind, operation, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (@lane, @kind, @operation, 'pending', 0, @next, @at, @at)`,
    )
    this.byId = sqlite.prepare<[number], Row>(`SELECT ${COLUMNS} FROM telegram_outbox WHERE id = ?`)
    this.dueHeads = sqlite.prepare<{ now: number; limit: number }, Row>(
      `SELECT ${COLUMNS} FROM telegram_outbox o
       WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND ${IS_LANE_HEAD}
       ORDER BY o.id LIMIT @limit`,
    )
    this.earliestHead = sqlite
      .prepare<[], number | null>(
        `SELECT min(o.next_attempt_at) FROM telegram_outbox o
         WHERE o.status = 'pending' AND ${IS_LANE_HEAD}`,
      )
      .pluck()
    this.toSending = sqlite.prepare<{ id: number; at: number }>(
      `UPDATE telegram_outbox SET status = 'sending', attempts = attempts + 1, updated_at = @at WHERE id = @id AND status = 'pending'`,
    )
    this.toPending = sqlite.prepare<{ id: number; next: number; error: string; at: number }>(
      `UPDATE telegram_outbox SET status = 'pending', next_attempt_at = @next, last_error = @error, updated_at = @at
       WHERE id = @id AND status = 'sending'`,
    )
    this.toDone = sqlite.prepare<{ id: number; at: number }>(
      `UPDATE telegram_outbox SET status = 'done', updated_at = @at WHERE id = @id AND status IN ('pending', 'sending')`,
    )
    this.toFailed = sqlite.prepare<{ id: number; error: string; at: number }>(
      `UPDATE telegram_outbox SET status = 'failed', last_error = @error, updated_at = @at
       WHERE id = @id AND status IN ('pending', 'sending')`,
    )
    this.sendingIds = sqlite
      .prepare<[], number>(`SELECT id FROM telegram_outbox WHERE status = 'sending' ORDER BY id`)
      .pluck()
    this.requeue = sqlite.prepare<{ at: number }>(
      `UPDATE telegram_outbox SET status = 'pending', next_attempt_at = @at, updated_at = @at WHERE status = 'sending'`,
    )
    this.prune = sqlite.prepare<{ before: number }>(
      `DELETE FROM telegram_outbox WHERE status IN ('done', 'failed') AND updated_at < @before`,
    )
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
    const row = storeCall('read telegram operation', () => this.byId.get(id))
    return row && toEntry(row)
  }

  due(now: number, limit = 100): OutboxEntry[] {
    return storeCall('list due telegram operations', () => this.dueHeads.all({ now, limit: Math.max(0, limit) })).map(toEntry)
  }

  nextDueAt(): number | null {
    return storeCall('read next telegram operation', () => this.earliestHead.get() ?? null)
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
    return storeCall('requeue telegram operations', () =>
      this.sqlite.transaction(() => {
        const ids = this.sendingIds.all()
        this.requeue.run({ at })
        return ids.map((id) => toEntry(this.byId.get(id)!))
      }).immediate(),
    )
  }

  /** A `limit` that is not positive means no limit. */
  list(filter: ListOutboxFilter = {}): OutboxEntry[] {
    const limited = filter.limit !== undefined && filter.limit > 0
    const where: string[] = []
    const params: Record<string, unknown> = {}
    if (filter.lane !== undefined) (where.push('lane = @lane'), (params['lane'] = filter.lane))
    if (filter.status !== undefined) (where.push('status = @status'), (params['status'] = filter.status))
    if (limited) params['limit'] = filter.limit
    const key = `${where.join(' AND ')}|${limited}`
    let statement = this.lists.get(key)
    if (statement === undefined) {
      const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
      statement = this.sqlite.prepare(
        `SELECT ${COLUMNS} FROM telegram_outbox ${clause} ORDER BY id ${limited ? 'DESC LIMIT @limit' : 'ASC'}`,
      )
      this.lists.set(key, statement)
    }
    const query = statement
    const rows = storeCall('list telegram operations', () => query.all(params))
    return (limited ? rows.reverse() : rows).map(toEntry)
  }

  pruneSettled(before: number): number {
    return storeCall('prune telegram operations', () => this.prune.run({ before }).changes)
  }
}

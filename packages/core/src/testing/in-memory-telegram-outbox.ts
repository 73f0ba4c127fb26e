import type { ListOutboxFilter, NewOutboxEntry, OutboxEntry, TelegramOperation, TelegramOutbox } from '../ports/telegram-store.js'

/** A copy sharing nothing with `op` (its keyboard rows included). */
const copyOperation = (op: TelegramOperation): TelegramOperation => {
  if ((op.kind !== 'send_message' && op.kind !== 'edit_message') || !op.buttons) return { ...op }
  return { ...op, buttons: op.buttons.map((row) => row.map((b) => ({ ...b }))) }
}

const copyEntry = (e: OutboxEntry): OutboxEntry => ({ ...e, operation: copyOperation(e.operation) })

/** TelegramOutbox in memory. Ids start at 1 and increase; entries are kept in id order. */
export class InMemoryTelegramOutbox implements TelegramOutbox {
  private readonly entries: OutboxEntry[] = []
  private nextId = 1

  enqueue(entry: NewOutboxEntry): OutboxEntry {
    const stored: OutboxEntry = {
      id: this.nextId++,
      lane: entry.lane,
      operation: copyOperation(entry.operation),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: entry.nextAttemptAt ?? entry.createdAt,
      lastError: null,
      createdAt: entry.createdAt,
      updatedAt: entry.createdAt,
    }
    this.entries.push(stored)
    return copyEntry(stored)
  }

  get(id: number): OutboxEntry | undefined {
    const e = this.entries.find((x) => x.id === id)
    return e ? copyEntry(e) : undefined
  }

  due(now: number, limit = 100): OutboxEntry[] {
    return this.pendingHeads()
      .filter((e) => e.nextAttemptAt <= now)
      .slice(0, Math.max(0, limit))
      .map(copyEntry)
  }

  nextDueAt(): number | null {
    const heads = this.pendingHeads()
    return heads.length === 0 ? null : Math.min(...heads.map((e) => e.nextAttemptAt))
  }

  startAttempt(id: number, at: number): OutboxEntry | undefined {
    const e = this.entries.find((x) => x.id === id)
    if (e?.status !== 'pending') return undefined
    e.status = 'sending'
    e.attempts += 1
    e.updatedAt = at
    return copyEntry(e)
  }

  retryAt(id: number, nextAttemptAt: number, error: string, at: number): boolean {
    const e = this.entries.find((x) => x.id === id)
    if (e?.status !== 'sending') return false
    e.status = 'pending'
    e.nextAttemptAt = nextAttemptAt
    e.lastError = error
    e.updatedAt = at
    return true
  }

  complete(id: number, at: number): boolean {
    const e = this.entries.find((x) => x.id === id)
    if (e === undefined || (e.status !== 'pending' && e.status !== 'sending')) return false
    e.status = 'done'
    e.updatedAt = at
    return true
  }

  fail(id: number, error: string, at: number): boolean {
    const e = this.entries.find((x) => x.id === id)
    if (e === undefined || (e.status !== 'pending' && e.status !== 'sending')) return false
    e.status = 'failed'
    e.lastError = error
    e.updatedAt = at
    return true
  }

  requeueInterrupted(at: number): OutboxEntry[] {
    const out: OutboxEntry[] = []
    for (const e of this.entries) {
      if (e.status !== 'sending') continue
      e.status = 'pending'
      e.nextAttemptAt = at
      e.updatedAt = at
      out.push(copyEntry(e))
    }
    return out
  }

  list(filter: ListOutboxFilter = {}): OutboxEntry[] {
    const matching = this.entries.filter(
      (e) => (filter.lane === undefined || e.lane === filter.lane) && (filter.status === undefined || e.status === filter.status),
    )
    const limited = filter.limit === undefined || filter.limit <= 0 ? matching : matching.slice(-filter.limit)
    return limited.map(copyEntry)
  }

  pruneSettled(before: number): number {
    let n = 0
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!
      if ((e.status === 'done' || e.status === 'failed') && e.updatedAt < before) {
        this.entries.splice(i, 1)
        n++
      }
    }
    return n
  }

  /** The oldest open (pending or sending) entry of each lane, when it is pending; in id order. */
  private pendingHeads(): OutboxEntry[] {
    const seen = new Set<string>()
    const heads: OutboxEntry[] = []
    for (const e of this.entries) {
      if (e.status !== 'pending' && e.status !== 'sending') continue
      if (seen.has(e.lane)) continue
      seen.add(e.lane)
      if (e.status === 'pending') heads.push(e)
    }
    return heads
  }
}

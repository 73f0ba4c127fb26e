import { addUsage, usageOfRecord, ZERO_USAGE, type UsageFilter, type UsageRecord, type UsageStore, type UsageTotals } from '../ports/usage-store.js'

const matches = (r: UsageRecord, f: UsageFilter): boolean =>
  (f.sessionIds === undefined || f.sessionIds.includes(r.sessionId)) && (f.since === undefined || r.at >= f.since)

/** The usage ledger in memory: one record per request id. */
export class InMemoryUsageStore implements UsageStore {
  private readonly records = new Map<string, UsageRecord>()

  add(records: readonly UsageRecord[]): number {
    let added = 0
    for (const r of records) {
      if (this.records.has(r.requestId)) continue
      this.records.set(r.requestId, { ...r })
      added += 1
    }
    return added
  }

  totalsBySession(filter: UsageFilter = {}): Map<string, UsageTotals> {
    const out = new Map<string, UsageTotals>()
    for (const r of this.records.values()) if (matches(r, filter)) out.set(r.sessionId, addUsage(out.get(r.sessionId) ?? ZERO_USAGE, usageOfRecord(r)))
    return out
  }

  list(filter: UsageFilter & { limit?: number } = {}): UsageRecord[] {
    const all = [...this.records.values()].filter((r) => matches(r, filter)).sort((a, b) => a.at - b.at || a.requestId.localeCompare(b.requestId))
    return filter.limit === undefined ? all : all.slice(-filter.limit)
  }
}

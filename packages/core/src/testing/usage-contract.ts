import { describe, expect, it } from 'vitest'
import type { UsageRecord, UsageStore } from '../ports/usage-store.js'

/** A usage record with sensible defaults. */
export function aUsageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: 'req_1',
    sessionId: 'a1b2c3d4',
    claudeSessionId: '3bcfbb15-fce8-4a32-9d15-1347d2422e2f',
    promptId: 'p1',
    model: 'claude-opus-5-5',
    inputTokens: 13_714,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0.055256,
    durationMs: 247,
    querySource: 'repl_main_thread',
    at: 1_000,
    source: 'otel',
    ...overrides,
  }
}

/** What every UsageStore does: one row per request id, totals per session, filters. */
export function usageStoreContract(label: string, make: () => UsageStore): void {
  describe(`UsageStore contract: ${label}`, () => {
    it('stores a request once, whatever the exporter retries; says how many were new', () => {
      const store = make()
      expect(store.add([aUsageRecord(), aUsageRecord({ requestId: 'req_2', at: 2_000 })])).toBe(2)
      expect(store.add([aUsageRecord(), aUsageRecord({ requestId: 'req_3', at: 3_000 })])).toBe(1)
      expect(store.list().map((r) => r.requestId)).toEqual(['req_1', 'req_2', 'req_3'])
      expect(store.list()[0]).toEqual(aUsageRecord())
    })

    it('sums tokens and dollars per session, exactly (micro-dollars)', () => {
      const store = make()
      store.add([
        aUsageRecord({ requestId: 'a', costUsd: 0.1, inputTokens: 10, outputTokens: 1, cacheReadTokens: 5, cacheWriteTokens: 2 }),
        aUsageRecord({ requestId: 'b', costUsd: 0.2, inputTokens: 20, outputTokens: 2 }),
        aUsageRecord({ requestId: 'c', sessionId: 'other', costUsd: 1.5 }),
      ])
      const totals = store.totalsBySession()
      expect(totals.get('a1b2c3d4')).toEqual({ requests: 2, inputTokens: 30, outputTokens: 3, cacheReadTokens: 5, cacheWriteTokens: 2, costUsd: 0.3 })
      expect(totals.get('other')?.costUsd).toBe(1.5)
    })

    it('filters by sessions and since; list keeps the newest `limit`', () => {
      const store = make()
      store.add([aUsageRecord({ requestId: 'a', at: 1 }), aUsageRecord({ requestId: 'b', at: 5 }), aUsageRecord({ requestId: 'c', sessionId: 'x', at: 9 })])
      expect([...store.totalsBySession({ since: 5 }).keys()].sort()).toEqual(['a1b2c3d4', 'x'])
      expect(store.totalsBySession({ sessionIds: ['x'] }).get('a1b2c3d4')).toBeUndefined()
      expect(store.list({ sessionIds: ['a1b2c3d4'], since: 2 }).map((r) => r.requestId)).toEqual(['b'])
      expect(store.list({ limit: 2 }).map((r) => r.requestId)).toEqual(['b', 'c'])
    })
  })
}

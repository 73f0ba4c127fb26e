/** One model request's usage: a row of the ledger. */
export interface UsageRecord {
  /** Claude Code's `request_id`: a request is stored once whatever the exporter retries. */
  requestId: string
  /** Our session. */
  sessionId: string
  /** Claude's session id (`session.id`). */
  claudeSessionId: string
  promptId: string | null
  model: string | null
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  /** What Claude Code priced the request at (`cost_usd`), or ours for a transcript row. */
  costUsd: number
  durationMs: number | null
  /** `repl_main_thread`, a subagent's, an auxiliary call's. */
  querySource: string | null
  /** Epoch ms. */
  at: number
  /** `otel`: Claude Code's own figures; `transcript`: read from its transcript and priced by us. */
  source: 'otel' | 'transcript'
}

/** Tokens and dollars summed. */
export interface UsageTotals {
  requests: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  costUsd: number
}

export interface UsageFilter {
  sessionIds?: readonly string[]
  /** Epoch ms, inclusive. */
  since?: number
}

/** The usage ledger. */
export interface UsageStore {
  /** Stores the records not stored yet (by request id); returns how many were new. */
  add(records: readonly UsageRecord[]): number
  /** Totals per session of the matching records. */
  totalsBySession(filter?: UsageFilter): Map<string, UsageTotals>
  /** The matching records, oldest first. */
  list(filter?: UsageFilter & { limit?: number }): UsageRecord[]
}

export const ZERO_USAGE: UsageTotals = { requests: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }

export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    // micro-dollars, so sums of many small costs stay exact to the cent
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e6) / 1e6,
  }
}

export const usageOfRecord = (r: UsageRecord): UsageTotals => ({
  requests: 1,
  inputTokens: r.inputTokens,
  outputTokens: r.outputTokens,
  cacheReadTokens: r.cacheReadTokens,
  cacheWriteTokens: r.cacheWriteTokens,
  costUsd: r.costUsd,
})

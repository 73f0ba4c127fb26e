import type { UsageRecord } from '../ports/usage-store.js'

/** One `claude_code.api_request` log record, read from an OTLP/HTTP JSON logs body. */
export type ApiRequestRecord = Omit<UsageRecord, 'sessionId' | 'source'>

export interface OtlpReading {
  records: ApiRequestRecord[]
  /** `api_request` records that could not be read (a field missing or of the wrong type). */
  malformed: number
  /** Log records of other kinds (prompts, tool results, hooks…): not part of the ledger. */
  other: number
}

type AnyValue = { stringValue?: unknown; intValue?: unknown; doubleValue?: unknown; boolValue?: unknown }

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const asRecord = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

/** An attribute's value: OTLP JSON writes int64 as a string or a number. */
function valueOf(v: unknown): string | number | boolean | null {
  const a = asRecord(v) as AnyValue
  if (typeof a.stringValue === 'string') return a.stringValue
  if (typeof a.doubleValue === 'number') return a.doubleValue
  if (typeof a.intValue === 'number') return a.intValue
  if (typeof a.intValue === 'string' && /^-?\d{1,18}$/.test(a.intValue)) return Number(a.intValue)
  if (typeof a.boolValue === 'boolean') return a.boolValue
  return null
}

const count = (v: string | number | boolean | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null)
const text = (v: string | number | boolean | null | undefined, max = 200): string | null => (typeof v === 'string' && v !== '' && v.length <= max ? v : null)

/**
 * The ledger lines of an OTLP/HTTP JSON logs body (`resourceLogs → scopeLogs → logRecords`):
 * each `claude_code.api_request` record with its request id, Claude's session id, tokens and
 * cost. Pure and lenient per record: one unreadable record is counted, never a reason to drop
 * its neighbours. Throws nothing; a body of the wrong shape reads as no records.
 */
export function readOtlpLogs(body: unknown): OtlpReading {
  const out: OtlpReading = { records: [], malformed: 0, other: 0 }
  for (const resourceLogs of asArray(asRecord(body).resourceLogs)) {
    for (const scopeLogs of asArray(asRecord(resourceLogs).scopeLogs)) {
      for (const raw of asArray(asRecord(scopeLogs).logRecords)) {
        const record = asRecord(raw)
        const attrs = new Map<string, string | number | boolean | null>()
        for (const a of asArray(record.attributes)) {
          const { key, value } = asRecord(a)
          if (typeof key === 'string') attrs.set(key, valueOf(value))
        }
        const name = valueOf(record.body) ?? attrs.get('event.name') ?? null
        if (name !== 'claude_code.api_request' && name !== 'api_request') {
          out.other += 1
          continue
        }
        const requestId = text(attrs.get('request_id'))
        const claudeSessionId = text(attrs.get('session.id'))
        const micros = count(attrs.get('cost_usd_micros'))
        const dollars = attrs.get('cost_usd')
        const costUsd = micros !== null ? micros / 1e6 : typeof dollars === 'number' && Number.isFinite(dollars) && dollars >= 0 ? dollars : null
        const inputTokens = count(attrs.get('input_tokens'))
        const outputTokens = count(attrs.get('output_tokens'))
        const nanos = typeof record.timeUnixNano === 'string' || typeof record.timeUnixNano === 'number' ? Number(record.timeUnixNano) : NaN
        const stamped = Date.parse(String(attrs.get('event.timestamp') ?? ''))
        const at = Number.isFinite(nanos) && nanos > 0 ? Math.floor(nanos / 1e6) : Number.isFinite(stamped) ? stamped : null
        if (requestId === null || claudeSessionId === null || costUsd === null || inputTokens === null || outputTokens === null || at === null) {
          out.malformed += 1
          continue
        }
        out.records.push({
          requestId,
          claudeSessionId,
          promptId: text(attrs.get('prompt.id')),
          model: text(attrs.get('model')),
          inputTokens,
          outputTokens,
          cacheReadTokens: count(attrs.get('cache_read_tokens')) ?? 0,
          cacheWriteTokens: count(attrs.get('cache_creation_tokens')) ?? 0,
          costUsd,
          durationMs: count(attrs.get('duration_ms')),
          querySource: text(attrs.get('query_source')),
          at,
        })
      }
    }
  }
  return out
}

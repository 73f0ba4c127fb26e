import { parseTimeBound, readOtlpLogs, SessionsError, type UsageTotals } from '@claude-sessions/core'
import type { SessionUsage, UsageService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import type { AuthEnv } from '../middleware/auth.js'
import { parseJson } from '../schemas.js'

/** One session's usage on the wire: its own requests and its subtree's (itself included). */
export interface SessionUsageDto {
  id: string
  name: string | null
  parentId: string | null
  state: string
  own: UsageTotals
  tree: UsageTotals
}

/** `GET /usage`. */
export interface UsageDto {
  sessions: SessionUsageDto[]
  /** Every request once. */
  total: UsageTotals
  /** Where the figures come from: Claude Code's own (OpenTelemetry `api_request` records). */
  source: 'otel'
}

/** `POST /otlp/v1/logs`: what was kept of the batch. */
export interface OtlpReplyDto {
  stored: number
  duplicate: number
  refused: number
  malformed: number
}

const toDto = (u: SessionUsage): SessionUsageDto => ({ id: u.session.id, name: u.session.name, parentId: u.session.parentId, state: u.session.state, own: u.own, tree: u.tree })

const sum = (all: readonly SessionUsage[]): UsageTotals =>
  all.reduce(
    (t, u) => ({
      requests: t.requests + u.own.requests,
      inputTokens: t.inputTokens + u.own.inputTokens,
      outputTokens: t.outputTokens + u.own.outputTokens,
      cacheReadTokens: t.cacheReadTokens + u.own.cacheReadTokens,
      cacheWriteTokens: t.cacheWriteTokens + u.own.cacheWriteTokens,
      costUsd: Math.round((t.costUsd + u.own.costUsd) * 1e6) / 1e6,
    }),
    { requests: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  )

const sinceOf = (raw: string | undefined, now: number): { since?: number } => {
  if (raw === undefined) return {}
  return { since: parseTimeBound(raw, now, 'since') }
}

/**
 * `POST /otlp/v1/logs`: Claude Code's OpenTelemetry logs (OTLP/HTTP JSON). The `api_request`
 * records become ledger rows, each once; a record of another session (or of none we know) is
 * refused, one that can't be read is counted, and the good ones of the same batch are kept.
 * Anything refused or unreadable: 400 with the counts (an exporter does not retry a 400).
 */
export function otlpRoutes(usage: UsageService | undefined) {
  return new Hono<AuthEnv>().post('/v1/logs', async (c) => {
    if (!usage) throw new SessionsError('unavailable', 'the usage ledger is not on this server')
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') throw new SessionsError('invalid_input', 'send OTLP/HTTP JSON (Content-Type: application/json; OTEL_EXPORTER_OTLP_PROTOCOL=http/json)')
    const reading = readOtlpLogs(parseJson(await c.req.text()))
    const outcome = usage.ingest(c.get('actor'), reading.records)
    const body: OtlpReplyDto = { ...outcome, malformed: reading.malformed }
    if (outcome.refused > 0 || reading.malformed > 0) {
      const why = [outcome.refused > 0 ? `${outcome.refused} for a session this token does not speak for` : '', reading.malformed > 0 ? `${reading.malformed} unreadable` : '']
        .filter(Boolean)
        .join(', ')
      return c.json({ error: { code: 'invalid_input', message: `records refused: ${why}; ${outcome.stored} stored` }, ...body }, 400)
    }
    return c.json(body)
  })
}

/** `GET /usage[?since=]` and `GET /sessions/:ref/usage[?since=]`: tokens and dollars, own and per subtree. */
export function usageRoutes(usage: UsageService | undefined, now: () => number) {
  const ledger = (): UsageService => {
    if (!usage) throw new SessionsError('unavailable', 'the usage ledger is not on this server')
    return usage
  }
  return {
    all: new Hono<AuthEnv>().get('/', (c) => {
      const all = ledger().all(sinceOf(c.req.query('since'), now()))
      const body: UsageDto = { sessions: all.map(toDto), total: sum(all), source: 'otel' }
      return c.json(body)
    }),
    session: new Hono<AuthEnv>().get('/:ref/usage', (c) => c.json(toDto(ledger().of(c.req.param('ref'), sinceOf(c.req.query('since'), now()))))),
  }
}

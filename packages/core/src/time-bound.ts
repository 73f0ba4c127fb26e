import { SessionsError } from './errors.js'

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * A point in time given as a duration ago (`90s`, `15m`, `2h`, `3d`, `1w`), an ISO 8601 date or
 * date-time, or epoch milliseconds. Returns epoch milliseconds; anything else is `invalid_input`.
 */
export function parseTimeBound(text: string, now: number, what = 'time'): number {
  const t = text.trim()
  const ago = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(t)
  if (ago) return now - Math.round(Number(ago[1]) * UNITS[ago[2]!]!)
  if (/^\d{10,}$/.test(t)) return Number(t)
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t)
    if (!Number.isNaN(ms)) return ms
  }
  throw new SessionsError('invalid_input', `${what}: '${text}' is not a time (use 30m, 2h, 7d, or an ISO date like 2026-01-31T12:00)`)
}

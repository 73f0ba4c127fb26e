import { isNotificationKind, NOTIFICATION_KINDS, type NotificationKind } from '@claude-sessions/core'
import { isValidTimeZone, minuteOfDay, wallClock, zoneOffset } from './zoned-time.js'

export interface QuietHours {
  /** `HH:MM` (24 h) on the zone's wall clock. */
  start: string
  /** `HH:MM`; before `start` for quiet hours over midnight. The end minute is no longer quiet. */
  end: string
  /** IANA time zone; default: the process's. */
  timeZone?: string
  /** Kinds sent even in quiet hours. */
  urgent: readonly NotificationKind[]
}

export const DEFAULT_URGENT: readonly NotificationKind[] = ['permission', 'question']

/** Minutes since midnight for `HH:MM` (24 h, two digits each), else undefined. */
export function parseClockTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value)
  return m === null ? undefined : Number(m[1]) * 60 + Number(m[2])
}

export type QuietHoursCheck = { ok: true; value: QuietHours | null } | { ok: false; errors: string[] }

const KNOWN_KEYS = ['start', 'end', 'timeZone', 'time_zone', 'urgent']
const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value))

/**
 * Checks quiet hours as written in a config (`{ start, end, time_zone | timeZone, urgent }`;
 * null or undefined: none), every problem as a message naming the key (`quiet_hours.start must be HH:MM ...`).
 */
export function validateQuietHours(input: unknown, path = 'quiet_hours'): QuietHoursCheck {
  if (input === null || input === undefined) return { ok: true, value: null }
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: [`${path} must be an object with start and end (HH:MM)`] }
  const raw = input as Record<string, unknown>
  const errors: string[] = []
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.includes(key)) errors.push(`${path}: unknown key "${key}"`)
  const start = parseClockTime(raw.start)
  const end = parseClockTime(raw.end)
  if (start === undefined) errors.push(`${path}.start must be HH:MM (24 h), got ${show(raw.start)}`)
  if (end === undefined) errors.push(`${path}.end must be HH:MM (24 h), got ${show(raw.end)}`)
  if (start !== undefined && start === end) errors.push(`${path}.start and ${path}.end must differ`)
  const zoneKey = raw.time_zone !== undefined ? 'time_zone' : 'timeZone'
  const zone = raw[zoneKey]
  if (raw.time_zone !== undefined && raw.timeZone !== undefined) errors.push(`${path}: give time_zone or timeZone, not both`)
  else if (zone !== undefined && (typeof zone !== 'string' || !isValidTimeZone(zone))) {
    errors.push(`${path}.${zoneKey} must be an IANA time zone such as "Europe/Berlin", got ${show(zone)}`)
  }
  let urgent: NotificationKind[] = [...DEFAULT_URGENT]
  if (raw.urgent !== undefined) {
    if (!Array.isArray(raw.urgent)) errors.push(`${path}.urgent must be a list of notification kinds`)
    else {
      raw.urgent.forEach((kind, i) => {
        if (!isNotificationKind(kind)) errors.push(`${path}.urgent[${i}] must be one of ${NOTIFICATION_KINDS.join(', ')}, got ${show(kind)}`)
      })
      urgent = [...new Set(raw.urgent.filter(isNotificationKind))]
    }
  }
  if (errors.length > 0) return { ok: false, errors }
  const value: QuietHours = { start: raw.start as string, end: raw.end as string, urgent, ...(typeof zone === 'string' ? { timeZone: zone } : {}) }
  return { ok: true, value }
}

export class QuietHoursError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(errors.join('; '))
    this.name = 'QuietHoursError'
  }
}

/** Quiet hours from a config value (see `validateQuietHours`); throws `QuietHoursError` listing every problem. */
export function parseQuietHours(input: unknown, path = 'quiet_hours'): QuietHours | null {
  const check = validateQuietHours(input, path)
  if (!check.ok) throw new QuietHoursError(check.errors)
  return check.value
}

/** Whether `now` is within quiet hours, on the wall clock of their zone (start included, end not). Equal or invalid times: never. */
export function isQuiet(now: number, quietHours: QuietHours): boolean {
  const start = parseClockTime(quietHours.start)
  const end = parseClockTime(quietHours.end)
  if (start === undefined || end === undefined || start === end) return false
  const m = minuteOfDay(now, quietHours.timeZone)
  return start < end ? m >= start && m < end : m >= start || m < end
}

/**
 * Milliseconds from `now` until the current quiet hours end (0 when not quiet). DST-aware: the
 * end is when the zone's wall clock next shows `end`, or, when a clock change skips that time,
 * the moment of the change.
 */
export function msUntilQuietEnd(now: number, quietHours: QuietHours): number {
  if (!isQuiet(now, quietHours)) return 0
  const zone = quietHours.timeZone
  const end = parseClockTime(quietHours.end) ?? 0
  const w = wallClock(now, zone)
  const intoMinute = w.second * 1000 + (((now % 1000) + 1000) % 1000)
  const minutes = (end - (w.hour * 60 + w.minute) + 1440) % 1440
  const naive = now + minutes * 60_000 - intoMinute
  // The wall clock moves with real time except at a clock change between now and then.
  const corrected = naive - (zoneOffset(naive, zone) - zoneOffset(now, zone))
  if (corrected > now && !isQuiet(corrected, quietHours)) return corrected - now
  return firstNotQuiet(Math.max(now, corrected), naive, quietHours) - now
}

/** The first ms after `quiet` (a quiet time) that is not quiet: the end skipped by a clock change, before `after` or an hour later. */
function firstNotQuiet(quiet: number, after: number, quietHours: QuietHours): number {
  let lo = quiet
  let hi = [after, after + 3_600_000].find((t) => t > quiet && !isQuiet(t, quietHours))
  if (hi === undefined) return Math.max(after, quiet + 60_000) // no end found: look again then
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (isQuiet(mid, quietHours)) lo = mid
    else hi = mid
  }
  return hi
}

/** Wall-clock time in an IANA time zone (undefined: the process's), via Intl. */

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? ''
  let f = formatters.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      ...(timeZone !== undefined ? { timeZone } : {}),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(key, f)
  }
  return f
}

/** The date and time the wall clock in `timeZone` shows at `t` (ms since the epoch). */
export function wallClock(t: number, timeZone?: string): WallClock {
  const parts: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  const get = (name: string) => parts[name] ?? 0
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') }
}

/** How far the zone's wall clock is ahead of UTC at `t`, in ms (whole seconds). */
export function zoneOffset(t: number, timeZone?: string): number {
  const w = wallClock(t, timeZone)
  const whole = Math.floor(t / 1000) * 1000
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole
}

/** Minutes since the zone's midnight at `t` (0..1439). */
export function minuteOfDay(t: number, timeZone?: string): number {
  const w = wallClock(t, timeZone)
  return w.hour * 60 + w.minute
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `HH:MM` (24 h) on the zone's wall clock at `t`. */
export function formatClockTime(t: number, timeZone?: string): string {
  const w = wallClock(t, timeZone)
  return `${pad(w.hour)}:${pad(w.minute)}`
}

/** Whether Intl knows `timeZone` (an IANA name such as `Europe/Berlin`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

import { describe, expect, it } from 'vitest'
import { isQuiet, msUntilQuietEnd, parseQuietHours, QuietHoursError, validateQuietHours, type QuietHours } from './quiet-hours.js'
import { formatClockTime, minuteOfDay, zoneOffset } from './zoned-time.js'

const at = (iso: string) => Date.parse(iso)
const q = (start: string, end: string, timeZone?: string): QuietHours => ({ start, end, urgent: ['permission', 'question'], ...(timeZone ? { timeZone } : {}) })
const H = 3_600_000

describe('zoned time', () => {
  it('reads the wall clock of a zone, DST included', () => {
    expect(formatClockTime(at('2024-01-15T21:30:00Z'), 'Europe/Berlin')).toBe('22:30')
    expect(formatClockTime(at('2024-07-15T21:30:00Z'), 'Europe/Berlin')).toBe('23:30')
    expect(formatClockTime(at('2024-07-15T00:05:00Z'), 'UTC')).toBe('00:05')
    expect(minuteOfDay(at('2024-07-15T00:05:00Z'), 'UTC')).toBe(5)
    expect(zoneOffset(at('2024-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(H)
    expect(zoneOffset(at('2024-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(2 * H)
    expect(zoneOffset(at('2024-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * H)
  })
})

describe('isQuiet', () => {
  it('covers hours over midnight, start included and end not', () => {
    const night = q('22:00', '07:00', 'UTC')
    const cases: [string, boolean][] = [
      ['21:59:59', false],
      ['22:00:00', true],
      ['23:59:59', true],
      ['00:00:00', true],
      ['03:00:00', true],
      ['06:59:59', true],
      ['07:00:00', false],
      ['12:00:00', false],
    ]
    for (const [time, quiet] of cases) expect([time, isQuiet(at(`2024-05-10T${time}Z`), night)]).toEqual([time, quiet])
  })

  it('covers hours within a day', () => {
    const day = q('09:00', '17:30', 'UTC')
    expect(isQuiet(at('2024-05-10T08:59:00Z'), day)).toBe(false)
    expect(isQuiet(at('2024-05-10T09:00:00Z'), day)).toBe(true)
    expect(isQuiet(at('2024-05-10T17:29:00Z'), day)).toBe(true)
    expect(isQuiet(at('2024-05-10T17:30:00Z'), day)).toBe(false)
  })

  it("uses the zone's wall clock, not UTC", () => {
    const berlin = q('22:00', '07:00', 'Europe/Berlin')
    const utc = q('22:00', '07:00', 'UTC')
    // 21:30 UTC is 22:30 in Berlin in winter (CET)
    expect(isQuiet(at('2024-01-15T21:30:00Z'), berlin)).toBe(true)
    expect(isQuiet(at('2024-01-15T21:30:00Z'), utc)).toBe(false)
    // 06:30 UTC is 07:30 in Berlin: over there, quiet hours are over
    expect(isQuiet(at('2024-01-16T06:30:00Z'), berlin)).toBe(false)
    expect(isQuiet(at('2024-01-16T06:30:00Z'), utc)).toBe(true)
    // in summer (CEST, +2) 20:30 UTC is already 22:30
    expect(isQuiet(at('2024-07-15T20:30:00Z'), berlin)).toBe(true)
    expect(isQuiet(at('2024-07-15T19:30:00Z'), berlin)).toBe(false)
  })

  it('is never quiet for equal or malformed times', () => {
    expect(isQuiet(at('2024-05-10T03:00:00Z'), q('03:00', '03:00', 'UTC'))).toBe(false)
    expect(isQuiet(at('2024-05-10T03:00:00Z'), q('3:00', '07:00', 'UTC'))).toBe(false)
  })
})

describe('msUntilQuietEnd', () => {
  it('is 0 outside quiet hours', () => {
    expect(msUntilQuietEnd(at('2024-05-10T12:00:00Z'), q('22:00', '07:00', 'UTC'))).toBe(0)
  })

  it('counts to the end, seconds and ms included, over midnight', () => {
    expect(msUntilQuietEnd(at('2024-05-10T23:30:15.250Z'), q('22:00', '07:00', 'UTC'))).toBe(7 * H + 29 * 60_000 + 44_750)
    expect(msUntilQuietEnd(at('2024-05-11T06:59:59.999Z'), q('22:00', '07:00', 'UTC'))).toBe(1)
    expect(msUntilQuietEnd(at('2024-05-10T22:00:00Z'), q('22:00', '07:00', 'UTC'))).toBe(9 * H)
  })

  it('ends at the wall-clock end across DST changes', () => {
    const berlin = q('22:00', '07:00', 'Europe/Berlin')
    // spring forward (night to 31 March 2024): 22:00 CET to 07:00 CEST is 8 h
    expect(msUntilQuietEnd(at('2024-03-30T21:00:00Z'), berlin)).toBe(8 * H)
    // fall back (night to 27 October 2024): 22:00 CEST to 07:00 CET is 10 h
    expect(msUntilQuietEnd(at('2024-10-26T20:00:00Z'), berlin)).toBe(10 * H)
  })

  it('ends at the clock change when the change skips the end time', () => {
    // 02:30 does not exist in Berlin on 31 March 2024: clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC)
    const gap = q('22:00', '02:30', 'Europe/Berlin')
    expect(msUntilQuietEnd(at('2024-03-30T21:00:00Z'), gap)).toBe(4 * H)
    expect(msUntilQuietEnd(at('2024-03-31T00:30:00Z'), gap)).toBe(30 * 60_000)
  })

  it('always lands on the first non-quiet ms, for any time in zones with odd offsets and DST', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Sao_Paulo']
    const hours = [q('22:00', '07:00'), q('01:30', '02:30'), q('00:00', '23:59'), q('02:15', '01:45')]
    let checked = 0
    for (const timeZone of zones) {
      for (const h of hours) {
        const quiet = { ...h, timeZone }
        // every 7 h 13 min through 2024: all times of day, both DST changes
        for (let t = at('2024-01-01T00:00:00Z'); t < at('2025-01-01T00:00:00Z'); t += 7 * H + 13 * 60_000 + 17_000) {
          if (!isQuiet(t, quiet)) continue
          const ms = msUntilQuietEnd(t, quiet)
          expect(ms).toBeGreaterThan(0)
          expect(ms).toBeLessThanOrEqual(25 * H)
          expect(isQuiet(t + ms, quiet)).toBe(false)
          expect(isQuiet(t + ms - 1, quiet)).toBe(true)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })
})

describe('parseQuietHours', () => {
  it('reads start, end, time zone (either spelling) and urgent kinds, urgent defaulting to permission and question', () => {
    expect(parseQuietHours({ start: '22:00', end: '07:00' })).toEqual({ start: '22:00', end: '07:00', urgent: ['permission', 'question'] })
    expect(parseQuietHours({ start: '22:00', end: '07:00', time_zone: 'Europe/Berlin', urgent: ['error', 'error'] })).toEqual({
      start: '22:00',
      end: '07:00',
      timeZone: 'Europe/Berlin',
      urgent: ['error'],
    })
    expect(parseQuietHours({ start: '09:00', end: '17:00', timeZone: 'UTC', urgent: [] })).toEqual({ start: '09:00', end: '17:00', timeZone: 'UTC', urgent: [] })
    expect(parseQuietHours(undefined)).toBeNull()
    expect(parseQuietHours(null)).toBeNull()
  })

  it('reports every problem clearly', () => {
    const check = validateQuietHours({ start: '7:00', end: '24:00', time_zone: 'Mars/Base', urgent: ['permission', 'pager'], days: 3 })
    expect(check.ok).toBe(false)
    const errors = check.ok ? [] : check.errors
    expect(errors).toHaveLength(5)
    expect(errors).toContain('quiet_hours: unknown key "days"')
    expect(errors.find((e) => e.startsWith('quiet_hours.start must be HH:MM'))).toContain('"7:00"')
    expect(errors.find((e) => e.startsWith('quiet_hours.end must be HH:MM'))).toContain('"24:00"')
    expect(errors.find((e) => e.startsWith('quiet_hours.time_zone must be an IANA time zone'))).toContain('"Mars/Base"')
    expect(errors.find((e) => e.startsWith('quiet_hours.urgent[1] must be one of turn_ended, permission'))).toContain('"pager"')
  })

  it('throws a QuietHoursError naming the path', () => {
    expect(() => parseQuietHours({ start: '22:00' }, 'telegram.quiet_hours')).toThrow('telegram.quiet_hours.end must be HH:MM (24 h), got nothing')
    expect(() => parseQuietHours({ start: '22:00', end: '22:00' })).toThrow('quiet_hours.start and quiet_hours.end must differ')
    expect(() => parseQuietHours('22-07')).toThrow(QuietHoursError)
    expect(() => parseQuietHours({ start: '22:00', end: '07:00', urgent: 'permission' })).toThrow('quiet_hours.urgent must be a list of notification kinds')
    expect(() => parseQuietHours({ start: '22:00', end: '07:00', timeZone: 'UTC', time_zone: 'UTC' })).toThrow('not both')
    expect(validateQuietHours({ start: 1, end: 2 })).toEqual({
      ok: false,
      errors: ['quiet_hours.start must be HH:MM (24 h), got 1', 'quiet_hours.end must be HH:MM (24 h), got 2'],
    })
  })
})

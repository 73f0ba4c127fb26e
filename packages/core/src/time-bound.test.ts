import { describe, expect, it } from 'vitest'
import { parseTimeBound } from './time-bound.js'

const now = Date.parse('2026-11-25T12:00:00Z')

describe('parseTimeBound', () => {
  it('reads durations ago', () => {
    expect(parseTimeBound('2h', now)).toBe(now - 7_200_000)
    expect(parseTimeBound('90s', now)).toBe(now - 90_000)
    expect(parseTimeBound('1.5d', now)).toBe(now - 129_600_000)
    expect(parseTimeBound('1w', now)).toBe(now - 604_800_000)
  })

  it('reads ISO dates, date-times and epoch milliseconds', () => {
    expect(parseTimeBound('2026-11-25T10:00:00Z', now)).toBe(Date.parse('2026-11-25T10:00:00Z'))
    expect(parseTimeBound('2026-11-24', now)).toBe(Date.parse('2026-11-24'))
    expect(parseTimeBound(String(now - 5), now)).toBe(now - 5)
  })

  it('refuses anything else, naming the option', () => {
    for (const bad of ['', 'yesterday', '2x', '-2h', '2026-13-45', '12']) {
      expect(() => parseTimeBound(bad, now, '--since')).toThrow(/--since: .* is not a time/)
    }
  })
})

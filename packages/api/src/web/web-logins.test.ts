import { describe, expect, it } from 'vitest'
import { LOGIN_CODE_TTL_MS, WEB_SESSION_IDLE_MS, WebLogins, WRONG_CODE_WINDOW_MS, WRONG_CODES_PER_WINDOW } from './web-logins.js'

function logins() {
  let now = 1_000_000
  const l = new WebLogins({ now: () => now })
  return { l, advance: (ms: number) => (now += ms) }
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return undefined
}

describe('web login codes', () => {
  it('a code is 256 bits of base64url and opens one session', () => {
    const { l } = logins()
    const { code, expiresAt } = l.issue()
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(expiresAt).toBe(1_000_000 + LOGIN_CODE_TTL_MS)
    const session = l.redeem(code)
    expect(l.verify(session)).toBe(true)
    expect(session).not.toBe(code)
  })

  it('a code works once: the second redeem is unauthorized', () => {
    const { l } = logins()
    const { code } = l.issue()
    l.redeem(code)
    expect(codeOf(() => l.redeem(code))).toBe('unauthorized')
  })

  it('a code expires after two minutes', () => {
    const { l, advance } = logins()
    const { code } = l.issue()
    advance(LOGIN_CODE_TTL_MS)
    expect(codeOf(() => l.redeem(code))).toBe('unauthorized')
  })

  it('malformed, unknown and non-string codes are unauthorized', () => {
    for (const bad of ['', 'x', 'a'.repeat(43), '../../etc', 42, null, { code: 'x' }]) expect(codeOf(() => logins().l.redeem(bad))).toBe('unauthorized')
  })

  it(`past ${WRONG_CODES_PER_WINDOW} wrong codes in a minute, even a good code waits (rate_limited), then works`, () => {
    const { l, advance } = logins()
    const { code } = l.issue()
    for (let i = 0; i < WRONG_CODES_PER_WINDOW; i++) expect(codeOf(() => l.redeem('b'.repeat(43)))).toBe('unauthorized')
    expect(codeOf(() => l.redeem(code))).toBe('rate_limited')
    advance(WRONG_CODE_WINDOW_MS)
    expect(l.verify(l.redeem(code))).toBe(true)
  })

  it('a session ends after 12 hours without a request, and at logout', () => {
    const { l, advance } = logins()
    const a = l.redeem(l.issue().code)
    const b = l.redeem(l.issue().code)
    advance(WEB_SESSION_IDLE_MS - 1)
    expect(l.verify(a)).toBe(true)
    advance(WEB_SESSION_IDLE_MS - 1)
    expect(l.verify(a)).toBe(true)
    expect(l.verify(b)).toBe(false)
    l.logout(a)
    expect(l.verify(a)).toBe(false)
    expect(l.verify(undefined)).toBe(false)
    expect(l.verify('not a session')).toBe(false)
  })
})

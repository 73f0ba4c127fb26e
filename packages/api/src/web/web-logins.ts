import { createHash, randomBytes } from 'node:crypto'
import { SessionsError } from '@claude-sessions/core'

/** How long a login code is valid, and once only. */
export const LOGIN_CODE_TTL_MS = 2 * 60_000
/** A web session ends after this long without a request. */
export const WEB_SESSION_IDLE_MS = 12 * 60 * 60_000
/** Wrong codes allowed per window, for the listener as a whole; then 429 until the window ends. */
export const WRONG_CODES_PER_WINDOW = 5
export const WRONG_CODE_WINDOW_MS = 60_000

const CODE = /^[A-Za-z0-9_-]{43}$/

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url')

export interface WebLoginsOptions {
  now(): number
  /** 32 random bytes, base64url (43 characters); a seam for tests. */
  random?: () => string
}

/**
 * One-time login codes and the browser sessions they open. Only digests are kept, in memory:
 * a restart logs every browser out. Codes: 256 bits, valid once and for two minutes.
 */
export class WebLogins {
  private readonly codes = new Map<string, number>()
  private readonly sessions = new Map<string, number>()
  private wrong: { since: number; count: number } = { since: 0, count: 0 }
  private readonly random: () => string

  constructor(private readonly options: WebLoginsOptions) {
    this.random = options.random ?? (() => randomBytes(32).toString('base64url'))
  }

  /** A new one-time code; only its digest is kept. */
  issue(): { code: string; expiresAt: number } {
    const now = this.options.now()
    this.sweep(now)
    const code = this.random()
    const expiresAt = now + LOGIN_CODE_TTL_MS
    this.codes.set(digest(code), expiresAt)
    return { code, expiresAt }
  }

  /**
   * Exchanges a code for a session id (the cookie's value). A used, expired, unknown or malformed
   * code is `unauthorized`; past five wrong ones in a minute every attempt is `rate_limited`.
   */
  redeem(code: unknown): string {
    const now = this.options.now()
    if (now - this.wrong.since >= WRONG_CODE_WINDOW_MS) this.wrong = { since: now, count: 0 }
    if (this.wrong.count >= WRONG_CODES_PER_WINDOW) {
      throw new SessionsError('rate_limited', 'too many wrong login codes: wait a minute and run `sm web` again')
    }
    const key = typeof code === 'string' && CODE.test(code) ? digest(code) : null
    const expiresAt = key === null ? undefined : this.codes.get(key)
    if (key !== null) this.codes.delete(key)
    if (expiresAt === undefined || expiresAt <= now) {
      this.wrong.count += 1
      throw new SessionsError('unauthorized', 'login code is unknown, used or expired: run `sm web` for a new one')
    }
    const session = this.random()
    this.sessions.set(digest(session), now)
    return session
  }

  /** True for a live session id; a request keeps it alive. */
  verify(session: string | undefined): boolean {
    if (session === undefined || !CODE.test(session)) return false
    const now = this.options.now()
    const key = digest(session)
    const last = this.sessions.get(key)
    if (last === undefined) return false
    if (now - last >= WEB_SESSION_IDLE_MS) {
      this.sessions.delete(key)
      return false
    }
    this.sessions.set(key, now)
    return true
  }

  logout(session: string | undefined): void {
    if (session !== undefined) this.sessions.delete(digest(session))
  }

  /** Live web sessions (for `/health`-like status). */
  get sessionCount(): number {
    return this.sessions.size
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.codes) if (expiresAt <= now) this.codes.delete(key)
    for (const [key, last] of this.sessions) if (now - last >= WEB_SESSION_IDLE_MS) this.sessions.delete(key)
  }
}

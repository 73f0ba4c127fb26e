import type { Clock } from '@claude-sessions/core'
import type { PairingResult, TelegramAccessStore } from '@claude-sessions/core/telegram'
import { createHash, randomInt } from 'node:crypto'
import type { PairingOptions } from '../config.js'

/** Crockford's base32: no I, L, O, U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CODE_LENGTH = 8

/** A new code, shown as `XXXX-XXXX` (40 random bits). */
export function newPairingCode(): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/** The code as typed, made canonical: case, spaces and dashes do not matter; O/I/L read as 0/1/1. */
export function normalizePairingCode(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
}

/** What the store keeps instead of the code. */
export const hashPairingCode = (typed: string): string => createHash('sha256').update(normalizePairingCode(typed)).digest('hex')

/** Counts attempts per key in a sliding window; bounded in memory. */
export class AttemptLimiter {
  private readonly attempts = new Map<number, number[]>()

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Records an attempt by `key` at `now`; false when `key` has used up its attempts (the attempt is not counted then). */
  take(key: number, now: number): boolean {
    const recent = (this.attempts.get(key) ?? []).filter((t) => t > now - this.windowMs)
    if (recent.length >= this.max) {
      this.attempts.set(key, recent)
      return false
    }
    recent.push(now)
    this.attempts.delete(key)
    if (this.attempts.size >= this.maxKeys) this.attempts.delete(this.attempts.keys().next().value!)
    this.attempts.set(key, recent)
    return true
  }
}

export type PairAttempt = PairingResult | 'rate_limited' | 'malformed'

/** One-time codes that add a Telegram user to the allowlist. */
export class Pairing {
  private readonly limiter: AttemptLimiter

  constructor(
    private readonly store: TelegramAccessStore,
    private readonly clock: Clock,
    private readonly options: PairingOptions,
  ) {
    this.limiter = new AttemptLimiter(options.maxAttempts, options.windowSeconds * 1000)
  }

  /** A new code, valid `codeTtlSeconds`; only its hash is stored. */
  issue(): { code: string; expiresAt: number } {
    const now = this.clock.now()
    const expiresAt = now + this.options.codeTtlSeconds * 1000
    this.store.prunePairingCodes(now)
    for (;;) {
      const code = newPairingCode()
      try {
        this.store.addPairingCode({ codeHash: hashPairingCode(code), createdAt: now, expiresAt })
        return { code, expiresAt }
      } catch (err) {
        // a clash of 40 random bits with a live code: draw again
        if (!(err instanceof Error && /exists/.test(err.message))) throw err
      }
    }
  }

  /** `/pair <typed>` from `user`: rate-limited per user, then redeemed atomically. */
  attempt(user: { id: number; username?: string | undefined }, typed: string): PairAttempt {
    const now = this.clock.now()
    if (!this.limiter.take(user.id, now)) return 'rate_limited'
    const code = normalizePairingCode(typed)
    if (code.length !== CODE_LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return 'malformed'
    return this.store.redeemPairingCode(hashPairingCode(code), { userId: user.id, username: user.username ?? null, addedAt: now }, now)
  }
}

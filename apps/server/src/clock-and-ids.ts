import { createHash, randomBytes } from 'node:crypto'
import type { Clock, IdGenerator } from '@claude-sessions/core'

/** The Clock port on the system's time. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/** The IdGenerator port on crypto randomness: 8-hex session ids, 24-byte tokens. */
export const randomIds: IdGenerator = {
  sessionId: () => randomBytes(4).toString('hex'),
  token: () => randomBytes(24).toString('base64url'),
}

/** How session tokens are kept: only their SHA-256. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

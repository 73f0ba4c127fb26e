import { createHash, randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import type { Clock, IdGenerator } from '@claude-sessions/core'

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export const randomIds: IdGenerator = {
  sessionId: () => randomBytes(4).toString('hex'),
  token: () => randomBytes(24).toString('base64url'),
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

export const isDirectory = (path: string): boolean => {
  try {
    return path.startsWith('/') && statSync(path).isDirectory()
  } catch {
    return false
  }
}

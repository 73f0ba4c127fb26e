import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'

/** Reads the operator token, creating it (mode 0600) on first use. */
export function ensureOperatorToken(path: string): string {
  try {
    const existing = readFileSync(path, 'utf8').trim()
    if (existing.length >= 16) {
      chmodSync(path, 0o600)
      return existing
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const token = randomBytes(32).toString('base64url')
  writeFileSync(path, `${token}\n`, { mode: 0o600 })
  chmodSync(path, 0o600)
  return token
}

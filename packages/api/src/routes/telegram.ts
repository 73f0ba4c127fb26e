import { SessionsError } from '@claude-sessions/core'
import { Hono } from 'hono'
import type { AuthEnv } from '../middleware/auth.js'

/** What the API needs of the Telegram bot. */
export interface TelegramPairing {
  /** A one-time pairing code for `/pair <code>`, and when it expires (epoch ms). */
  issuePairingCode(): { code: string; expiresAt: number }
}

export interface PairingCodeDto {
  code: string
  expiresAt: string
}

/**
 * `POST /telegram/pair`: a one-time code a Telegram user sends as `/pair <code>` to be allowed.
 * The operator only: a session may not let anyone drive the fleet.
 */
export function telegramRoutes(telegram: TelegramPairing | undefined) {
  return new Hono<AuthEnv>().post('/pair', (c) => {
    if (c.get('actor').kind !== 'operator') throw new SessionsError('forbidden', 'only the operator may pair Telegram users (not a session)')
    if (!telegram) throw new SessionsError('unavailable', 'Telegram is not configured on this server (add a telegram: section to the config)')
    const { code, expiresAt } = telegram.issuePairingCode()
    const body: PairingCodeDto = { code, expiresAt: new Date(expiresAt).toISOString() }
    return c.json(body)
  })
}

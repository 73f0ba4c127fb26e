import { SessionsError } from '@claude-sessions/core'
import { Hono } from 'hono'
import type { AuthEnv } from '../middleware/auth.js'

/** What the API needs of the Telegram bot. */
export interface TelegramAdmin {
  /** A one-time pairing code for `/pair <code>`, and when it expires (epoch ms). */
  issuePairingCode(): { code: string; expiresAt: number }
  status(): {
    chatId: number
    configuredUserIds: number[]
    pairedUsers: { userId: number; username: string | null; addedAt: number }[]
    outbox: Record<string, number | undefined>
    topics: Record<string, number | undefined>
    approvalsWaiting: number
    stallRestarts: number
  }
  /** False when the user was not paired. */
  unpair(userId: number): boolean
}

export interface PairingCodeDto {
  code: string
  expiresAt: string
}

export interface TelegramStatusDto {
  chatId: number
  /** Users allowed by the config (`telegram.allowed_user_ids`). */
  configuredUserIds: number[]
  /** Users added with `/pair`. */
  pairedUsers: { userId: number; username: string | null; addedAt: string }[]
  /** Outbox entries by status: pending and sending (not sent yet), failed (given up). */
  outbox: Record<string, number>
  /** Forum topics by status. */
  topics: Record<string, number>
  approvalsWaiting: number
  stallRestarts: number
}

const counts = (r: Record<string, number | undefined>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => e[1] !== undefined))

/**
 * `/telegram`, the operator only (a session may not let anyone drive the fleet):
 * `POST /pair` a one-time code a Telegram user sends as `/pair <code>` to be allowed;
 * `GET /` the bot's status; `DELETE /users/:id` removes a paired user.
 */
export function telegramRoutes(telegram: TelegramAdmin | undefined) {
  const bot = (actorKind: string): TelegramAdmin => {
    if (actorKind !== 'operator') throw new SessionsError('forbidden', 'only the operator may manage Telegram access (not a session)')
    if (!telegram) throw new SessionsError('unavailable', 'Telegram is not configured on this server (add a telegram: section to the config)')
    return telegram
  }
  return new Hono<AuthEnv>()
    .post('/pair', (c) => {
      const { code, expiresAt } = bot(c.get('actor').kind).issuePairingCode()
      const body: PairingCodeDto = { code, expiresAt: new Date(expiresAt).toISOString() }
      return c.json(body)
    })
    .get('/', (c) => {
      const s = bot(c.get('actor').kind).status()
      const body: TelegramStatusDto = {
        ...s,
        pairedUsers: s.pairedUsers.map((u) => ({ ...u, addedAt: new Date(u.addedAt).toISOString() })),
        outbox: counts(s.outbox),
        topics: counts(s.topics),
      }
      return c.json(body)
    })
    .delete('/users/:id', (c) => {
      const admin = bot(c.get('actor').kind)
      const raw = c.req.param('id')
      const userId = Number(raw)
      if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(userId) || userId <= 0) throw new SessionsError('invalid_input', `not a Telegram user id: '${raw}'`)
      if (admin.status().configuredUserIds.includes(userId)) {
        throw new SessionsError('invalid_input', `user ${userId} is allowed by the config (telegram.allowed_user_ids): remove it there and restart`)
      }
      if (!admin.unpair(userId)) throw new SessionsError('not_found', `user ${userId} is not paired`)
      return c.json({ userId, removed: true })
    })
}

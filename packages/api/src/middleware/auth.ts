import { createHash, timingSafeEqual } from 'node:crypto'
import { SessionsError, type Actor } from '@claude-sessions/core'
import { type SessionService } from '@claude-sessions/core/services'
import type { MiddlewareHandler } from 'hono'

export type { Actor }

export type AuthEnv = { Variables: { actor: Actor } }

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

export const bearerToken = (header: string | undefined): string | null => {
  if (header === undefined) return null
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim())
  return m ? m[1]! : null
}

/** Header value or null when absent or empty (http hooks send "" for an unset variable). */
export const headerValue = (value: string | undefined): string | null =>
  value === undefined || value.trim() === '' ? null : value.trim()

/**
 * Every `/sessions` request carries a bearer token: the operator token, or a session's own
 * token together with `X-SM-Session: <id>`.
 */
export function requireActor(service: SessionService, operatorToken: string): MiddlewareHandler<AuthEnv> {
  const operatorDigest = digest(operatorToken)
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'))
    if (token === null) throw new SessionsError('unauthorized', 'missing bearer token')
    const sessionId = headerValue(c.req.header('x-sm-session'))
    if (sessionId !== null) {
      if (!service.verifySessionToken(sessionId, token)) throw new SessionsError('unauthorized', 'wrong session token')
      c.set('actor', { kind: 'session', id: sessionId })
    } else {
      if (!timingSafeEqual(digest(token), operatorDigest)) throw new SessionsError('unauthorized', 'wrong operator token')
      c.set('actor', { kind: 'operator' })
    }
    await next()
  }
}

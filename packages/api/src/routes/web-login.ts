import { SessionsError } from '@claude-sessions/core'
import { Hono } from 'hono'
import type { AuthEnv } from '../middleware/auth.js'

/** Mints a one-time login link to the web dashboard. */
export interface WebLoginIssuer {
  /** The link (`http://127.0.0.1:<web port>/#c=<code>`: the code in the fragment) and when it expires (epoch ms). */
  issueLogin(): { url: string; expiresAt: number }
}

/** `POST /web/login`. */
export interface WebLoginDto {
  url: string
  expiresAt: string
}

/**
 * `/web` on the API port, the operator only: agents are not people, so a session's token never
 * gets a login to the page that approves tool calls and takes control of terminals.
 */
export function webLoginRoutes(web: WebLoginIssuer | undefined) {
  return new Hono<AuthEnv>().post('/login', (c) => {
    if (c.get('actor').kind !== 'operator') throw new SessionsError('forbidden', 'only the operator may open the web dashboard (not a session)')
    if (!web) throw new SessionsError('unavailable', 'the web dashboard is turned off on this server (web.enabled: false)')
    const { url, expiresAt } = web.issueLogin()
    const body: WebLoginDto = { url, expiresAt: new Date(expiresAt).toISOString() }
    return c.json(body)
  })
}

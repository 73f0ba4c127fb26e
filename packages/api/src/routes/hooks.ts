import type { SessionService } from '@claude-sessions/core'
import { Hono } from 'hono'
import { bearerToken, headerValue } from '../middleware/auth.js'
import { parseJson } from '../schemas.js'

/**
 * `POST /hooks/:event`: one hook event. Managed sessions send `X-SM-Session` and their token;
 * without `X-SM-Session` the event belongs to an external session keyed by `session_id`.
 * The reply is what the hook prints for Claude Code.
 */
export function hookRoutes(service: SessionService) {
  return new Hono().post('/:event', async (c) => {
    const raw = await c.req.text()
    const reply = service.ingestHook({
      event: c.req.param('event'),
      payload: parseJson(raw),
      raw,
      managerId: headerValue(c.req.header('x-sm-session')),
      token: bearerToken(c.req.header('authorization')),
    })
    return c.json(reply)
  })
}

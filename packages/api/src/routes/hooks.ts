import type { HookInput, SessionService } from '@claude-sessions/core'
import { Hono } from 'hono'
import { bearerToken, headerValue } from '../middleware/auth.js'
import { eventIdOf } from '../hook-listener.js'
import { parseJson } from '../schemas.js'

/** A hook request as the service takes it: the same for the router and the node:http fast path. */
export function hookInput(event: string, raw: string, sessionHeader: string | undefined, authorization: string | undefined): HookInput {
  return { event, payload: parseJson(raw), raw, managerId: headerValue(sessionHeader), token: bearerToken(authorization) }
}

/**
 * `POST /hooks/:event`: one hook event. Managed sessions send `X-SM-Session` and their token;
 * without `X-SM-Session` the event belongs to an external session keyed by `session_id`.
 * The reply is what the hook prints for Claude Code.
 */
export function hookRoutes(service: SessionService, written?: () => Promise<boolean>) {
  return new Hono().post('/:event', async (c) => {
    const raw = await c.req.text()
    const input = hookInput(c.req.param('event'), raw, c.req.header('x-sm-session'), c.req.header('authorization'))
    const eventId = eventIdOf(c.req.header('x-sm-event'))
    const reply = service.ingestHookHeld(eventId === undefined ? input : { ...input, eventId }, c.req.raw.signal)
    // a 2xx means stored (see hook-listener.ts)
    const [answer] = await Promise.all([reply, written?.()])
    return c.json(answer)
  })
}

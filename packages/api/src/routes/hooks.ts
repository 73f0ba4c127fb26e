import type { HookInput, SessionService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { bearerToken, headerValue } from '../middleware/auth.js'
import { parseJson } from '../schemas.js'

/** `X-SM-Event`: the hook's own id for the event (a random UUID from sm-hook). */
const EVENT_ID = /^[A-Za-z0-9_-]{16,64}$/

/**
 * A hook request as the service takes it: the same for the router and the node:http fast path.
 * A malformed event id is no id (the event is still recorded).
 */
export function hookInput(
  event: string,
  raw: string,
  sessionHeader: string | undefined,
  authorization: string | undefined,
  eventHeader: string | string[] | undefined,
): HookInput {
  const input: HookInput = { event, payload: parseJson(raw), raw, managerId: headerValue(sessionHeader), token: bearerToken(authorization) }
  if (typeof eventHeader === 'string' && EVENT_ID.test(eventHeader)) input.eventId = eventHeader
  return input
}

/**
 * `POST /hooks/:event`: one hook event. Managed sessions send `X-SM-Session` and their token;
 * without `X-SM-Session` the event belongs to an external session keyed by `session_id`.
 * The reply is what the hook prints for Claude Code.
 */
export function hookRoutes(service: SessionService, written?: () => Promise<boolean>) {
  return new Hono().post('/:event', async (c) => {
    const raw = await c.req.text()
    const input = hookInput(c.req.param('event'), raw, c.req.header('x-sm-session'), c.req.header('authorization'), c.req.header('x-sm-event'))
    const reply = service.ingestHookHeld(input, c.req.raw.signal)
    // a 2xx means stored (see hook-listener.ts)
    const [answer] = await Promise.all([reply, written?.()])
    return c.json(answer)
  })
}

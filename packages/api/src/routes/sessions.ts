import type { SessionService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { toEventDto, toSessionDto, type KilledDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import {
  createSessionBody,
  eventsQuery,
  inputBody,
  killQuery,
  keyBody,
  listQuery,
  outputQuery,
  parseJson,
  parseWith,
  renameBody,
} from '../schemas.js'

export function sessionRoutes(service: SessionService) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      const q = parseWith(listQuery, c.req.query(), 'query')
      const includeStopped = q.all === 'true' || q.all === '1'
      return c.json({ sessions: service.list({ includeStopped }).map(toSessionDto) })
    })
    .post('/', async (c) => {
      const body = parseWith(createSessionBody, parseJson(await c.req.text()), 'body')
      const actor = c.get('actor')
      const session = await service.create({
        ...body,
        parentId: actor.kind === 'session' ? actor.id : undefined,
      })
      return c.json({ session: toSessionDto(session) }, 201)
    })
    .get('/:ref', (c) => c.json({ session: toSessionDto(service.resolve(c.req.param('ref'))) }))
    .patch('/:ref', async (c) => {
      const body = parseWith(renameBody, parseJson(await c.req.text()), 'body')
      return c.json({ session: toSessionDto(await service.rename(c.req.param('ref'), body.name, c.get('actor'))) })
    })
    .delete('/:ref', async (c) => {
      const q = parseWith(killQuery, c.req.query(), 'query')
      if (q.tree === true) {
        const body: KilledDto = { sessions: (await service.killTree(c.req.param('ref'), c.get('actor'))).map(toSessionDto) }
        return c.json(body)
      }
      return c.json({ session: toSessionDto(await service.kill(c.req.param('ref'), c.get('actor'))) })
    })
    .post('/:ref/input', async (c) => {
      const body = parseWith(inputBody, parseJson(await c.req.text()), 'body')
      const { session, result } = await service.input(c.req.param('ref'), body.text, c.get('actor'))
      return c.json({ session: toSessionDto(session), delivery: result })
    })
    .post('/:ref/key', async (c) => {
      const body = parseWith(keyBody, parseJson(await c.req.text()), 'body')
      return c.json({ session: toSessionDto(await service.sendKey(c.req.param('ref'), body.key, c.get('actor'))) })
    })
    .get('/:ref/output', async (c) => {
      const q = parseWith(outputQuery, c.req.query(), 'query')
      const { session, text } = await service.output(c.req.param('ref'), q.lines)
      return c.json({ session: toSessionDto(session), text })
    })
    .get('/:ref/events', (c) => {
      const q = parseWith(eventsQuery, c.req.query(), 'query')
      const { session, events } = service.events(c.req.param('ref'), { limit: q.limit, afterId: q.after })
      return c.json({ session: toSessionDto(session), events: events.map(toEventDto) })
    })
    .get('/:ref/last-message', (c) => {
      const session = service.resolve(c.req.param('ref'))
      return c.json({ session: toSessionDto(session), message: session.lastMessage })
    })
}

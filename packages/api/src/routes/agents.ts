import { childStatus, SessionsError, type Session } from '@claude-sessions/core'
import { type MessageService, type SessionService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { toMessageDto, toSessionDto, type ChildDto, type ChildrenDto, type MessageEnvelope, type MessagesDto, type SessionEnvelope, type WatchDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import { childrenQuery, clearBody, messageBody, messagesQuery, parseJson, parseWith, spawnBody, waitBody } from '../schemas.js'

/** The calling session: these routes act on behalf of an agent. */
function callerId(actor: AuthEnv['Variables']['actor'], what: string): string {
  if (actor.kind !== 'session') throw new SessionsError('forbidden', `${what} works only from inside a managed session`)
  return actor.id
}

export interface AgentRouteOptions {
  /** `sm spawn --wait`: "still busy" after this long. */
  spawnWaitTimeoutMs: number
  /** `sm wait`: how long a finished session must stay quiet. */
  waitSettleMs: number
  now(): number
}

const toChildDto = (s: Session, root: string, all: readonly Session[], now: number): ChildDto => {
  let depth = 0
  for (let p: Session | undefined = s; p && p.id !== root; p = all.find((x) => x.id === p!.parentId)) depth++
  return { ...toSessionDto(s), status: childStatus(s), ageMs: now - s.createdAt, depth, lastMessage: s.lastMessage }
}

/** Multi-agent routes: spawn, children, messages, wait, clear (mounted under /sessions). */
export function agentRoutes(service: SessionService, messages: MessageService, options: AgentRouteOptions) {
  return new Hono<AuthEnv>()
    .post('/spawn', async (c) => {
      const parentId = callerId(c.get('actor'), 'sm spawn')
      const body = parseWith(spawnBody, parseJson(await c.req.text()), 'body')
      const parent = service.resolve(parentId)
      const child = await service.create({
        workingDir: body.workingDir ?? parent.workingDir,
        name: body.name,
        model: body.model,
        prompt: body.prompt,
        policy: body.policy,
        parentId,
        spawned: true,
      })
      if (body.wait !== undefined) messages.watch(parentId, child.id, body.wait * 1000, options.spawnWaitTimeoutMs)
      const reply: SessionEnvelope = { session: toSessionDto(child) }
      return c.json(reply, 201)
    })
    .get('/:ref/children', (c) => {
      const q = parseWith(childrenQuery, c.req.query(), 'query')
      const root = service.resolve(c.req.param('ref'))
      const tree = service.subtree(root.id).slice(1)
      const all = service.list({ includeStopped: true })
      const rows = (q.recursive ? tree : tree.filter((s) => s.parentId === root.id))
        .filter((s) => q.status === 'all' || childStatus(s) === q.status)
        .map((s) => toChildDto(s, root.id, all, options.now()))
      const body: ChildrenDto = { session: toSessionDto(root), children: rows }
      return c.json(body)
    })
    .post('/:ref/messages', async (c) => {
      const body = parseWith(messageBody, parseJson(await c.req.text()), 'body')
      const result = await messages.send({ from: c.get('actor'), to: c.req.param('ref'), text: body.text, mode: body.mode })
      const reply: MessageEnvelope = { message: toMessageDto(result.message), status: result.status }
      return c.json(reply, result.status === 'delivered' ? 200 : 202)
    })
    .get('/:ref/messages', (c) => {
      const q = parseWith(messagesQuery, c.req.query(), 'query')
      const session = service.resolve(c.req.param('ref'))
      const body: MessagesDto = { messages: messages.list({ recipientId: session.id, limit: q.limit, ...(q.status ? { status: q.status } : {}) }).map(toMessageDto) }
      return c.json(body)
    })
    .post('/:ref/wait', async (c) => {
      const watcherId = callerId(c.get('actor'), 'sm wait')
      const body = parseWith(waitBody, parseJson(await c.req.text()), 'body')
      const watch = messages.watch(watcherId, c.req.param('ref'), options.waitSettleMs, body.seconds * 1000)
      const reply: WatchDto = { watch: { id: watch.id, target: watch.targetId, deadline: new Date(watch.deadline).toISOString() } }
      return c.json(reply, 202)
    })
    .post('/:ref/clear', async (c) => {
      const body = parseWith(clearBody, parseJson((await c.req.text()) || '{}'), 'body')
      const session = await messages.clear(c.req.param('ref'), body.prompt, c.get('actor'))
      const reply: SessionEnvelope = { session: toSessionDto(session) }
      return c.json(reply)
    })
}

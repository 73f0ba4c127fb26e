import { matchesToolFilter, parseTimeBound, SessionsError, type SessionService, type ToolAuditor, type ToolEvent, type ToolEventFilter } from '@claude-sessions/core'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { toSessionDto, toToolEventDto, type SessionToolsDto, type ToolStatsDto, type ToolsDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import { parseWith, sessionToolsQuery, toolsQuery } from '../schemas.js'

type ToolsQuery = ReturnType<typeof toolsQuery.parse>

/** The store filter of a query: `session` is one session, `tree` the session and its descendants. */
function filterOf(service: SessionService, q: ToolsQuery, now: number): ToolEventFilter {
  if (q.session !== undefined && q.tree !== undefined) throw new SessionsError('invalid_input', 'give session or tree, not both')
  const filter: ToolEventFilter = { limit: q.limit }
  if (q.session !== undefined) filter.sessionIds = [service.resolve(q.session).id]
  if (q.tree !== undefined) filter.sessionIds = service.subtree(q.tree).map((s) => s.id)
  if (q.tool !== undefined) filter.toolName = q.tool
  if (q.destructive !== undefined) filter.destructive = q.destructive
  if (q.sensitive !== undefined) filter.sensitive = q.sensitive
  if (q.denied !== undefined) filter.denied = q.denied
  if (q.project !== undefined) filter.project = q.project
  if (q.since !== undefined) filter.since = parseTimeBound(q.since, now, 'since')
  if (q.until !== undefined) filter.until = parseTimeBound(q.until, now, 'until')
  return filter
}

/** Seconds between SSE comments that keep idle streams (and proxies) alive. */
const KEEPALIVE_MS = 15_000

export function toolRoutes(service: SessionService, audit: ToolAuditor, now: () => number) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      const filter = filterOf(service, parseWith(toolsQuery, c.req.query(), 'query'), now())
      const body: ToolsDto = { tools: audit.list(filter).map(toToolEventDto) }
      return c.json(body)
    })
    .get('/stats', (c) => {
      const q = parseWith(toolsQuery, c.req.query(), 'query')
      const { limit: _limit, ...filter } = filterOf(service, q, now())
      const body: ToolStatsDto = { by: q.by, rows: audit.stats(filter, q.by) }
      return c.json(body)
    })
    .get('/stream', (c) => {
      const q = parseWith(toolsQuery, c.req.query(), 'query')
      const { limit: _limit, since: _since, until: _until, ...filter } = filterOf(service, q, now())
      // a tree grows: a new child of any session in it joins
      const tree = q.tree !== undefined ? new Set(filter.sessionIds) : null
      return streamSSE(c, async (stream) => {
        const queue: ToolEvent[] = []
        let wake: (() => void) | null = null
        const unsubscribe = audit.onRecorded((e) => {
          if (tree && e.parentId !== null && tree.has(e.parentId)) tree.add(e.sessionId)
          const f = tree ? { ...filter, sessionIds: [...tree] } : filter
          if (!matchesToolFilter(e, f)) return
          queue.push(e)
          wake?.()
        })
        let open = true
        stream.onAbort(() => {
          open = false
          wake?.()
        })
        try {
          await stream.writeSSE({ event: 'ready', data: '{}' })
          while (open) {
            while (queue.length > 0) {
              const e = queue.shift()!
              await stream.writeSSE({ event: 'tool', id: String(e.id), data: JSON.stringify(toToolEventDto(e)) })
            }
            await new Promise<void>((resolve) => {
              wake = resolve
              setTimeout(resolve, KEEPALIVE_MS).unref()
            })
            wake = null
            if (open && queue.length === 0) await stream.write(': keepalive\n\n')
          }
        } finally {
          unsubscribe()
        }
      })
    })
}

export function sessionToolRoutes(service: SessionService, audit: ToolAuditor) {
  return new Hono<AuthEnv>().get('/:ref/tools', (c) => {
    const q = parseWith(sessionToolsQuery, c.req.query(), 'query')
    const session = service.resolve(c.req.param('ref'))
    const body: SessionToolsDto = { session: toSessionDto(session), tools: audit.list({ sessionIds: [session.id], limit: q.limit }).map(toToolEventDto) }
    return c.json(body)
  })
}

import { parseTimeBound, SessionsError, type ToolEvent, type ToolEventFilter } from '@claude-sessions/core'
import { matchesToolFilter, type ToolAuditor } from '@claude-sessions/core/audit'
import { type SessionService } from '@claude-sessions/core/services'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { toSessionDto, toToolEventDto, type SessionToolsDto, type ToolStatsDto, type ToolsDto } from '../dto.js'
import type { AuthEnv } from '../middleware/auth.js'
import { parseWith, sessionToolsQuery, toolsQuery } from '../schemas.js'
import { ToolBroadcast } from '../tool-broadcast.js'

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

/** A stream client whose socket has this much not yet taken is dropped rather than buffered for. */
export const DEFAULT_STREAM_BACKLOG_BYTES = 8 << 20

/**
 * On Node, the stream is written straight to the socket's ServerResponse (no web-stream hops per
 * chunk: with hundreds of streams those hops took the event loop from the hooks); the route then
 * answers with this adapter's "already sent" response. Elsewhere hono's streamSSE serves it.
 */
export interface RawStreams {
  alreadySent: Response
}

/** The bits of node:http's ServerResponse the raw stream uses. */
interface NodeOutgoing {
  writeHead(status: number, headers: Record<string, string>): unknown
  write(chunk: Uint8Array | string): boolean
  readonly writableLength: number
  destroy(): void
  on(event: 'close', listener: () => void): unknown
}

/** Where a stream client's bytes go: the node socket, or hono's stream. */
interface StreamSink {
  write(chunk: Uint8Array | string): void
  /** Handed over and not yet taken by the client. */
  pending(): number
  /** Cuts the client off. */
  drop(): void
}

/**
 * Feeds one stream client: subscribed before `ready` goes out (nothing recorded after the client
 * hears it is missed), a keepalive comment when idle, and never buffered without limit: a client
 * more than `backlogBytes` behind is dropped (it may reconnect). Returns what ends it.
 */
function feed(sink: StreamSink, broadcast: ToolBroadcast, wants: ((e: ToolEvent) => boolean) | null, backlogBytes: number): () => void {
  let unsubscribe: (() => void) | null = null
  let keepalive: ReturnType<typeof setInterval> | undefined
  const end = () => {
    unsubscribe?.()
    unsubscribe = null
    clearInterval(keepalive)
  }
  const write = (chunk: Uint8Array | string): void => {
    if (sink.pending() > backlogBytes) {
      end()
      sink.drop()
      return
    }
    sink.write(chunk)
  }
  unsubscribe = broadcast.subscribe(wants === null ? { send: write } : { wants, send: write })
  write('event: ready\ndata: {}\n\n')
  keepalive = setInterval(() => {
    if (sink.pending() === 0) write(': keepalive\n\n')
  }, KEEPALIVE_MS)
  keepalive.unref()
  return end
}

export interface ToolRouteOptions {
  now: () => number
  /** A stream client with more than this many bytes not taken by its socket is dropped. */
  backlogBytes?: number
  raw?: RawStreams | undefined
  /** True while hooks wait for work queued this turn: stream writes let it go first (ToolBroadcastOptions.yieldTo). */
  hooksWaiting?: (() => boolean) | undefined
}

export function toolRoutes(service: SessionService, audit: ToolAuditor, options: ToolRouteOptions) {
  const { now, backlogBytes = DEFAULT_STREAM_BACKLOG_BYTES, raw } = options
  // one listener on the auditor and one serialisation per event, however many streams
  const broadcast = new ToolBroadcast(audit, options.hooksWaiting ? { yieldTo: options.hooksWaiting } : {})
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
      let current = filter
      // no filter: every event, and the broadcast need not ask event by event
      const wants =
        Object.keys(filter).length === 0
          ? null
          : (e: ToolEvent): boolean => {
              if (tree && e.parentId !== null && tree.has(e.parentId) && !tree.has(e.sessionId)) {
                tree.add(e.sessionId)
                current = { ...filter, sessionIds: [...tree] }
              }
              return matchesToolFilter(e, current)
            }
      const outgoing = (c.env as { outgoing?: NodeOutgoing } | undefined)?.outgoing
      if (raw !== undefined && outgoing !== undefined) {
        outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
        const end = feed({ write: (chunk) => outgoing.write(chunk), pending: () => outgoing.writableLength, drop: () => outgoing.destroy() }, broadcast, wants, backlogBytes)
        outgoing.on('close', end)
        return raw.alreadySent
      }
      return streamSSE(c, async (stream) => {
        let closed!: () => void
        const gone = new Promise<void>((resolve) => (closed = resolve))
        let unsent = 0
        stream.onAbort(() => closed())
        const end = feed(
          {
            write: (chunk) => {
              unsent += chunk.length
              // never rejects (hono's write swallows a closed stream's errors)
              void stream.write(chunk).then(() => {
                unsent -= chunk.length
              })
            },
            pending: () => unsent,
            // on node its socket goes at once, else the stream ends once the socket takes what it holds
            drop: () => {
              outgoing?.destroy()
              stream.abort()
              closed()
            },
          },
          broadcast,
          wants,
          backlogBytes,
        )
        try {
          await gone
        } finally {
          end()
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

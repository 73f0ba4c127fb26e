import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface HttpLimits {
  /** Time for a client to send the request's headers (node: `headersTimeout`; 408 after). */
  headersTimeoutMs: number
  /**
   * Time for a client to send the whole request, headers and body (node: `requestTimeout`).
   * Node stops this clock once the request is in: a response may take as long as it likes, so a
   * PermissionRequest held ~170 s for a Telegram button and an SSE stream are never cut by it.
   */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection stays open after its last response. */
  keepAliveTimeoutMs: number
  /**
   * Connections above this make the oldest idle ones close (keep-alive sockets between requests,
   * sockets that never sent a whole request). A new connection is never refused: a hook must get
   * through, and while idle sockets exist they go first.
   */
  maxConnections: number
  /**
   * A socket idle for less than this is never closed to make room: a client that just connected
   * has not sent its request yet (200 hooks arriving at once must all get through).
   */
  minIdleMs: number
}

/**
 * Generous for local clients (the hook script sends its whole request at once; bodies are at most
 * a few MiB over loopback), short enough that idle and stalled sockets can't pile up.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 128,
  minIdleMs: 1_000,
}

export interface ConnectionStats {
  /** Open connections now. */
  readonly open: number
  /** Of those, the ones with no request in progress. */
  readonly idle: number
  /** Idle connections closed to make room, since the limits were applied. */
  readonly reaped: number
}

/**
 * A reply that starts before its request's body is all in (a 401 or 404 the router gives
 * without reading the body) says `Connection: close`: the rest of the body is then drained or
 * cut by node and the router's adapter, and a keep-alive client that sent its next request on
 * the same connection would meet a reset. With the header it opens a new connection instead.
 */
function closeIfAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) return
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (!req.complete && !this.headersSent) this.setHeader('connection', 'close')
    return writeHead.apply(this, args)
  } as ServerResponse['writeHead']
}

interface Tracked {
  /** Requests in progress on the socket (pipelining can make it more than one). */
  busy: number
  /** When it connected, or last turned idle. */
  idleSince: number
}

/**
 * Applies timeouts and a connection cap to `server`: idle keep-alive sockets close after
 * `keepAliveTimeoutMs`; requests whose headers or body never finish get 408 from node; and once
 * more than `maxConnections` are open, the idle ones close, the longest idle first, so sockets
 * nobody uses can't take the file descriptors that hooks and `/health` need. A reply sent before
 * its request's body was read closes its connection (see closeIfAnsweredEarly). Returns live counts.
 */
export function applyHttpLimits(server: Server, limits: HttpLimits = DEFAULT_HTTP_LIMITS): ConnectionStats {
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
  server.requestTimeout = limits.requestTimeoutMs
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  // an idle-socket timeout (server.timeout) would cut held hooks and quiet SSE streams: none
  server.timeout = 0

  // insertion order is idleness order: a socket moves to the end whenever it turns idle
  const sockets = new Map<Socket, Tracked>()
  let reaped = 0

  const reap = (spare: Socket): void => {
    const youngest = performance.now() - limits.minIdleMs
    for (const [socket, tracked] of sockets) {
      if (sockets.size <= limits.maxConnections) return
      // in idleness order: from here on every socket turned idle (or connected) too recently
      if (tracked.busy === 0 && tracked.idleSince > youngest) return
      if (tracked.busy > 0 || socket === spare) continue
      sockets.delete(socket)
      reaped++
      socket.destroy()
    }
  }

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { busy: 0, idleSince: performance.now() })
    socket.once('close', () => sockets.delete(socket))
    if (sockets.size > limits.maxConnections) reap(socket)
  })

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    closeIfAnsweredEarly(req, res)
    const socket = req.socket
    const tracked = sockets.get(socket)
    if (tracked === undefined) return
    tracked.busy++
    res.once('close', () => {
      tracked.busy--
      if (tracked.busy === 0 && sockets.has(socket)) {
        // idle from now on: to the end of the line
        sockets.delete(socket)
        tracked.idleSince = performance.now()
        sockets.set(socket, tracked)
      }
    })
  })

  return {
    get open() {
      return sockets.size
    },
    get idle() {
      let n = 0
      for (const tracked of sockets.values()) if (tracked.busy === 0) n++
      return n
    },
    get reaped() {
      return reaped
    },
  }
}

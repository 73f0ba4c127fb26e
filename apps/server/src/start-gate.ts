import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { errorBody } from '@claude-sessions/api'
import { SessionsError } from '@claude-sessions/core'

/** Requests held while the server starts; beyond this many, a request gets 503 (a hook then spools). */
export const MAX_HELD = 10_000

/**
 * The port is open before the server is ready (reconciling with tmux, importing the spool): a
 * request that comes meanwhile is held, not refused, and handled in arrival order once `open`
 * is called. A hook never gets "server is starting"; it just waits a moment. A client that gives
 * up meanwhile is dropped from the queue.
 */
export class StartGate {
  private listener: RequestListener | null = null
  private held: [IncomingMessage, ServerResponse][] = []
  private refusing = false

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.listener !== null) {
      void this.listener(req, res)
      return
    }
    if (this.refusing || this.held.length >= MAX_HELD) {
      unavailable(res, this.refusing ? 'server failed to start' : 'server is starting')
      req.resume()
      return
    }
    this.held.push([req, res])
  }

  get heldCount(): number {
    return this.held.length
  }

  /** Handles what was held, in order, then every later request. */
  open(listener: RequestListener): void {
    this.listener = listener
    const held = this.held
    this.held = []
    for (const [req, res] of held) if (!res.destroyed) void listener(req, res)
  }

  /** Start failed: what is held, and what comes, gets 503. */
  refuseAll(): void {
    this.refusing = true
    const held = this.held
    this.held = []
    for (const [req, res] of held) {
      if (!res.destroyed) unavailable(res, 'server failed to start')
      req.resume()
    }
  }
}

function unavailable(res: ServerResponse, message: string): void {
  const { status, body } = errorBody(new SessionsError('unavailable', message))
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' })
  res.end(JSON.stringify(body))
}

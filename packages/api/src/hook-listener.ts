import type { IncomingMessage, ServerResponse } from 'node:http'
import { SessionsError } from '@claude-sessions/core'
import { type SessionService } from '@claude-sessions/core/services'
import { errorBody, type ErrorLog } from './errors.js'
import { assertLocalRequest } from './middleware/local-only.js'
import { hookInput } from './routes/hooks.js'

export interface HookListenerDeps {
  service: SessionService
  maxBodyBytes: number
  log?: ErrorLog
  /**
   * Resolves once everything ingested so far is on disk (true) or could not be written (false:
   * kept in memory, retried). The reply waits for it, so a 2xx means stored. Absent: at once.
   */
  written?: () => Promise<boolean>
  /**
   * Why hooks can't be taken now (a full disk with too many events already waiting in memory),
   * or null. A refused hook gets 503 before anything is ingested, and the hook script spools it.
   */
  refusing?: () => string | null
}

const HOOK_PATH = /^\/hooks\/([^/?#]*)(?:\?.*)?$/

/** Replies with JSON; `Server-Timing` carries our own handling time (headers parsed → reply). */
function send(res: ServerResponse, status: number, body: unknown, started: number): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'server-timing': `hook;dur=${(performance.now() - started).toFixed(3)}`,
  })
  res.end(text)
}

function sendError(res: ServerResponse, err: unknown, started: number, log?: ErrorLog): void {
  const { status, body } = errorBody(err, log)
  if (body.error.code === 'payload_too_large') res.setHeader('connection', 'close')
  send(res, status, body, started)
}

const eventName = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded)
  } catch {
    throw new SessionsError('invalid_input', `invalid hook event name '${encoded}'`)
  }
}

/**
 * `POST /hooks/:event` on node:http directly: the hot path (one request per hook, thousands per
 * second), without the per-request Web Request/Response objects of the router. Same guards,
 * validation and errors as the hono route in routes/hooks.ts, plus `refusing` (the server's
 * full-disk 503, which only this path, the one the server serves hooks on, has). Returns false
 * for any other request.
 */
export function createHookListener(deps: HookListenerDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false
    const match = HOOK_PATH.exec(req.url ?? '')
    if (!match) return false
    const started = performance.now()
    try {
      assertLocalRequest(req.headers.host ?? '', req.headers.origin)
      const refused = deps.refusing?.() ?? null
      if (refused !== null) throw new SessionsError('unavailable', refused)
      const declared = Number(req.headers['content-length'] ?? 0)
      if (declared > deps.maxBodyBytes) throw new SessionsError('payload_too_large', `body exceeds ${deps.maxBodyBytes} bytes`)
    } catch (err) {
      sendError(res, err, started, deps.log)
      req.resume()
      return true
    }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > deps.maxBodyBytes) {
        refused = true
        sendError(res, new SessionsError('payload_too_large', `body exceeds ${deps.maxBodyBytes} bytes`), started, deps.log)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (refused) return
      try {
        const raw = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
        const sessionHeader = req.headers['x-sm-session']
        const input = hookInput(eventName(match[1]!), raw, typeof sessionHeader === 'string' ? sessionHeader : undefined, req.headers.authorization, req.headers['x-sm-event'])
        const gone = new AbortController()
        const reply = deps.service.ingestHookHeld(input, gone.signal)
        // held (a person decides on Telegram): the hook gave up if its connection closes first
        if (reply instanceof Promise) res.on('close', () => gone.abort())
        const written = deps.written?.()
        if (written === undefined && !(reply instanceof Promise)) return send(res, 200, reply, started)
        // a 2xx means stored: answered after the commit that holds the event (fail-open when the
        // disk refuses it: the event waits in memory and the hook is not held up)
        Promise.all([reply, written])
          .then(
            ([answer]) => {
              if (!res.destroyed) send(res, 200, answer, started)
            },
            (err: unknown) => {
              if (!res.destroyed) sendError(res, err, started, deps.log)
            },
          )
          .catch((err: unknown) => {
            // the reply itself failed (the socket went meanwhile): nothing left to answer
            deps.log?.error({ err }, 'hook reply failed')
            res.destroy()
          })
      } catch (err) {
        sendError(res, err, started, deps.log)
      }
    })
    req.on('error', () => undefined)
    return true
  }
}

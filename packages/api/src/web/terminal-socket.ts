import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { checkedTerminalSize, isLive, SessionsError, statusForCode, type TerminalSize, type TerminalView, type TerminalViewer } from '@claude-sessions/core'
import type { SessionService } from '@claude-sessions/core/services'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { TerminalClientMessage, TerminalServerMessage } from '../dto.js'
import { assertWebUpgrade } from './guards.js'
import { WEB_COOKIE } from './web-app.js'
import type { WebLogins } from './web-logins.js'

/** A client frame (JSON text) is at most this long: keys and pastes, never a flood. */
export const MAX_CLIENT_FRAME = 64 * 1024
/** Output the browser has not taken yet above which reading the terminal pauses, and below which it resumes. */
export const PAUSE_ABOVE = 1024 * 1024
export const RESUME_BELOW = 256 * 1024

const PATH = /^\/api\/web\/terminal\/([A-Za-z0-9_-]{1,64})$/

export interface TerminalSocketDeps {
  service: Pick<SessionService, 'resolve' | 'setHumanControl'>
  viewer: TerminalViewer
  logins: WebLogins
  allowedHosts?: readonly string[]
  /** Control was given back: what waits to be typed may go now. */
  released?: (sessionId: string) => void
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void }
}

const cookieOf = (header: string | undefined): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === WEB_COOKIE) return value.join('=')
  }
  return undefined
}

/** Refuses an upgrade with a plain HTTP answer on the raw socket. */
function refuse(socket: Duplex, error: unknown): void {
  const known = error instanceof SessionsError ? error : new SessionsError('internal', 'internal error')
  const status = statusForCode[known.code]
  const body = JSON.stringify({ error: { code: known.code, message: known.message } })
  socket.end(`HTTP/1.1 ${status} ${known.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

/**
 * The terminal bridge of the web dashboard (specs/0010-web.md): `GET /api/web/terminal/<id>`
 * upgraded to a WebSocket, for the login cookie and our exact Origin only. The tmux target comes
 * from the session id on the server; the page chooses no command. Read-only until the page takes
 * control (one page per session at a time); sizes and frames are bounded; output pauses while the
 * browser lags. Attach, detach, take and release are logged, never the bytes.
 */
export function terminalUpgrade(deps: TerminalSocketDeps): { handle(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME })
  /** Which connection has control of each session's terminal. */
  const controllers = new Map<string, WebSocket>()
  const viewers = new Map<string, Set<WebSocket>>()

  const tellOthers = (sessionId: string): void => {
    for (const ws of viewers.get(sessionId) ?? []) {
      const control = controllers.get(sessionId) === ws
      send(ws, { type: 'control', control, controlledElsewhere: controllers.has(sessionId) && !control })
    }
  }
  const send = (ws: WebSocket, message: TerminalServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }

  function bridge(ws: WebSocket, sessionId: string, terminal: string): void {
    let view: TerminalView | null = null
    let pending = 0
    let paused = false
    let size: TerminalSize = { cols: 80, rows: 24 }
    const peers = viewers.get(sessionId) ?? new Set<WebSocket>()
    viewers.set(sessionId, peers)
    peers.add(ws)
    const hasControl = (): boolean => controllers.get(sessionId) === ws

    const open = async (control: boolean, wanted?: TerminalSize): Promise<void> => {
      view?.close()
      view = null
      // read-only: drawn at the terminal's own size, which it keeps; with control: the page's size
      size = control && wanted !== undefined ? wanted : await deps.viewer.size(terminal)
      if (ws.readyState !== ws.OPEN) return
      const current = deps.viewer.open(terminal, { ...size, control })
      view = current
      send(ws, { type: 'hello', ...size, control, controlledElsewhere: controllers.has(sessionId) && !control })
      current.onData((chunk) => {
        if (view !== current || ws.readyState !== ws.OPEN) return
        const bytes = Buffer.from(chunk, 'utf8')
        pending += bytes.length
        ws.send(bytes, { binary: true }, () => {
          pending -= bytes.length
          if (paused && pending < RESUME_BELOW) {
            paused = false
            current.resume()
          }
        })
        if (!paused && pending > PAUSE_ABOVE) {
          paused = true
          current.pause()
        }
      })
      current.onExit(() => {
        if (view === current) ws.close(1000, 'the terminal is gone')
      })
    }

    const release = (): void => {
      if (!hasControl()) return
      controllers.delete(sessionId)
      deps.service.setHumanControl(sessionId, false)
      deps.log?.info({ session: sessionId }, 'web: control given back')
      deps.released?.(sessionId)
      tellOthers(sessionId)
    }

    const onMessage = async (raw: RawData, binary: boolean): Promise<void> => {
      if (binary) throw new SessionsError('invalid_input', 'send JSON text frames')
      let message: TerminalClientMessage
      try {
        message = JSON.parse(raw.toString()) as TerminalClientMessage
      } catch {
        throw new SessionsError('invalid_input', 'not JSON')
      }
      switch (message?.type) {
        case 'input':
          if (!hasControl()) throw new SessionsError('forbidden', 'take control before typing')
          if (typeof message.data !== 'string') throw new SessionsError('invalid_input', 'input needs data')
          view?.write(message.data)
          return
        case 'resize': {
          const wanted = checkedTerminalSize(message.cols, message.rows)
          if (wanted === null) throw new SessionsError('invalid_input', 'a size of 20–500 columns and 5–200 rows')
          // only a page with control resizes the terminal; a read-only one follows the terminal
          if (hasControl()) {
            size = wanted
            view?.resize(wanted)
          } else {
            const actual = await deps.viewer.size(terminal)
            if (actual.cols !== size.cols || actual.rows !== size.rows) await open(false)
          }
          return
        }
        case 'take': {
          const wanted = checkedTerminalSize(message.cols, message.rows)
          if (wanted === null) throw new SessionsError('invalid_input', 'a size of 20–500 columns and 5–200 rows')
          if (hasControl()) return
          if (controllers.has(sessionId)) throw new SessionsError('forbidden', 'another page has control of this terminal')
          controllers.set(sessionId, ws)
          deps.service.setHumanControl(sessionId, true)
          deps.log?.info({ session: sessionId }, 'web: control taken')
          await open(true, wanted)
          tellOthers(sessionId)
          return
        }
        case 'release':
          if (!hasControl()) return
          release()
          await open(false)
          return
        default:
          throw new SessionsError('invalid_input', 'unknown message type')
      }
    }

    ws.on('message', (raw, binary) => {
      onMessage(raw, binary).catch((error: unknown) => send(ws, { type: 'error', message: error instanceof SessionsError ? error.message : 'internal error' }))
    })
    ws.on('close', () => {
      view?.close()
      view = null
      release()
      peers.delete(ws)
      if (peers.size === 0) viewers.delete(sessionId)
      deps.log?.info({ session: sessionId }, 'web: terminal detached')
    })
    ws.on('error', () => ws.terminate())
    deps.log?.info({ session: sessionId }, 'web: terminal attached')
    open(false).catch((error: unknown) => {
      send(ws, { type: 'error', message: error instanceof SessionsError ? error.message : 'could not attach' })
      ws.close(1011, 'could not attach')
    })
  }

  return {
    handle(req, socket, head) {
      try {
        const path = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname)
        if (path === null) throw new SessionsError('not_found', 'no such WebSocket route')
        assertWebUpgrade(req.headers.host, req.headers.origin, { allowedHosts: deps.allowedHosts ?? [] }, req.headers.authorization)
        if (!deps.logins.verify(cookieOf(req.headers.cookie))) throw new SessionsError('unauthorized', 'not logged in: run `sm web` for a login link')
        const session = deps.service.resolve(path[1]!)
        if (session.tmuxSession === null) throw new SessionsError('not_typable', `session ${session.id} was not started by sm: it has no terminal here`)
        if (!isLive(session)) throw new SessionsError('session_stopped', `session ${session.id} has stopped`)
        const terminal = session.tmuxSession
        wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, session.id, terminal))
      } catch (error) {
        refuse(socket, error)
      }
    },
    close() {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}

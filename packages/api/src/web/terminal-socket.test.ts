import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TerminalSize, TerminalView, TerminalViewer } from '@claude-sessions/core'
import { aSessionService } from '@claude-sessions/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { TerminalServerMessage } from '../dto.js'
import { MAX_CLIENT_FRAME, terminalUpgrade } from './terminal-socket.js'
import { WebLogins } from './web-logins.js'

/** Views that record what reached them; `emit` plays terminal output. */
class RecordingViewer implements TerminalViewer {
  readonly opened: { terminal: string; size: TerminalSize; control: boolean; written: string[]; resized: TerminalSize[]; closed: boolean; flow: string[]; emit(s: string): void }[] = []
  async size(): Promise<TerminalSize> {
    return { cols: 100, rows: 30 }
  }
  open(terminal: string, options: TerminalSize & { control: boolean }): TerminalView {
    let onData: (chunk: string) => void = () => undefined
    const record = { terminal, size: { cols: options.cols, rows: options.rows }, control: options.control, written: [] as string[], resized: [] as TerminalSize[], closed: false, flow: [] as string[], emit: (s: string) => onData(s) }
    this.opened.push(record)
    queueMicrotask(() => onData('\x1b[H\x1b[2Jscreen of ' + terminal))
    return {
      onData: (l) => (onData = l),
      onExit: () => undefined,
      write: (d) => record.written.push(d),
      resize: (s) => record.resized.push(s),
      pause: () => record.flow.push('pause'),
      resume: () => record.flow.push('resume'),
      close: () => (record.closed = true),
    }
  }
}

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

async function setup() {
  const { service, clock } = aSessionService()
  const logins = new WebLogins({ now: () => clock.now() })
  const viewer = new RecordingViewer()
  const released: string[] = []
  const bridge = terminalUpgrade({ service, viewer, logins, released: (id) => released.push(id) })
  const server = createServer((_, res) => res.writeHead(404).end())
  server.on('upgrade', (req, socket, head) => bridge.handle(req, socket, head))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  const cookie = `sm_web=${logins.redeem(logins.issue().code)}`
  const session = await service.create({ workingDir: '/repo', name: 'alpha' })
  /** A connection; resolves with it once open, or with the HTTP status of the refusal. */
  const connect = (path: string, headers: Record<string, string> = { origin, cookie }) =>
    new Promise<{ ws: WebSocket; messages: TerminalServerMessage[]; output: string[] } | { status: number }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers })
      const messages: TerminalServerMessage[] = []
      const output: string[] = []
      ws.on('message', (data, binary) => (binary ? output.push(data.toString()) : messages.push(JSON.parse(data.toString()) as TerminalServerMessage)))
      ws.on('open', () => resolve({ ws, messages, output }))
      ws.on('unexpected-response', (_, res) => resolve({ status: res.statusCode ?? 0 }))
    })
  const open = async (headers?: Record<string, string>) => {
    const c = await connect(`/api/web/terminal/${session.id}`, headers)
    if ('status' in c) throw new Error(`refused ${c.status}`)
    await until(() => c.messages.some((m) => m.type === 'hello') && c.output.length > 0)
    return c
  }
  return { service, viewer, released, connect, open, session, origin, cookie, port, bridge }
}

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('terminal socket', () => {
  it("opens read-only at the terminal's own size: hello, then the screen as binary frames", async () => {
    const { open, viewer, session } = await setup()
    const c = await open()
    expect(c.messages[0]).toEqual({ type: 'hello', cols: 100, rows: 30, control: false, controlledElsewhere: false })
    expect(c.output.join('')).toContain(`screen of claude-${session.id}`)
    expect(viewer.opened).toMatchObject([{ terminal: `claude-${session.id}`, control: false, size: { cols: 100, rows: 30 } }])
    c.ws.close()
  })

  it.each([
    ['no cookie', (o: string) => ({ origin: o }), 401],
    ['a wrong cookie', (o: string) => ({ origin: o, cookie: 'sm_web=' + 'x'.repeat(43) }), 401],
    ['a foreign Origin, with the cookie', (_: string, c: string) => ({ origin: 'http://127.0.0.1:1', cookie: c }), 403],
    ['no Origin, with the cookie', (_: string, c: string) => ({ cookie: c }), 403],
    ['Host evil.example', (o: string, c: string) => ({ origin: o, cookie: c, host: 'evil.example' }), 403],
    ["an agent's bearer token, with the cookie", (o: string, c: string) => ({ origin: o, cookie: c, authorization: 'Bearer token-1' }), 403],
  ])('refuses an upgrade with %s', async (_, headers, status) => {
    const { connect, origin, cookie, session, viewer } = await setup()
    expect(await connect(`/api/web/terminal/${session.id}`, headers(origin, cookie))).toEqual({ status })
    expect(viewer.opened).toEqual([])
  })

  it('refuses an unknown path (404) and an unknown session (404)', async () => {
    const { connect } = await setup()
    expect(await connect('/api/web/terminal/../../etc')).toEqual({ status: 404 })
    expect(await connect('/api/web/terminal/nosuch')).toEqual({ status: 404 })
  })

  it('read-only: input is refused and never reaches the terminal; a resize does not either', async () => {
    const { open, viewer } = await setup()
    const c = await open()
    c.ws.send(JSON.stringify({ type: 'input', data: 'rm -rf /\r' }))
    c.ws.send(JSON.stringify({ type: 'resize', cols: 40, rows: 10 }))
    await until(() => c.messages.some((m) => m.type === 'error'))
    expect(c.messages.find((m) => m.type === 'error')).toEqual({ type: 'error', message: 'take control before typing' })
    expect(viewer.opened.flatMap((v) => v.written)).toEqual([])
    expect(viewer.opened.flatMap((v) => v.resized)).toEqual([])
    c.ws.close()
  })

  it('take control: typing and resizing reach the terminal, deliveries wait; one page at a time; closing gives control back', async () => {
    const { open, viewer, service, session, released } = await setup()
    const a = await open()
    const b = await open()
    a.ws.send(JSON.stringify({ type: 'take', cols: 90, rows: 25 }))
    await until(() => a.messages.some((m) => m.type === 'hello' && m.control))
    expect(service.underHumanControl(session.id)).toBe(true)
    await until(() => b.messages.some((m) => m.type === 'control' && m.controlledElsewhere))
    const controlled = viewer.opened.find((v) => v.control)!
    expect(controlled.size).toEqual({ cols: 90, rows: 25 })
    a.ws.send(JSON.stringify({ type: 'input', data: 'hello\r' }))
    a.ws.send(JSON.stringify({ type: 'resize', cols: 60, rows: 20 }))
    await until(() => controlled.written.length > 0 && controlled.resized.length > 0)
    expect(controlled.written).toEqual(['hello\r'])
    expect(controlled.resized).toEqual([{ cols: 60, rows: 20 }])
    b.ws.send(JSON.stringify({ type: 'take', cols: 90, rows: 25 }))
    await until(() => b.messages.some((m) => m.type === 'error'))
    expect(b.messages.find((m) => m.type === 'error')).toEqual({ type: 'error', message: 'another page has control of this terminal' })
    a.ws.close()
    await until(() => released.length === 1)
    expect(released).toEqual([session.id])
    expect(service.underHumanControl(session.id)).toBe(false)
    expect(controlled.closed).toBe(true)
    await until(() => b.messages.some((m) => m.type === 'control' && !m.controlledElsewhere))
    b.ws.close()
  })

  it.each([
    [{ type: 'take', cols: 5, rows: 5 }, 'a size of 20–500 columns and 5–200 rows'],
    [{ type: 'take', cols: 100_000, rows: 30 }, 'a size of 20–500 columns and 5–200 rows'],
    [{ type: 'resize', cols: 80.5, rows: 30 }, 'a size of 20–500 columns and 5–200 rows'],
    [{ type: 'nope' }, 'unknown message type'],
    [null, 'unknown message type'],
  ])('a bad message %j gets an error and changes nothing', async (message, error) => {
    const { open, service, session } = await setup()
    const c = await open()
    c.ws.send(JSON.stringify(message))
    await until(() => c.messages.some((m) => m.type === 'error'))
    expect(c.messages.find((m) => m.type === 'error')).toEqual({ type: 'error', message: error })
    expect(service.underHumanControl(session.id)).toBe(false)
    c.ws.close()
  })

  it(`a frame over ${MAX_CLIENT_FRAME} bytes closes the connection (1009) and gives control back`, async () => {
    const { open, service, session } = await setup()
    const c = await open()
    c.ws.send(JSON.stringify({ type: 'take', cols: 90, rows: 25 }))
    await until(() => service.underHumanControl(session.id))
    const closed = new Promise<number>((r) => c.ws.on('close', (code) => r(code)))
    c.ws.send(JSON.stringify({ type: 'input', data: 'x'.repeat(MAX_CLIENT_FRAME + 1) }))
    expect(await closed).toBe(1009)
    await until(() => !service.underHumanControl(session.id))
  })

  it('a browser that stops reading pauses the terminal past 1 MiB unsent, and resumes it once it catches up; nothing is lost', async () => {
    const { open, viewer } = await setup()
    const c = await open()
    const view = viewer.opened[0]!
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    const chunk = 'x'.repeat(64 * 1024)
    for (let i = 0; i < 64; i++) view.emit(chunk)
    await until(() => view.flow.includes('pause'))
    const before = c.output.join('').length
    socket.resume()
    await until(() => view.flow.includes('resume'), 10_000)
    await until(() => c.output.join('').length >= before + 64 * chunk.length - 1, 10_000)
    expect(c.output.join('').split('x').length - 1).toBe(64 * chunk.length)
    c.ws.close()
  })

  it('an agent can never take control: the service refuses a session actor', async () => {
    const { service, session } = await setup()
    expect(() => service.setHumanControl(session.id, true, { kind: 'session', id: session.id })).toThrow(/only a person/)
  })
})

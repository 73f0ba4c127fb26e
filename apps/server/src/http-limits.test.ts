import { Agent, createServer, request, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { applyHttpLimits, DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.js'

const servers: Server[] = []
const clients: Socket[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

/** A real server on 127.0.0.1: `/hold?ms=N` answers after N ms, anything else at once. */
async function start(limits: Partial<HttpLimits> = {}) {
  // node checks header and request timeouts on this interval (default 30 s): short for the test
  const server = createServer({ connectionsCheckingInterval: 50 }, (req, res) => {
    const hold = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0)
    req.resume()
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('ok')
      }, hold)
    })
  })
  servers.push(server)
  const stats = applyHttpLimits(server, { ...DEFAULT_HTTP_LIMITS, ...limits })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return { server, stats, port }
}

function get(port: number, path = '/', agent?: Agent) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A raw TCP connection that sends `data` (maybe nothing) and stays open; resolves once connected. */
interface Raw {
  closed: boolean
  received: string
}

function openRaw(port: number, data = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const raw: Raw = { closed: false, received: '' }
    clients.push(socket)
    socket.on('data', (d) => (raw.received += d.toString()))
    socket.on('close', () => (raw.closed = true))
    socket.on('error', () => undefined)
    socket.once('connect', () => {
      if (data) socket.write(data)
      resolve(raw)
    })
    socket.once('error', reject)
  })
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('applyHttpLimits', () => {
  it('400 idle sockets over a cap of 50: the oldest idle ones close, new requests are still served', async () => {
    const { port, stats } = await start({ maxConnections: 50, minIdleMs: 0 })
    const idle: Raw[] = []
    for (let i = 0; i < 400; i++) idle.push(await openRaw(port))
    await until(() => stats.open <= 50)
    for (let i = 0; i < 20; i++) expect(await get(port, `/health-${i}`)).toEqual({ status: 200, body: 'ok' })
    await until(() => idle.filter((s) => s.closed).length >= 350)
    // the oldest went first: the newest few are still open
    expect(idle.slice(0, 300).every((s) => s.closed)).toBe(true)
    expect(idle.slice(-10).some((s) => !s.closed)).toBe(true)
    expect(stats.reaped).toBeGreaterThanOrEqual(350)
  })

  it('busy connections are never closed to make room: a held request survives 100 newcomers over a cap of 10', async () => {
    const { port, stats } = await start({ maxConnections: 10, minIdleMs: 0 })
    const held = get(port, '/hold?ms=600')
    await until(() => stats.open === 1 && stats.idle === 0)
    const newcomers: Raw[] = []
    for (let i = 0; i < 100; i++) newcomers.push(await openRaw(port))
    expect(await get(port)).toEqual({ status: 200, body: 'ok' })
    expect(await held).toEqual({ status: 200, body: 'ok' })
    expect(stats.reaped).toBeGreaterThanOrEqual(90)
  })

  it('200 clients connecting at once over a cap of 50 are all answered: a socket that just connected is not closed', async () => {
    const { port, stats } = await start({ maxConnections: 50 })
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => get(port, `/hold?ms=${i % 5}`, new Agent({ keepAlive: false }))))
    expect(replies.filter((r) => r.status === 200)).toHaveLength(200)
    expect(stats.reaped).toBe(0)
  })

  it('idle sockets are closed to make room only once idle for minIdleMs', async () => {
    const { port, stats } = await start({ maxConnections: 20, minIdleMs: 300 })
    const idle: Raw[] = []
    for (let i = 0; i < 60; i++) idle.push(await openRaw(port))
    expect(stats.reaped).toBe(0)
    await new Promise((r) => setTimeout(r, 350))
    await openRaw(port)
    await until(() => stats.open <= 21)
    expect(stats.reaped).toBeGreaterThanOrEqual(40)
  })

  it('an idle keep-alive connection closes after keepAliveTimeoutMs', async () => {
    const { port, stats } = await start({ keepAliveTimeoutMs: 200 })
    const socket = await openRaw(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n')
    await until(() => socket.received.includes('ok'))
    expect(socket.closed).toBe(false)
    expect(stats.idle).toBe(1)
    await until(() => socket.closed, 2000)
    expect(stats.open).toBe(0)
  })

  it('requestTimeout cuts a request whose body never ends, and never a response that takes longer than it', async () => {
    const { port } = await start({ requestTimeoutMs: 400, headersTimeoutMs: 300 })
    const stalled = await openRaw(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789')
    const noHeaders = await openRaw(port, 'GET / HTTP/1.1\r\nHost: 127')
    const started = Date.now()
    // a held hook: the request is in at once, the answer comes after 3 request timeouts
    expect(await get(port, '/hold?ms=1200')).toEqual({ status: 200, body: 'ok' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200)
    await until(() => stalled.closed && noHeaders.closed)
    expect(stalled.received).toContain('408')
    expect(noHeaders.received).toContain('408')
  })

  it('a reply sent before the request body was read closes the connection: the next request on a keep-alive client is not reset', async () => {
    // the router answers 404 without reading the body, as for a wrong method or an unknown route
    const app = new Hono().get('/health', (c) => c.text('ok'))
    const server = createServer({ connectionsCheckingInterval: 50 }, getRequestListener(app.fetch))
    servers.push(server)
    applyHttpLimits(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (method: string, path: string, body?: string) =>
      new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
          res.resume()
          res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection}`))
        })
        req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`))
        req.end(body)
      })
    const big = JSON.stringify({ a: 'y'.repeat(300_000) })
    for (let i = 0; i < 5; i++) {
      expect(await send('PUT', '/hooks/Stop', big)).toBe('404 close')
      expect(await send('GET', '/health')).toBe('200 keep-alive')
    }
    // a request whose body was read before the reply keeps its connection
    expect(await send('GET', '/health')).toBe('200 keep-alive')
    agent.destroy()
  })
})

import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { aSessionService } from '@claude-sessions/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHookListener } from './hook-listener.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

let server: Server
let port: number
const { service, events } = aSessionService()

beforeAll(async () => {
  const hooks = createHookListener({ service, maxBodyBytes: 1024 })
  server = createServer((req, res) => {
    if (!hooks(req, res)) {
      res.writeHead(299)
      res.end('not a hook')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

function post(path: string, body: string | Buffer[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; timing?: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, body: text, timing: res.headers['server-timing'] as string | undefined }))
    })
    req.on('error', reject)
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk)
      req.end()
    } else req.end(body)
  })
}

const code = (r: { body: string }) => (JSON.parse(r.body) as { error: { code: string } }).error.code

describe('hook listener (the node:http fast path for POST /hooks/:event)', () => {
  it('records a hook of an external session and replies {}', async () => {
    const r = await post('/hooks/SessionStart', JSON.stringify({ session_id: CLAUDE_ID, source: 'startup' }))
    expect(r).toMatchObject({ status: 200, body: '{}' })
    expect(r.timing).toMatch(/^hook;dur=\d+\.\d{3}$/)
    expect(service.resolve(CLAUDE_ID)).toMatchObject({ kind: 'external', state: 'idle' })
  })

  it('takes a chunked body (the hook script streams stdin)', async () => {
    const body = JSON.stringify({ session_id: CLAUDE_ID, prompt: 'é ✓' })
    const r = await post('/hooks/UserPromptSubmit', [Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))], { 'transfer-encoding': 'chunked' })
    expect(r.status).toBe(200)
    expect(events.list(CLAUDE_ID).at(-1)).toMatchObject({ event: 'UserPromptSubmit', raw: body })
  })

  it('answers the same errors as the router, and records nothing', async () => {
    const before = events.count()
    expect(code(await post('/hooks/Stop', '{"session_id":'))).toBe('invalid_input')
    expect(code(await post('/hooks/Stop', '{"session_id":1}'))).toBe('invalid_input')
    expect(code(await post('/hooks/%E0%A4%A', '{}'))).toBe('invalid_input')
    expect(code(await post('/hooks/Stop', JSON.stringify({ session_id: CLAUDE_ID }), { 'x-sm-session': '00000001', authorization: 'Bearer x' }))).toBe('session_not_found')
    const tooBig = await post('/hooks/Stop', 'x'.repeat(2000))
    expect(tooBig.status).toBe(413)
    const tooBigChunked = await post('/hooks/Stop', [Buffer.alloc(800, 32), Buffer.alloc(800, 32)], { 'transfer-encoding': 'chunked' })
    expect(tooBigChunked.status).toBe(413)
    const foreign = await post('/hooks/Stop', '{}', { origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    const rebound = await post('/hooks/Stop', '{}', { host: 'attacker.example' })
    expect(rebound.status).toBe(403)
    expect(events.count()).toBe(before)
  })

  it('leaves every other request to the router', async () => {
    expect((await post('/sessions', '{}')).status).toBe(299)
    expect((await post('/hooks/Stop/extra', '{}')).status).toBe(299)
  })
})

describe('hook listener: a 2xx means stored, each event id once, refusal when memory is full', () => {
  let durable: Server
  let durablePort: number
  const world = aSessionService()
  let release: ((ok: boolean) => void)[] = []
  let refusing: string | null = null

  beforeAll(async () => {
    const hooks = createHookListener({
      service: world.service,
      maxBodyBytes: 4096,
      written: () => new Promise<boolean>((resolve) => release.push(resolve)),
      refusing: () => refusing,
    })
    durable = createServer((req, res) => void hooks(req, res))
    await new Promise<void>((r) => durable.listen(0, '127.0.0.1', r))
    durablePort = (durable.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => durable.close(() => r())))

  const send = (body: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: durablePort, path: '/hooks/PostToolUse', method: 'POST', headers }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body: text }))
      })
      req.on('error', reject)
      req.end(body)
    })
  const payload = (id: string) => JSON.stringify({ session_id: 'ext-durable', tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' } })

  it('answers only once the write that holds the event is done (and fail-open when it failed)', async () => {
    let answered = false
    const reply = send(payload('t1')).then((r) => {
      answered = true
      return r
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(answered).toBe(false)
    expect(release).toHaveLength(1)
    release.shift()!(true)
    expect(await reply).toMatchObject({ status: 200 })
    // a failed write is still answered: the event waits in memory (fail-open)
    const second = send(payload('t2'))
    await new Promise((r) => setTimeout(r, 50))
    release.shift()!(false)
    expect((await second).status).toBe(200)
  })

  it('stores an X-SM-Event id once, however often it comes; a malformed id is no id', async () => {
    const id = '0f1e2d3c-4b5a-4697-8877-665544332211'
    const before = world.events.count()
    for (let i = 0; i < 3; i++) {
      const r = send(payload('t3'), { 'x-sm-event': id })
      await new Promise((resolve) => setTimeout(resolve, 10))
      release.shift()?.(true)
      expect((await r).status).toBe(200)
    }
    expect(world.events.count()).toBe(before + 1)
    for (const bad of ['short', 'a'.repeat(65), 'bad id with spaces 0000']) {
      const r = send(payload('t4'), { 'x-sm-event': bad })
      await new Promise((resolve) => setTimeout(resolve, 10))
      release.shift()?.(true)
      expect((await r).status).toBe(200)
    }
    expect(world.events.count()).toBe(before + 4)
  })

  it('a live request that comes after its own spooled copy was imported is not applied again', async () => {
    const id = '5f1e2d3c-4b5a-4697-8877-665544332211'
    world.service.ingestHook({ event: 'PostToolUse', payload: JSON.parse(payload('t9')), raw: payload('t9'), managerId: null, token: null, trusted: true, spooled: true, eventId: id })
    const before = world.events.count()
    const stateBefore = world.service.resolve('ext-durable')
    const r = send(payload('t9'), { 'x-sm-event': id })
    await new Promise((resolve) => setTimeout(resolve, 10))
    release.shift()?.(true)
    expect(await r).toMatchObject({ status: 200, body: '{}' })
    expect(world.events.count()).toBe(before)
    expect(world.service.resolve('ext-durable').lastActivityAt).toBe(stateBefore.lastActivityAt)
  })

  it('refuses with 503 before ingesting anything while `refusing` says why', async () => {
    const before = world.events.count()
    refusing = 'the disk is full and 50000 rows wait in memory'
    const r = await send(payload('t5'))
    refusing = null
    expect(r.status).toBe(503)
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unavailable', message: expect.stringContaining('disk is full') } })
    expect(world.events.count()).toBe(before)
    expect(release).toHaveLength(0)
  })
})

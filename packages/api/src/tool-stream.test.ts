import type { Server } from 'node:http'
import { connect } from 'node:net'
import type { Session } from '@claude-sessions/core'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createClient, type ToolEventDto } from './client.js'
import { serveApp, testDeps } from './test-support.js'
import { ToolBroadcast, toolFrame } from './tool-broadcast.js'

const OPERATOR = 'operator-secret'

/** One turn of the event loop (the broadcast does a step of its work per turn). */
const turn = () => new Promise((resolve) => setImmediate(resolve))

function anAuditor() {
  return new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
}

describe('ToolBroadcast', () => {
  it('serialises each event once for 200 subscribers, batched into one write per subscriber, only after the hooks', async () => {
    const audit = anAuditor()
    const { service } = aSessionService({ deps: { audit } })
    const s = await service.create({ workingDir: '/w', name: 'a' })
    let framed = 0
    const deferred: (() => void)[] = []
    const broadcast = new ToolBroadcast(audit, {
      defer: (work) => deferred.push(work),
      frame: (e) => {
        framed++
        return toolFrame(e)
      },
    })
    const received: Uint8Array[][] = []
    const offs = Array.from({ length: 200 }, (_, i) => {
      const mine: Uint8Array[] = []
      received.push(mine)
      // every other subscriber wants only Post events
      return broadcast.subscribe({ wants: (e) => i % 2 === 0 || e.event === 'PostToolUse', send: (f) => mine.push(f) })
    })
    const hook = (event: string, id: string) => service.ingestHook({ event, payload: { session_id: 'c', tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' } }, raw: '{}', managerId: s.id, token: 'token-1' })
    hook('PreToolUse', 't1')
    hook('PostToolUse', 't1')
    audit.drain()
    // recorded, but nothing serialised nor written yet: the hook path goes first
    expect(framed).toBe(0)
    expect(deferred).toHaveLength(0)
    // serialised on a turn of the event loop of its own, held for the batch time
    await turn()
    expect(framed).toBe(2)
    expect(deferred).toHaveLength(1)
    expect(received.every((r) => r.length === 0)).toBe(true)
    // then written a slice of streams per turn
    deferred.shift()!()
    await turn()
    expect(received.filter((r) => r.length > 0).length).toBeGreaterThan(0)
    expect(received.filter((r) => r.length > 0).length).toBeLessThan(200)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const text = (f: Uint8Array) => Buffer.from(f).toString('utf8')
    // one write holding both frames for those that want everything; one frame for the others
    expect(received.every((r) => r.length === 1)).toBe(true)
    expect(text(received[0]![0]!).split('\n\n').filter(Boolean).map((f) => f.split('\n')[0])).toEqual(['event: tool', 'event: tool'])
    expect(text(received[1]![0]!).split('\n\n').filter(Boolean)).toHaveLength(1)
    expect(text(received[1]![0]!)).toContain('"event":"PostToolUse"')
    // shared bytes: every subscriber that wanted everything got the very same buffer, and so did the others
    expect(new Set(received.filter((_, i) => i % 2 === 0).map((r) => r[0])).size).toBe(1)
    expect(new Set(received.filter((_, i) => i % 2 === 1).map((r) => r[0])).size).toBe(1)
    for (const off of offs) off()
    expect(broadcast.size).toBe(0)
    hook('PreToolUse', 't2')
    audit.drain()
    expect(deferred).toHaveLength(0)
  })

  it('a subscriber that throws is dropped, an event that fails to format is skipped; the others go on', async () => {
    const audit = anAuditor()
    const { service } = aSessionService({ deps: { audit } })
    const s = await service.create({ workingDir: '/w', name: 'a' })
    const deferred: (() => void)[] = []
    const errors: unknown[] = []
    const broadcast = new ToolBroadcast(audit, {
      defer: (w) => deferred.push(w),
      onError: (e) => errors.push(e),
      frame: (e) => {
        if (e.toolUseId === 'unwritable') throw new Error('cannot format')
        return toolFrame(e)
      },
    })
    const got: string[] = []
    broadcast.subscribe({ wants: () => { throw new Error('bad filter') }, send: () => undefined })
    broadcast.subscribe({ wants: () => true, send: (f) => got.push(Buffer.from(f).toString('utf8')) })
    for (const id of ['unwritable', 'fine']) {
      service.ingestHook({ event: 'PreToolUse', payload: { session_id: 'c', tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' } }, raw: '{}', managerId: s.id, token: 'token-1' })
    }
    audit.drain()
    await turn()
    deferred.shift()!()
    await turn()
    expect(got).toHaveLength(1)
    expect(got[0]).toContain('"toolUseId":"fine"')
    expect(errors.map((e) => (e as Error).message)).toEqual(['bad filter', 'cannot format'])
    expect(broadcast.size).toBe(1)
  })
})

describe('ToolBroadcast: the hook path first', () => {
  async function setup(yieldTo?: () => boolean) {
    const audit = anAuditor()
    const { service } = aSessionService({ deps: { audit } })
    const s = await service.create({ workingDir: '/w', name: 'a' })
    let framed = 0
    const deferred: (() => void)[] = []
    const broadcast = new ToolBroadcast(audit, {
      defer: (work) => deferred.push(work),
      frame: (e) => {
        framed++
        return toolFrame(e)
      },
      ...(yieldTo ? { yieldTo } : {}),
    })
    const got: string[] = []
    // no filter: every event, never asked event by event
    broadcast.subscribe({ send: (f) => got.push(Buffer.from(f).toString('utf8')) })
    const record = (ids: string[]) => {
      for (const id of ids) service.ingestHook({ event: 'PreToolUse', payload: { session_id: 'c', tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' } }, raw: '{}', managerId: s.id, token: 'token-1' })
      audit.drain()
    }
    const ids = () => got.flatMap((chunk) => [...chunk.matchAll(/"toolUseId":"([^"]+)"/g)].map((m) => m[1]))
    return { record, ids, framed: () => framed, deferred, broadcast, got }
  }

  it('a burst is serialised a few events per turn of the event loop, one chunk per batch time, whole and in order', async () => {
    const { record, ids, framed, deferred } = await setup()
    const first = Array.from({ length: 20 }, (_, i) => `a${i}`)
    record(first)
    const seen: number[] = []
    for (let i = 0; i < 3; i++) {
      await turn()
      seen.push(framed())
    }
    expect(seen).toEqual([8, 16, 20])
    // one batch: one fan-out timed, one chunk
    expect(deferred).toHaveLength(1)
    deferred.shift()!()
    await turn()
    const second = ['b0', 'b1']
    record(second)
    await turn()
    deferred.shift()!()
    await turn()
    expect(ids()).toEqual([...first, ...second])
  })

  it('a client that subscribes mid-batch gets what is recorded after it; those before get their batch whole', async () => {
    const { record, ids, deferred, broadcast } = await setup()
    record(['a', 'b'])
    await turn()
    const late: string[] = []
    broadcast.subscribe({ send: (f) => late.push(Buffer.from(f).toString('utf8')) })
    record(['c'])
    await turn()
    await turn()
    while (deferred.length > 0) deferred.shift()!()
    await turn()
    await turn()
    expect(ids()).toEqual(['a', 'b', 'c'])
    expect(late.join('')).toContain('"toolUseId":"c"')
    expect(late.join('')).not.toContain('"toolUseId":"a"')
  })

  it('while the hook path has work queued, the streams wait a turn (8 in a row at most, so they never starve)', async () => {
    let busy = true
    const { record, ids, framed, deferred } = await setup(() => busy)
    record(['x'])
    for (let i = 0; i < 4; i++) await turn()
    expect(framed()).toBe(0)
    busy = false
    await turn()
    expect(framed()).toBe(1)
    deferred.shift()!()
    await turn()
    expect(ids()).toEqual(['x'])
    // never free: each step goes after 8 turns of waiting
    busy = true
    record(['y'])
    for (let i = 0; i < 8; i++) await turn()
    expect(framed()).toBe(1)
    await turn()
    expect(framed()).toBe(2)
    deferred.shift()!()
    for (let i = 0; i < 10; i++) await turn()
    expect(ids()).toEqual(['x', 'y'])
  })
})

describe('GET /tools/stream over real HTTP', () => {
  let server: Server
  let port: number
  let session: Session
  const audit = anAuditor()
  const built = aSessionService({ deps: { audit } })

  beforeAll(async () => {
    const { messages } = aMessageService(built.service, built.clock)
    const app = createApp(testDeps({ service: built.service, audit, messages, clock: built.clock, operatorToken: OPERATOR }, { streamBacklogBytes: 256 << 10 }))
    ;({ server, port } = await serveApp(app, built.service, 1 << 20))
    session = await built.service.create({ workingDir: '/w', name: 'busy' })
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  })

  const hook = async (id: string, command: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/hooks/PreToolUse`, {
      method: 'POST',
      headers: { 'x-sm-session': session.id, authorization: 'Bearer token-1' },
      body: JSON.stringify({ session_id: 'c', tool_name: 'Bash', tool_use_id: id, tool_input: { command } }),
    })
    expect(res.status).toBe(200)
  }

  it('a client that stops reading is dropped once its backlog passes the bound; a reading client gets every event', async () => {
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, token: OPERATOR })
    const seen: ToolEventDto[] = []
    const reader = client.streamTools({}, (e) => seen.push(e))
    await reader.ready
    // the stuck client: asks for the stream, then never reads a byte
    const stuck = connect(port, '127.0.0.1')
    let stuckText = ''
    stuck.on('data', (d: Buffer) => (stuckText += d.toString()))
    const stuckClosed = new Promise<void>((r) => stuck.on('close', () => r()))
    stuck.on('error', () => undefined)
    await new Promise<void>((r) => stuck.once('connect', () => r()))
    stuck.write(`GET /tools/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${OPERATOR}\r\nAccept: text/event-stream\r\n\r\n`)
    await new Promise((r) => setTimeout(r, 100))
    stuck.pause()
    const big = 'x'.repeat(10_000)
    const count = 300
    for (let i = 0; i < count; i++) await hook(`b${i}`, `echo ${i} ${big}`)
    const deadline = Date.now() + 15_000
    while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    reader.close()
    await reader.done
    expect(seen.map((e) => e.toolUseId)).toEqual(Array.from({ length: count }, (_, i) => `b${i}`))
    // the stuck client reads at last: the server had dropped it, well before the end
    stuck.resume()
    await stuckClosed
    const got = stuckText.split('event: tool\n').length - 1
    expect(stuckText).toContain('event: ready')
    expect(got).toBeGreaterThan(0)
    expect(got).toBeLessThan(count)
  }, 30_000)
})

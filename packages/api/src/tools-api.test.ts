import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { type SessionService } from '@claude-sessions/core/services'
import { aMessageService, aSessionService, InMemoryToolAuditStore, type FixedClock } from '@claude-sessions/core/testing'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createClient, type ToolEventDto } from './client.js'
import { serveApp, testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../core/fixtures/payloads/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>

let server: Server
let baseUrl: string
let service: SessionService
let clock: FixedClock
const ids: Record<string, string> = {}

beforeAll(async () => {
  const audit = new ToolAuditor({
    store: new InMemoryToolAuditStore(),
    projectOf: (cwd) => cwd?.split('/').at(-1) ?? null,
    config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } },
  })
  const built = aSessionService({ deps: { audit } })
  service = built.service
  clock = built.clock
  const { messages } = aMessageService(service, clock)
  // streams as the server serves them on node: straight to the socket, a slow reader dropped past 256 KiB
  const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }, { rawStreams: { alreadySent: RESPONSE_ALREADY_SENT }, streamBacklogBytes: 256 * 1024 }))
  ;({ server, baseUrl } = await serveApp(app, service, 1 << 20))
  ids['root'] = (await service.create({ workingDir: '/home/tester/project', name: 'root' })).id
  ids['child'] = (await service.create({ workingDir: '/home/tester/project', name: 'child', parentId: ids['root'], policy: 'strict' })).id
  ids['other'] = (await service.create({ workingDir: '/home/tester/elsewhere', name: 'other' })).id
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const tokens: Record<string, string> = {}
/** Posts a hook of a session over HTTP, as the hook script does. */
async function hook(who: string, name: string, overrides: Record<string, unknown> = {}): Promise<unknown> {
  const id = ids[who]!
  tokens[who] ??= `token-${Object.keys(ids).indexOf(who) + 1}`
  const payload = { ...fixture(name), ...overrides }
  const res = await fetch(`${baseUrl}/hooks/${name.split('.')[0]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sm-session': id, authorization: `Bearer ${tokens[who]}` },
    body: JSON.stringify(payload),
  })
  expect(res.status).toBe(200)
  return res.json()
}

const client = () => createClient({ baseUrl, token: OPERATOR })

describe('tool audit over HTTP', () => {
  it('records hook events; GET /tools filters by session, tree, tool, flags, project and time', async () => {
    await hook('root', 'PreToolUse.Bash', { tool_use_id: 't1', tool_input: { command: 'ls' } })
    clock.advance(1000)
    const denied = await hook('child', 'PreToolUse.Bash', { tool_use_id: 't2', cwd: '/home/tester/project' })
    expect(denied).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } })
    clock.advance(1000)
    await hook('other', 'PreToolUse.Read', { tool_use_id: 't3', tool_input: { file_path: '/home/tester/elsewhere/.env' }, cwd: '/home/tester/elsewhere' })
    await hook('other', 'PostToolUseFailure.Bash', { tool_use_id: 't4', cwd: '/home/tester/elsewhere' })

    const c = client()
    expect((await c.tools()).tools.map((t) => t.toolUseId)).toEqual(['t1', 't2', 't3', 't4'])
    expect((await c.tools({ session: 'root' })).tools.map((t) => t.toolUseId)).toEqual(['t1'])
    expect((await c.tools({ tree: 'root' })).tools.map((t) => t.toolUseId)).toEqual(['t1', 't2'])
    expect((await c.tools({ destructive: true })).tools.map((t) => t.toolUseId)).toEqual(['t2'])
    expect((await c.tools({ denied: true })).tools[0]).toMatchObject({ toolUseId: 't2', decision: 'deny', category: 'recursive_delete', sessionName: 'child' })
    expect((await c.tools({ sensitive: true })).tools.map((t) => t.targetFile)).toEqual(['/home/tester/elsewhere/.env'])
    expect((await c.tools({ project: 'elsewhere' })).tools.map((t) => t.toolUseId)).toEqual(['t3', 't4'])
    expect((await c.tools({ tool: 'Read' })).tools.map((t) => t.toolUseId)).toEqual(['t3'])
    expect((await c.tools({ since: String(clock.now() - 500) })).tools.map((t) => t.toolUseId)).toEqual(['t3', 't4'])
    expect((await c.tools({ until: '0.5s' })).tools.map((t) => t.toolUseId)).toEqual(['t1', 't2'])
    expect((await c.tools({ limit: 1 })).tools.map((t) => t.toolUseId)).toEqual(['t4'])
    const first = (await c.tools({ limit: 4 })).tools[0]!
    expect(first.toolInput).toEqual({ command: 'ls' })
    expect(typeof first.at).toBe('string')
    expect((await c.sessionTools('other')).tools.map((t) => t.event)).toEqual(['PreToolUse', 'PostToolUseFailure'])
  })

  it('GET /tools/stats groups by tool, session, category and project', async () => {
    const c = client()
    const byTool = await c.toolStats({ by: 'tool' })
    expect(byTool.by).toBe('tool')
    expect(byTool.rows.find((r) => r.key === 'Bash')).toMatchObject({ calls: 2, destructive: 1, denied: 1, failed: 1, events: 3 })
    const bySession = await c.toolStats({ by: 'session', tree: 'root' })
    expect(bySession.rows.map((r) => r.key).sort()).toEqual([ids['child'], ids['root']].sort())
    expect((await c.toolStats({ by: 'category', destructive: true })).rows).toMatchObject([{ key: 'recursive_delete', calls: 1 }])
    expect((await c.toolStats({ by: 'project' })).rows.map((r) => r.key).sort()).toEqual(['elsewhere', 'project'])
  })

  it('bad queries get one clear invalid_input error; no token is 401', async () => {
    const c = client()
    await expect(c.tools({ since: 'yesterday' })).rejects.toMatchObject({ code: 'invalid_input', status: 400, message: expect.stringContaining('since') })
    await expect(c.tools({ session: 'root', tree: 'root' })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.tools({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.toolStats({ by: 'colour' as 'tool' })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.tools({ session: 'nope' })).rejects.toMatchObject({ code: 'session_not_found' })
    await expect(createClient({ baseUrl }).tools()).rejects.toMatchObject({ code: 'unauthorized', status: 401 })
  })

  it('GET /tools/stream sends live events matching the filter; a tree stream takes in new children', async () => {
    const seen: ToolEventDto[] = []
    const stream = client().streamTools({ tree: 'root' }, (e) => seen.push(e))
    await stream.ready
    const grandchild = await service.create({ workingDir: '/home/tester/project', name: 'grandchild', parentId: ids['child'] })
    ids['grandchild'] = grandchild.id
    await hook('other', 'PreToolUse.Bash', { tool_use_id: 's0', tool_input: { command: 'ls' } })
    await hook('root', 'PreToolUse.Bash', { tool_use_id: 's1', tool_input: { command: 'ls' } })
    await hook('grandchild', 'PreToolUse.Bash', { tool_use_id: 's2', tool_input: { command: 'pwd' } })
    const deadline = Date.now() + 5000
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    stream.close()
    await stream.done
    expect(seen.map((e) => e.toolUseId)).toEqual(['s1', 's2'])
    expect(seen[1]).toMatchObject({ sessionName: 'grandchild', toolInput: { command: 'pwd' } })
  })

  it('a stream client that stops reading is dropped once 256 KiB wait for it; hooks go on', async () => {
    const port = Number(new URL(baseUrl).port)
    const socket = connect({ host: '127.0.0.1', port })
    let head = ''
    let closed = false
    socket.on('close', () => (closed = true))
    socket.on('error', () => undefined)
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write(`GET /tools/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${OPERATOR}\r\n\r\n`)
    await new Promise<void>((resolve) => {
      socket.on('data', function first(d: Buffer) {
        head += d.toString()
        if (!head.includes('event: ready')) return
        socket.off('data', first)
        // from here on it reads nothing: what the server writes piles up
        socket.pause()
        resolve()
      })
    })
    expect(head).toMatch(/^HTTP\/1\.1 200/)
    expect(head).toContain('content-type: text/event-stream')
    const big = 'x'.repeat(40_000)
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) {
        service.ingestHook({ event: 'PreToolUse', payload: { session_id: 'c-slow', tool_name: 'Bash', tool_use_id: `slow-${round}-${i}`, tool_input: { command: `echo ${big}` } }, raw: '{}', managerId: null, token: null })
      }
      await new Promise((r) => setTimeout(r, 30))
    }
    // reading again: a dropped client finds its connection closed (a kept one would stay open)
    socket.resume()
    const deadline = Date.now() + 5000
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(true)
    // the server goes on: a hook is still answered
    expect(await hook('root', 'PreToolUse.Bash', { tool_use_id: 'after-slow', tool_input: { command: 'ls' } })).toEqual({})
  })

  it('a stream with a bad filter is refused before it opens', async () => {
    const stream = client().streamTools({ session: 'nope' }, () => undefined)
    await expect(stream.ready).rejects.toMatchObject({ code: 'session_not_found' })
  })
})

import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createHookListener } from './hook-listener.js'
import { toEventDto, toToolEventDto } from './dto.js'
import { jsonDepth, MAX_JSON_DEPTH, parseJson } from './schemas.js'
import { testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'
const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'
const deepJson = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`

describe('jsonDepth / parseJson', () => {
  it('counts only brackets outside strings, escapes included', () => {
    expect(jsonDepth('{}')).toBe(1)
    expect(jsonDepth('1')).toBe(0)
    expect(jsonDepth('[[1],[[2]]]')).toBe(3)
    expect(jsonDepth('{"a":"[[[[{{{{","b":"\\"[[[\\\\"}')).toBe(1)
    expect(jsonDepth(deepJson(20_000), 64)).toBe(65)
    // not JSON at all: still one pass, no throw
    expect(jsonDepth(']]]]}}}{{')).toBe(0)
  })

  it(`parses ${MAX_JSON_DEPTH} levels and refuses one more with invalid_input naming the bound`, () => {
    expect(parseJson(deepJson(MAX_JSON_DEPTH, '[', ']'))).toBeInstanceOf(Array)
    expect(() => parseJson(deepJson(MAX_JSON_DEPTH + 1, '[', ']'))).toThrow(`more than ${MAX_JSON_DEPTH} deep`)
    expect(() => parseJson(deepJson(20_000))).toThrow(expect.objectContaining({ code: 'invalid_input' }))
    // deep brackets inside a string are data, not nesting
    expect(parseJson(JSON.stringify({ s: '['.repeat(50_000) }))).toEqual({ s: '['.repeat(50_000) })
  })
})

describe('stored JSON too deep to send back (recorded before bodies were bounded, or from the spool)', () => {
  it('an event payload and a tool input nested 20 000 deep are left out or kept as text; the DTO serialises', () => {
    const raw = `{"session_id":"x","tool_input":${deepJson(20_000)}}`
    const event = toEventDto({ id: 1, sessionId: 's', claudeSessionId: 'c', event: 'PreToolUse', at: 0, toolName: null, toolUseId: null, notificationType: null, raw, rawSize: raw.length })
    expect(event.payload).toBeNull()
    expect(() => JSON.stringify(event)).not.toThrow()
    const tool = toToolEventDto({ at: 0, toolInput: deepJson(20_000) } as Parameters<typeof toToolEventDto>[0])
    expect(typeof tool.toolInput).toBe('string')
    expect(() => JSON.stringify(tool)).not.toThrow()
  })
})

describe('hostile hook bodies over real HTTP (the node:http fast path)', () => {
  let server: Server
  let port: number
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, defer: (work) => setImmediate(work), config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, events } = aSessionService({ deps: { audit } })

  beforeAll(async () => {
    const hooks = createHookListener({ service, maxBodyBytes: 4 << 20 })
    server = createServer((req, res) => {
      if (!hooks(req, res)) {
        res.writeHead(404)
        res.end()
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const post = (path: string, body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body: text }))
      })
      req.on('error', reject)
      req.end(body)
    })

  it('a PreToolUse whose tool_input nests 20 000 deep is a 400 with a clear message; nothing is recorded and the server goes on', async () => {
    const before = events.count()
    const inner = deepJson(20_000)
    const r = await post('/hooks/PreToolUse', `{"session_id":"${CLAUDE_ID}","tool_name":"mcp__x","tool_use_id":"t1","tool_input":${inner}}`)
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'invalid_input', message: `body nests objects or arrays more than ${MAX_JSON_DEPTH} deep` } })
    // the deferred audit drain runs (setImmediate) and the process is still here
    await new Promise((r) => setImmediate(r))
    expect(events.count()).toBe(before)
    const ok = await post('/hooks/PreToolUse', JSON.stringify({ session_id: CLAUDE_ID, tool_name: 'mcp__x', tool_use_id: 't2', tool_input: JSON.parse(deepJson(100)) }))
    expect(ok).toEqual({ status: 200, body: '{}' })
    await new Promise((r) => setImmediate(r))
    expect(audit.list().map((e) => e.toolUseId)).toEqual(['t2'])
  })
})

describe('NUL bytes in text that reaches an argv, the environment or tmux → 400 invalid_input', () => {
  const setup = async () => {
    const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
    const { service, mux, clock } = aSessionService({ deps: { audit } })
    const { messages } = aMessageService(service, clock)
    const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }))
    const lead = await service.create({ workingDir: '/repo', name: 'lead' })
    const call = async (method: string, path: string, body: unknown, asLead = false) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${asLead ? 'token-1' : OPERATOR}` }
      if (asLead) headers['x-sm-session'] = lead.id
      const res = await app.request(path, { method, headers, body: JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } }
    }
    return { call, mux, service }
  }

  const cases: [string, string, string, Record<string, unknown>, boolean][] = [
    ['POST /sessions prompt', 'POST', '/sessions', { workingDir: '/repo', prompt: 'hi\0there' }, false],
    ['POST /sessions model', 'POST', '/sessions', { workingDir: '/repo', model: 'hai\0ku' }, false],
    ['POST /sessions name', 'POST', '/sessions', { workingDir: '/repo', name: 'a\0b' }, false],
    ['POST /sessions workingDir', 'POST', '/sessions', { workingDir: '/re\0po' }, false],
    ['POST /sessions policy', 'POST', '/sessions', { workingDir: '/repo', policy: 'st\0rict' }, false],
    ['POST /sessions/spawn prompt', 'POST', '/sessions/spawn', { prompt: 'do\0it' }, true],
    ['POST /sessions/spawn model', 'POST', '/sessions/spawn', { prompt: 'x', model: '\0' }, true],
    ['POST /sessions/spawn name', 'POST', '/sessions/spawn', { prompt: 'x', name: 'k\0' }, true],
    ['POST /sessions/spawn workingDir', 'POST', '/sessions/spawn', { prompt: 'x', workingDir: '/tmp/\0' }, true],
    ['PATCH /sessions/:ref name', 'PATCH', '/sessions/lead', { name: 'n\0' }, false],
    ['POST /sessions/:ref/input text', 'POST', '/sessions/lead/input', { text: 'typed\0text' }, false],
    ['POST /sessions/:ref/messages text', 'POST', '/sessions/lead/messages', { text: 'msg\0' }, false],
    ['POST /sessions/:ref/clear prompt', 'POST', '/sessions/lead/clear', { prompt: 'after\0clear' }, false],
  ]
  for (const [label, method, path, body, asLead] of cases) {
    it(label, async () => {
      const { call, mux, service } = await setup()
      const terminals = mux.terminals.size
      const r = await call(method, path, body, asLead)
      expect(r.status).toBe(400)
      expect(r.body.error).toMatchObject({ code: 'invalid_input' })
      expect(r.body.error!.message).toContain('must not contain NUL')
      expect(mux.terminals.size).toBe(terminals)
      expect(service.list().map((s) => s.name)).toEqual(['lead'])
    })
  }
})

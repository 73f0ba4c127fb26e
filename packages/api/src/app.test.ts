import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { testClient } from 'hono/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'
const auth = { authorization: `Bearer ${OPERATOR}` }
const json = { 'content-type': 'application/json' }
const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

function setup() {
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, sessions, events, mux, clock } = aSessionService({ deps: { audit } })
  const { messages } = aMessageService(service, clock)
  const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }, { version: '0.0.0-test', tmuxSocket: 'sm-test', maxBodyBytes: 4096, startedAt: clock.now() }))
  const req = (path: string, init: RequestInit = {}) => app.request(path, init)
  const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    req(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { ...json, ...headers } })
  return { app, service, mux, events, sessions, req, post, client: testClient(app) }
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } }
  return { status: res.status, code: body.error.code, message: body.error.message }
}

describe('HTTP API', () => {
  it('GET /health needs no token', async () => {
    const { client } = setup()
    const res = await client.health.$get()
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, version: '0.0.0-test', sessions: 0 })
  })

  it('creates, lists, gets, renames and kills a session', async () => {
    const { post, req, mux } = setup()
    const created = await post('/sessions', { workingDir: '/repo', name: 'alpha', prompt: 'hi' })
    expect(created.status).toBe(201)
    const { session } = (await created.json()) as { session: { id: string; name: string; state: string } }
    expect(session).toMatchObject({ name: 'alpha', state: 'starting', tmuxSession: `claude-${session.id}` })
    expect(mux.terminals.get(`claude-${session.id}`)!.options.command).toEqual(['claude', '--', 'hi'])

    const list = (await (await req('/sessions', { headers: auth })).json()) as { sessions: unknown[] }
    expect(list.sessions).toHaveLength(1)
    expect((await req('/sessions/alpha', { headers: auth })).status).toBe(200)

    const renamed = await req(`/sessions/${session.id}`, { method: 'PATCH', body: JSON.stringify({ name: 'beta' }), headers: { ...json, ...auth } })
    expect(((await renamed.json()) as { session: { name: string } }).session.name).toBe('beta')

    const killed = await req('/sessions/beta', { method: 'DELETE', headers: auth })
    expect(((await killed.json()) as { session: { state: string } }).session.state).toBe('stopped')
    expect((await (await req('/sessions', { headers: auth })).json()) as object).toEqual({ sessions: [] })
    const all = (await (await req('/sessions?all=true', { headers: auth })).json()) as { sessions: unknown[] }
    expect(all.sessions).toHaveLength(1)
  })

  it('records hooks, lists events and serves the last message', async () => {
    const { post, req, service } = setup()
    const s = await service.create({ workingDir: '/repo' })
    const hookHeaders = { 'x-sm-session': s.id, authorization: 'Bearer token-1' }
    expect((await post('/hooks/SessionStart', { session_id: CLAUDE_ID, source: 'startup' }, hookHeaders)).status).toBe(200)
    const stop = await post('/hooks/Stop', { session_id: CLAUDE_ID, last_assistant_message: 'All done ✓' }, hookHeaders)
    expect(await stop.json()).toEqual({})
    const events = (await (await req(`/sessions/${s.id}/events`, { headers: auth })).json()) as {
      events: { event: string; payload: { last_assistant_message?: string } }[]
    }
    expect(events.events.map((e) => e.event)).toEqual(['SessionStart', 'Stop'])
    expect(events.events[1]!.payload.last_assistant_message).toBe('All done ✓')
    const last = (await (await req(`/sessions/${s.id}/last-message`, { headers: auth })).json()) as { message: string; session: { state: string } }
    expect(last).toMatchObject({ message: 'All done ✓', session: { state: 'idle' } })
  })

  it('delivers input and keys, and reads output', async () => {
    const { post, req, service, mux } = setup()
    const s = await service.create({ workingDir: '/repo' })
    const input = await post(`/sessions/${s.id}/input`, { text: 'hello there' })
    expect(input.status).toBe(200)
    expect(await input.json()).toMatchObject({ delivery: { delivered: true, confirmedBy: 'screen' } })
    expect(mux.terminals.get(s.tmuxSession!)!.submitted).toEqual(['hello there'])
    expect((await post(`/sessions/${s.id}/key`, { key: '1' })).status).toBe(200)
    const bad = await errorOf(await post(`/sessions/${s.id}/key`, { key: 'C-c' }))
    expect(bad).toMatchObject({ status: 400, code: 'invalid_input' })
    const out = (await (await req(`/sessions/${s.id}/output?lines=5`, { headers: auth })).json()) as { text: string }
    expect(out.text).toContain('\u276f\u00a0')
  })

  it('accepts a session token with X-SM-Session and makes the caller the parent', async () => {
    const { post, service } = setup()
    const parent = await service.create({ workingDir: '/repo' })
    const res = await post('/sessions', { workingDir: '/repo' }, { authorization: 'Bearer token-1', 'x-sm-session': parent.id })
    expect(res.status).toBe(201)
    expect(((await res.json()) as { session: { parentId: string } }).session.parentId).toBe(parent.id)
  })

  describe('bad input gets a clear error and changes nothing', () => {
    it('malformed JSON and wrong types → 400', async () => {
      const { post, service, events } = setup()
      expect(await errorOf(await post('/sessions', '{"workingDir":'))).toMatchObject({ status: 400, code: 'invalid_input' })
      const wrong = await errorOf(await post('/sessions', { workingDir: 42, extra: true }))
      expect(wrong).toMatchObject({ status: 400, code: 'invalid_input' })
      expect(wrong.message).toContain('workingDir')
      expect(await errorOf(await post('/hooks/Stop', 'not json', {}))).toMatchObject({ status: 400, code: 'invalid_input' })
      expect(await errorOf(await post('/hooks/Stop', { session_id: 7 }, {}))).toMatchObject({ status: 400, code: 'invalid_input' })
      expect(service.list({ includeStopped: true })).toEqual([])
      expect(events.count()).toBe(0)
    })

    it('bad query values → 400', async () => {
      const { req, service } = setup()
      const s = await service.create({ workingDir: '/repo' })
      for (const q of ['events?limit=0', 'events?limit=abc', 'output?lines=-1', 'events?after=x']) {
        expect(await errorOf(await req(`/sessions/${s.id}/${q}`, { headers: auth })), q).toMatchObject({ status: 400, code: 'invalid_input' })
      }
    })

    it('unknown session → 404, duplicate name → 409, invalid name → 400', async () => {
      const { post, req, service } = setup()
      await service.create({ workingDir: '/repo', name: 'taken' })
      expect(await errorOf(await req('/sessions/nope', { headers: auth }))).toMatchObject({ status: 404, code: 'session_not_found' })
      expect(await errorOf(await post('/sessions', { workingDir: '/repo', name: 'taken' }))).toMatchObject({ status: 409, code: 'name_taken' })
      expect(await errorOf(await post('/sessions', { workingDir: '/repo', name: 'a b' }))).toMatchObject({ status: 400, code: 'invalid_name' })
      expect(service.list()).toHaveLength(1)
    })

    it('oversize body → 413', async () => {
      const { post, service } = setup()
      const res = await post('/sessions', { workingDir: '/repo', prompt: 'x'.repeat(10_000) })
      expect(await errorOf(res)).toMatchObject({ status: 413, code: 'payload_too_large' })
      expect(service.list()).toEqual([])
    })

    it('oversize chunked body without Content-Length → 413 (the hook script streams)', async () => {
      const { req, events } = setup()
      const chunk = new TextEncoder().encode('x'.repeat(1024))
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 10) controller.enqueue(chunk)
          else controller.close()
        },
      })
      const res = await req('/hooks/Stop', { method: 'POST', body, headers: json, duplex: 'half' } as RequestInit)
      expect(await errorOf(res)).toMatchObject({ status: 413, code: 'payload_too_large' })
      expect(events.count()).toBe(0)
    })

    it('missing or wrong token → 401; hooks of a managed session need its token', async () => {
      const { req, post, service, events } = setup()
      const s = await service.create({ workingDir: '/repo' })
      expect(await errorOf(await req('/sessions'))).toMatchObject({ status: 401, code: 'unauthorized' })
      expect(await errorOf(await req('/sessions', { headers: { authorization: 'Bearer nope' } }))).toMatchObject({ status: 401 })
      expect(await errorOf(await req(`/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: 'Bearer token-1', 'x-sm-session': 'ffffffff' } }))).toMatchObject({ status: 401 })
      const hook = await post('/hooks/Stop', { session_id: CLAUDE_ID }, { 'x-sm-session': s.id, authorization: 'Bearer wrong' })
      expect(await errorOf(hook)).toMatchObject({ status: 401, code: 'unauthorized' })
      expect(events.count()).toBe(0)
      expect(service.resolve(s.id).state).toBe('starting')
    })

    it('foreign Origin or non-local Host → 403', async () => {
      const { req, service } = setup()
      const foreign = await req('/sessions', { method: 'POST', body: '{"workingDir":"/repo"}', headers: { ...json, ...auth, origin: 'https://evil.example' } })
      expect(await errorOf(foreign)).toMatchObject({ status: 403, code: 'forbidden' })
      const rebound = await app403(req)
      expect(rebound).toMatchObject({ status: 403, code: 'forbidden' })
      expect(service.list()).toEqual([])
    })

    it('unknown route → 404 with an error body', async () => {
      const { req } = setup()
      expect(await errorOf(await req('/nope'))).toMatchObject({ status: 404, code: 'not_found' })
    })
  })
})

async function app403(req: (path: string, init?: RequestInit) => Response | Promise<Response>) {
  return errorOf(await req('http://attacker.example:8420/health'))
}

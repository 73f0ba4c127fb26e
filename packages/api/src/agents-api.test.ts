import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'
const json = { 'content-type': 'application/json' }

function setup() {
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, mux, clock } = aSessionService({ deps: { audit }, config: { limits: { maxDepth: 2, maxChildren: 2, maxSessions: 10 } } })
  const { messages } = aMessageService(service, clock)
  const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }))
  let tokens = 0
  const ids: Record<string, { id: string; token: string }> = {}
  /** Acts as the operator, or as a session (by name) with its own token. */
  const as = (who: string | null): Record<string, string> => (who === null ? { authorization: `Bearer ${OPERATOR}` } : { authorization: `Bearer ${ids[who]!.token}`, 'x-sm-session': ids[who]!.id })
  const call = async (who: string | null, method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { ...json, ...as(who) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }
  const top = async (name: string) => {
    const r = await call(null, 'POST', '/sessions', { workingDir: '/repo', name })
    ids[name] = { id: r.body.session.id, token: `token-${++tokens}` }
    return r.body.session.id as string
  }
  const spawn = async (parent: string, name: string, extra: object = {}) => {
    const r = await call(parent, 'POST', '/sessions/spawn', { prompt: `task of ${name}`, name, ...extra })
    if (r.status === 201) ids[name] = { id: r.body.session.id, token: `token-${++tokens}` }
    return r
  }
  return { app, service, mux, clock, call, top, spawn, ids }
}

describe('multi-agent routes', () => {
  it('spawn: only from inside a session; the child gets the parent, the prompt as an argument, the parent dir', async () => {
    const { call, top, spawn, mux, ids } = setup()
    await top('lead')
    expect((await call(null, 'POST', '/sessions/spawn', { prompt: 'x' })).status).toBe(403)
    const r = await spawn('lead', 'kid', { model: 'haiku' })
    expect(r.status).toBe(201)
    expect(r.body.session).toMatchObject({ name: 'kid', parentId: ids['lead']!.id, spawnPrompt: 'task of kid', spawnedAt: r.body.session.createdAt, workingDir: '/repo' })
    expect(mux.terminals.get(`claude-${ids['kid']!.id}`)!.options.command).toEqual(['claude', '--model', 'haiku', '--', 'task of kid'])
  })

  it('limits: depth and live children are refused with 409 limit_reached, nothing created', async () => {
    const { call, top, spawn, service } = setup()
    await top('lead')
    await spawn('lead', 'a')
    await spawn('lead', 'b')
    const third = await spawn('lead', 'c')
    expect(third).toMatchObject({ status: 409, body: { error: { code: 'limit_reached' } } })
    await spawn('a', 'a1')
    expect((await spawn('a1', 'a2')).body.error.message).toContain('depth 3')
    expect(service.list().map((s) => s.name).sort()).toEqual(['a', 'a1', 'b', 'lead'])
    expect((await call(null, 'GET', '/sessions/lead/children')).body.children.map((c: { name: string }) => c.name)).toEqual(['a', 'b'])
    const all = await call(null, 'GET', '/sessions/lead/children?recursive=true')
    expect(all.body.children.map((c: { name: string; depth: number; status: string }) => [c.name, c.depth, c.status])).toEqual([
      ['a', 1, 'running'],
      ['b', 1, 'running'],
      ['a1', 2, 'running'],
    ])
    expect((await call(null, 'GET', '/sessions/lead/children?status=stopped')).body.children).toEqual([])
  })

  it('ownership: a sibling may not kill, rename, clear or interrupt; the parent and the operator may; kill --tree stops the subtree, children first', async () => {
    const { call, top, spawn } = setup()
    await top('lead')
    await spawn('lead', 'a')
    await spawn('lead', 'b')
    await spawn('a', 'a1')
    for (const [method, path, body] of [
      ['DELETE', '/sessions/a', undefined],
      ['PATCH', '/sessions/a', { name: 'renamed' }],
      ['POST', '/sessions/a/key', { key: 'Escape' }],
      ['POST', '/sessions/a/clear', {}],
    ] as const) {
      const r = await call('b', method, path, body)
      expect(r.status, `${method} ${path}`).toBe(403)
      expect(r.body.error.message).toContain('only its parent')
    }
    expect((await call('lead', 'PATCH', '/sessions/a', { name: 'alpha' })).body.session.name).toBe('alpha')
    const killed = await call('lead', 'DELETE', '/sessions/alpha?tree=true')
    expect(killed.body.sessions.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['a1', 'stopped'],
      ['alpha', 'stopped'],
    ])
    expect((await call(null, 'DELETE', '/sessions/b')).body.session.state).toBe('stopped')
  })

  it('messages: queued for a working session (202), listed with their status; bad modes and empty texts refused', async () => {
    const { call, top, service, ids } = setup()
    await top('a')
    await top('b')
    service.ingestHook({ event: 'UserPromptSubmit', payload: { session_id: 'c-b', prompt: 'work' }, raw: '{}', managerId: ids['b']!.id, token: ids['b']!.token })
    const sent = await call('a', 'POST', '/sessions/b/messages', { text: 'hi b', mode: 'important' })
    expect(sent.status).toBe(202)
    expect(sent.body).toMatchObject({ status: 'queued', message: { senderId: ids['a']!.id, senderName: 'a', mode: 'important', status: 'queued' } })
    expect((await call(null, 'GET', '/sessions/b/messages')).body.messages.map((m: { text: string }) => m.text)).toEqual(['hi b'])
    expect((await call('a', 'POST', '/sessions/b/messages', { text: 'x', mode: 'loud' })).status).toBe(400)
    expect((await call('a', 'POST', '/sessions/b/messages', { text: '' })).body.error.code).toBe('invalid_input')
    expect((await call('a', 'POST', '/sessions/a/messages', { text: 'me' })).body.error.message).toBe("can't send a message to yourself")
  })

  it('wait: from a session only; 202 with the deadline', async () => {
    const { call, top, clock } = setup()
    await top('a')
    await top('b')
    expect((await call(null, 'POST', '/sessions/b/wait', { seconds: 30 })).status).toBe(403)
    const before = clock.now()
    const r = await call('a', 'POST', '/sessions/b/wait', { seconds: 30 })
    expect(r.status).toBe(202)
    expect(Date.parse(r.body.watch.deadline)).toBe(before + 30_000)
    expect((await call('a', 'POST', '/sessions/b/wait', { seconds: 0 })).status).toBe(400)
  })
})

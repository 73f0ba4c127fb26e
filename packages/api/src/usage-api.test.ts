import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { UsageService } from '@claude-sessions/core/services'
import { aMessageService, aSessionService, InMemoryToolAuditStore, InMemoryUsageStore } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'

const record = (requestId: string, claudeSessionId: string, costUsd = 0.05, tokens = 100) => ({
  timeUnixNano: '1796188203989000000',
  body: { stringValue: 'claude_code.api_request' },
  attributes: [
    { key: 'session.id', value: { stringValue: claudeSessionId } },
    { key: 'request_id', value: { stringValue: requestId } },
    { key: 'model', value: { stringValue: 'claude-opus-5-5' } },
    { key: 'input_tokens', value: { intValue: tokens } },
    { key: 'output_tokens', value: { intValue: 20 } },
    { key: 'cost_usd', value: { doubleValue: costUsd } },
    { key: 'query_source', value: { stringValue: 'repl_main_thread' } },
  ],
})
const logs = (...records: unknown[]) => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] })

async function setup() {
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, clock } = aSessionService({ deps: { audit } })
  const { messages } = aMessageService(service, clock)
  const store = new InMemoryUsageStore()
  const usage = new UsageService({ sessions: service, store })
  const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }, { usage, maxBodyBytes: 64 * 1024 }))
  const parent = await service.create({ workingDir: '/w', name: 'parent' })
  const child = await service.create({ workingDir: '/w', name: 'child', parentId: parent.id })
  const tokens = new Map([
    [parent.id, 'token-1'],
    [child.id, 'token-2'],
  ])
  const start = (id: string, claude: string) =>
    service.ingestHook({ event: 'SessionStart', payload: { session_id: claude, source: 'startup' }, raw: '{}', managerId: id, token: tokens.get(id)! })
  start(parent.id, 'claude-parent')
  start(child.id, 'claude-child')
  const as = (id: string | null): Record<string, string> => (id === null ? { authorization: `Bearer ${OPERATOR}` } : { authorization: `Bearer ${tokens.get(id)!}`, 'x-sm-session': id })
  const post = (id: string | null, body: string, type = 'application/json') => app.request('/otlp/v1/logs', { method: 'POST', body, headers: { ...as(id), 'content-type': type } })
  return { app, service, store, parent, child, post, as, start }
}

describe('the usage ledger over HTTP', () => {
  it("a session's own records are stored once, however often the exporter retries", async () => {
    const { post, parent, store } = await setup()
    const first = await post(parent.id, logs(record('req_1', 'claude-parent'), record('req_2', 'claude-parent')))
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ stored: 2, duplicate: 0, refused: 0, malformed: 0 })
    expect(await (await post(parent.id, logs(record('req_1', 'claude-parent')))).json()).toEqual({ stored: 0, duplicate: 1, refused: 0, malformed: 0 })
    expect(store.list().map((r) => [r.requestId, r.sessionId, r.costUsd])).toEqual([
      ['req_1', parent.id, 0.05],
      ['req_2', parent.id, 0.05],
    ])
  })

  it("a record of another session (or none we know) is refused with a 400; the good ones of the batch are kept", async () => {
    const { post, parent, child, store } = await setup()
    const res = await post(parent.id, logs(record('mine', 'claude-parent'), record('theirs', 'claude-child'), record('nobody', 'claude-unknown')))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_input' }, stored: 1, refused: 2 })
    expect(store.list().map((r) => r.requestId)).toEqual(['mine'])
    // the operator's records go to whoever Claude's session id names
    expect(await (await post(null, logs(record('op', 'claude-child')))).json()).toMatchObject({ stored: 1 })
    expect(store.list().find((r) => r.requestId === 'op')!.sessionId).toBe(child.id)
  })

  it('records of a Claude session id the session had before a /clear are still its own', async () => {
    const { post, parent, service, store } = await setup()
    service.ingestHook({ event: 'SessionStart', payload: { session_id: 'claude-parent-2', source: 'clear' }, raw: '{}', managerId: parent.id, token: 'token-1' })
    expect((await post(parent.id, logs(record('late', 'claude-parent'), record('new', 'claude-parent-2')))).status).toBe(200)
    expect(store.list().map((r) => r.requestId).sort()).toEqual(['late', 'new'])
  })

  it.each([
    ['not JSON', '{"resourceLogs": [', 'application/json', 400],
    ['protobuf', 'binary', 'application/x-protobuf', 400],
    ['unreadable records', logs(record('x', 'claude-parent', -1), { body: { stringValue: 'claude_code.api_request' }, attributes: [] }), 'application/json', 400],
    ['a huge body', `{"pad":"${'x'.repeat(70 * 1024)}"}`, 'application/json', 413],
  ])('%s: a clear 4xx, nothing stored', async (_, body, type, status) => {
    const { post, parent, store } = await setup()
    const res = await post(parent.id, body, type)
    expect(res.status).toBe(status)
    expect((await res.json()) as object).toHaveProperty('error')
    expect(store.list()).toEqual([])
  })

  it('no token, or a wrong one: 401, nothing stored', async () => {
    const { app, parent, store } = await setup()
    const body = logs(record('r', 'claude-parent'))
    expect((await app.request('/otlp/v1/logs', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(401)
    expect((await app.request('/otlp/v1/logs', { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer nope', 'x-sm-session': parent.id } })).status).toBe(401)
    expect(store.list()).toEqual([])
  })

  it('GET /usage: each session own and with its subtree (each request once), and the total; GET /sessions/:ref/usage', async () => {
    const { app, post, parent, child, as } = await setup()
    await post(parent.id, logs(record('p1', 'claude-parent', 1.25, 1000)))
    await post(child.id, logs(record('c1', 'claude-child', 0.5, 10), record('c2', 'claude-child', 0.25, 10)))
    const all = (await (await app.request('/usage', { headers: as(null) })).json()) as { sessions: { id: string; own: { costUsd: number }; tree: { costUsd: number; requests: number } }[]; total: { costUsd: number; requests: number } }
    const byId = new Map(all.sessions.map((s) => [s.id, s]))
    expect(byId.get(parent.id)!.own.costUsd).toBe(1.25)
    expect(byId.get(parent.id)!.tree).toMatchObject({ costUsd: 2, requests: 3 })
    expect(byId.get(child.id)!.tree).toMatchObject({ costUsd: 0.75, requests: 2 })
    expect(all.total).toMatchObject({ costUsd: 2, requests: 3, inputTokens: 1020 })
    const one = await (await app.request(`/sessions/child/usage`, { headers: as(null) })).json()
    expect(one).toMatchObject({ id: child.id, name: 'child', parentId: parent.id, own: { costUsd: 0.75 }, tree: { costUsd: 0.75 } })
    expect((await app.request('/usage?since=nonsense', { headers: as(null) })).status).toBe(400)
  })
})

import { noRepo, type RepoIdentity, type RepoInspector } from '@claude-sessions/core'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'

/** A RepoInspector answering from a table; counts what it was asked. */
class FakeRepoInspector implements RepoInspector {
  asked: string[] = []
  constructor(private readonly table: Record<string, Omit<RepoIdentity, 'dir'>>) {}
  identity(dir: string): RepoIdentity {
    this.asked.push(dir)
    const known = this.table[dir]
    return known ? { dir, ...known } : noRepo(dir)
  }
}

const repos = new FakeRepoInspector({
  '/app': { root: '/app', remote: 'git@github.com:acme/app.git', commonDir: '/app/.git' },
  '/app-wt': { root: '/app-wt', remote: 'git@github.com:acme/app.git', commonDir: '/app/.git' },
  '/clone': { root: '/clone', remote: 'https://github.com/Acme/App', commonDir: '/clone/.git' },
  '/other': { root: '/other', remote: 'https://github.com/acme/other', commonDir: '/other/.git' },
})

function setup(inspector: RepoInspector | null = repos) {
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, clock } = aSessionService({ deps: { audit } })
  const { messages } = aMessageService(service, clock)
  const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }, inspector ? { repos: inspector } : {}))
  let tokens = 0
  const ids: Record<string, { id: string; token: string }> = {}
  const as = (who: string | null): Record<string, string> => (who === null ? { authorization: `Bearer ${OPERATOR}` } : { authorization: `Bearer ${ids[who]!.token}`, 'x-sm-session': ids[who]!.id })
  const call = async (who: string | null, method: string, path: string, body?: unknown, raw?: string) => {
    const res = await app.request(path, { method, headers: { 'content-type': 'application/json', ...as(who) }, ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }
  const top = async (name: string, workingDir: string) => {
    const r = await call(null, 'POST', '/sessions', { workingDir, name })
    ids[name] = { id: r.body.session.id, token: `token-${++tokens}` }
    return r.body.session.id as string
  }
  const hook = (name: string, event: string, payload: Record<string, unknown>) => {
    const body = { session_id: `claude-${name}`, hook_event_name: event, ...payload }
    service.ingestHook({ event, payload: body, raw: JSON.stringify(body), managerId: ids[name]!.id, token: ids[name]!.token })
  }
  return { app, service, clock, call, top, hook, ids }
}

const names = (rows: { name: string }[]) => rows.map((r) => r.name)

describe('awareness routes', () => {
  it('others: live sessions but me, same repository first (dir, worktree, SSH/HTTPS clone), with task and last message', async () => {
    const { call, top, hook, ids } = setup()
    await top('me', '/app')
    await top('other', '/other')
    await top('twin', '/app')
    await top('wt', '/app-wt')
    await top('clone', '/clone')
    await top('gone', '/app')
    await top('elsewhere', '/tmp/x')
    await call(null, 'DELETE', '/sessions/gone')
    await call('twin', 'PUT', `/sessions/${ids['twin']!.id}/task`, { task: 'fixing the login page' })
    hook('twin', 'Stop', { last_assistant_message: 'x'.repeat(400) })

    const r = await call('me', 'GET', '/sessions/me/others')
    expect(r.status).toBe(200)
    expect(r.body.session.name).toBe('me')
    expect(r.body.others.map((o: { name: string; sameRepo: boolean }) => [o.name, o.sameRepo])).toEqual([
      ['twin', true],
      ['wt', true],
      ['clone', true],
      ['other', false],
      ['elsewhere', false],
    ])
    const twin = r.body.others[0]
    expect(twin).toMatchObject({ id: ids['twin']!.id, state: 'idle', workingDir: '/app', task: 'fixing the login page', kind: 'managed', parentId: null })
    expect(twin.lastMessage).toHaveLength(300)
    expect(twin.lastMessage.endsWith('…')).toBe(true)
    expect(Object.keys(twin).sort()).toEqual(['createdAt', 'id', 'kind', 'lastActivityAt', 'lastMessage', 'name', 'parentId', 'sameRepo', 'state', 'task', 'workingDir'])

    const who = await call('me', 'GET', '/sessions/me/others?repo=true')
    expect(names(who.body.others)).toEqual(['twin', 'wt', 'clone'])
    expect(names((await call(null, 'GET', '/sessions/other/others?repo=1')).body.others)).toEqual([])
    expect((await call(null, 'GET', '/sessions/me/others?repo=maybe')).status).toBe(400)
    expect((await call(null, 'GET', '/sessions/nosuch/others')).status).toBe(404)
  })

  it('others without a RepoInspector: only equal working dirs are the same repository', async () => {
    const { call, top } = setup(null)
    await top('me', '/app')
    await top('twin', '/app/')
    await top('wt', '/app-wt')
    expect((await call(null, 'GET', '/sessions/me/others')).body.others.map((o: { name: string; sameRepo: boolean }) => [o.name, o.sameRepo])).toEqual([
      ['twin', true],
      ['wt', false],
    ])
  })

  it('task: a session sets its own, never another; the operator any; null clears; bad bodies are 400 and change nothing', async () => {
    const { call, top, service, ids } = setup()
    await top('a', '/app')
    await top('b', '/app')
    const set = await call('a', 'PUT', '/sessions/a/task', { task: '  refactor\n auth  ' })
    expect(set.status).toBe(200)
    expect(set.body.session.currentTask).toBe('refactor auth')
    const forbidden = await call('b', 'PUT', '/sessions/a/task', { task: 'mine now' })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.error.message).toContain('sets only its own')
    expect((await call(null, 'PUT', `/sessions/${ids['b']!.id}/task`, { task: 'set by the operator' })).body.session.currentTask).toBe('set by the operator')
    for (const [body, raw] of [[{ task: '' }], [{ task: 'x'.repeat(501) }], [{ task: 5 }], [{}], [{ task: 'x', extra: 1 }], [undefined, '{nope']] as const) {
      const r = await call('a', 'PUT', '/sessions/a/task', body, raw)
      expect(r.status, JSON.stringify(body ?? raw)).toBe(400)
      expect(r.body.error.code).toBe('invalid_input')
    }
    expect(service.resolve('a').currentTask).toBe('refactor auth')
    expect((await call('a', 'PUT', '/sessions/a/task', { task: null })).body.session.currentTask).toBeNull()
    expect((await call('a', 'GET', '/sessions/a')).body.session.currentTask).toBeNull()
    expect((await call('a', 'PUT', '/sessions/nosuch/task', { task: 'x' })).status).toBe(404)
  })

  it('subagents: from SubagentStart/Stop with type, state, times and age; the newest Stop background tasks', async () => {
    const { call, top, hook, clock } = setup()
    await top('lead', '/app')
    const t0 = clock.now()
    hook('lead', 'UserPromptSubmit', { prompt: 'go' })
    hook('lead', 'SubagentStart', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })
    clock.advance(1000)
    hook('lead', 'SubagentStart', { agent_id: 'b1', agent_type: 'Explore' })
    clock.advance(1000)
    const running = [{ id: 'b1', type: 'subagent', status: 'running', description: 'Search', agent_type: 'Explore' }]
    hook('lead', 'SubagentStop', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose', last_assistant_message: 'subagent done' })
    hook('lead', 'Stop', { last_assistant_message: 'done', background_tasks: running, session_crons: [] })
    clock.advance(5000)
    const r = await call('lead', 'GET', '/sessions/lead/subagents')
    expect(r.status).toBe(200)
    expect(r.body.subagents).toEqual([
      { id: 'a3990472c679f7b59', type: 'general-purpose', state: 'done', startedAt: new Date(t0).toISOString(), endedAt: new Date(t0 + 2000).toISOString(), ageMs: 7000, durationMs: 2000, description: null, lastMessage: 'subagent done' },
      { id: 'b1', type: 'Explore', state: 'running', startedAt: new Date(t0 + 1000).toISOString(), endedAt: null, ageMs: 6000, durationMs: null, description: 'Search', lastMessage: null },
    ])
    expect(r.body.backgroundTasks).toEqual([{ id: 'b1', type: 'subagent', status: 'running', description: 'Search', agentType: 'Explore' }])
    expect(r.body.backgroundTasksAt).toBe(new Date(t0 + 2000).toISOString())
    expect(r.body.eventsRead).toBe(5)
    // only the newest N events are read
    expect((await call(null, 'GET', '/sessions/lead/subagents?limit=2')).body.subagents.map((s: { id: string }) => s.id)).toEqual(['a3990472c679f7b59'])
    expect((await call(null, 'GET', '/sessions/lead/subagents?limit=0')).status).toBe(400)
    expect((await call(null, 'GET', '/sessions/nosuch/subagents')).status).toBe(404)
  })

  it('subagents of a session with none: empty lists, background tasks unknown', async () => {
    const { call, top } = setup()
    await top('quiet', '/app')
    expect((await call(null, 'GET', '/sessions/quiet/subagents')).body).toMatchObject({ subagents: [], backgroundTasks: null, backgroundTasksAt: null, eventsRead: 0 })
  })

  it('every route needs a token', async () => {
    const { app, top } = setup()
    await top('a', '/app')
    for (const [method, path] of [['GET', '/sessions/a/others'], ['PUT', '/sessions/a/task'], ['GET', '/sessions/a/subagents']]) {
      expect((await app.request(path!, { method })).status, path).toBe(401)
    }
  })
})

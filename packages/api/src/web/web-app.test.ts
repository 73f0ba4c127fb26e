import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { DecisionQueue } from '@claude-sessions/core/services'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { sseParser } from '../sse.js'
import { testDeps } from '../test-support.js'
import { CONTENT_SECURITY_POLICY } from './guards.js'
import { createWebApp } from './web-app.js'
import { WebLogins } from './web-logins.js'

const OPERATOR = 'operator-secret'
const ORIGIN = 'http://127.0.0.1:8421'
const HOST = '127.0.0.1:8421'

function setup() {
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, clock } = aSessionService({ deps: { audit } })
  const { messages } = aMessageService(service, clock)
  const logins = new WebLogins({ now: () => clock.now() })
  const deps = testDeps({ service, audit, messages, clock, operatorToken: OPERATOR })
  const decisions = new DecisionQueue({ clock, timer: () => ({ cancel: () => undefined }), waitMs: 120_000 })
  decisions.acceptAnswers()
  service.addHookHolder(decisions.holder)
  const web = createWebApp({ ...deps, logins, decisions, assets: new Map([['/index.html', { body: new TextEncoder().encode('<!doctype html><p>page'), type: 'text/html; charset=utf-8' }]]) })
  const api = createApp({ ...deps, web: { issueLogin: () => ({ url: `${ORIGIN}/#c=${logins.issue().code}`, expiresAt: clock.now() + 120_000 }) } })
  const request = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    web.request(`http://${HOST}${path}`, { ...init, headers: { host: HOST, ...init.headers } })
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(path, { method: 'POST', body: JSON.stringify(body), headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-sm-web': '1', ...headers } })
  /** A login as the page does it: the code from `POST /web/login` (API port), exchanged for the cookie. */
  const login = async (): Promise<string> => {
    const minted = await api.request('/web/login', { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: '{}' })
    const { url } = (await minted.json()) as { url: string }
    const code = new URL(url).hash.slice('#c='.length)
    const res = await postJson('/api/web/login', { code })
    expect(res.status).toBe(204)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\//)
    return cookie.split(';')[0]!
  }
  return { service, clock, api, web, request, postJson, login, decisions }
}

/** The push channel's events as they come: `until` reads on until `pred` holds. */
function readEvents(res: Response) {
  const events: { name: string; data: Record<string, unknown> }[] = []
  const parse = sseParser((name, data) => events.push({ name, data: JSON.parse(data) as Record<string, unknown> }))
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const until = async (pred: () => boolean): Promise<void> => {
    while (!pred()) {
      const { value, done } = await reader.read()
      if (done) throw new Error('stream ended')
      parse(decoder.decode(value, { stream: true }))
    }
  }
  return { events, until, reader }
}

describe('web listener', () => {
  it('the operator mints a login link with the code in its fragment; a session token gets 403', async () => {
    const { api, service } = setup()
    const res = await api.request('/web/login', { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}` } })
    expect(res.status).toBe(200)
    const { url, expiresAt } = (await res.json()) as { url: string; expiresAt: string }
    expect(new URL(url).hash).toMatch(/^#c=[A-Za-z0-9_-]{43}$/)
    expect(new URL(url).search).toBe('')
    expect(Date.parse(expiresAt)).toBeGreaterThan(0)
    const agent = await service.create({ workingDir: '/repo' })
    const asAgent = await api.request('/web/login', { method: 'POST', headers: { authorization: 'Bearer token-1', 'x-sm-session': agent.id } })
    expect(asAgent.status).toBe(403)
  })

  it('without the cookie every /api route is 401; with it the operator routes answer', async () => {
    const { request, login } = setup()
    expect((await request('/api/sessions')).status).toBe(401)
    expect((await request('/api/web/events')).status).toBe(401)
    const cookie = await login()
    const res = await request('/api/sessions', { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sessions: [] })
  })

  it('a bearer token (operator or agent) is refused on the web port (403), even with a valid cookie: approve, take control, anything', async () => {
    const { request, postJson, login, service, decisions } = setup()
    const cookie = await login()
    const agent = await service.create({ workingDir: '/repo' })
    const asAgent = { authorization: 'Bearer token-1', 'x-sm-session': agent.id }
    expect((await request('/api/sessions', { headers: { authorization: `Bearer ${OPERATOR}` } })).status).toBe(403)
    expect((await request('/api/sessions', { headers: asAgent })).status).toBe(403)
    void service.ingestHookHeld({ event: 'PermissionRequest', payload: { session_id: 'c-x', tool_name: 'Bash', tool_input: { command: 'x' } }, raw: '{}', managerId: agent.id, token: 'token-1' }, new AbortController().signal)
    const id = decisions.list()[0]!.id
    expect((await postJson(`/api/web/decisions/${id}`, { verdict: 'allow' }, asAgent)).status).toBe(403)
    expect((await postJson(`/api/web/decisions/${id}`, { verdict: 'allow' }, { ...asAgent, cookie })).status).toBe(403)
    expect(decisions.waiting).toBe(1)
    decisions.stop()
  })

  it('a used or wrong login code is 401', async () => {
    const { postJson, api } = setup()
    const { url } = (await (await api.request('/web/login', { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}` } })).json()) as { url: string }
    const code = new URL(url).hash.slice(3)
    expect((await postJson('/api/web/login', { code })).status).toBe(204)
    expect((await postJson('/api/web/login', { code })).status).toBe(401)
    expect((await postJson('/api/web/login', { code: 'x'.repeat(43) })).status).toBe(401)
  })

  it('an expired login code (over 2 minutes old) is 401 and sets no cookie', async () => {
    const { postJson, api, clock } = setup()
    const { url } = (await (await api.request('/web/login', { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}` } })).json()) as { url: string }
    clock.advance(120_000)
    const res = await postJson('/api/web/login', { code: new URL(url).hash.slice(3) })
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('Host evil.example gets 403 on every path (DNS rebinding)', async () => {
    const { web } = setup()
    for (const path of ['/', '/api/sessions', '/api/web/events', '/assets/app.js']) {
      const res = await web.request(`http://evil.example${path}`, { headers: { host: 'evil.example' } })
      expect(res.status, path).toBe(403)
    }
  })

  it('a foreign Origin is 403 even with a valid cookie; so is a form POST or one without X-SM-Web', async () => {
    const { request, login, service } = setup()
    const cookie = await login()
    const s = await service.create({ workingDir: '/repo', name: 'victim' })
    const kill = (headers: Record<string, string>) => request(`/api/sessions/${s.id}`, { method: 'DELETE', headers: { cookie, ...headers } })
    expect((await kill({ origin: 'http://127.0.0.1:9999', 'content-type': 'application/json', 'x-sm-web': '1' })).status).toBe(403)
    expect((await kill({ origin: 'http://localhost.evil.example', 'content-type': 'application/json', 'x-sm-web': '1' })).status).toBe(403)
    expect((await kill({ origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', 'x-sm-web': '1' })).status).toBe(403)
    expect((await kill({ origin: ORIGIN, 'content-type': 'application/json' })).status).toBe(403)
    expect(service.resolve(s.id).state).not.toBe('stopped')
    expect((await kill({ origin: ORIGIN, 'content-type': 'application/json', 'x-sm-web': '1' })).status).toBe(200)
  })

  it('every response carries the security headers and no CORS header, errors included', async () => {
    const { request, web } = setup()
    for (const res of [await request('/'), await request('/api/sessions'), await request('/nope'), await web.request('http://evil.example/', { headers: { host: 'evil.example' } })]) {
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([])
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/)
    expect(CONTENT_SECURITY_POLICY).toMatch(/frame-ancestors 'none'/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/)
  })

  it('serves the page at / and says 404 for unknown files', async () => {
    const { request } = setup()
    const page = await request('/')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<p>page')
    expect((await request('/assets/nope.js')).status).toBe(404)
  })

  it('logout ends the web session', async () => {
    const { request, postJson, login } = setup()
    const cookie = await login()
    expect((await postJson('/api/web/logout', {}, { cookie })).status).toBe(204)
    expect((await request('/api/sessions', { headers: { cookie } })).status).toBe(401)
  })

  it(`the push channel starts with a snapshot, then carries each changed session`, async () => {
    const { request, login, service } = setup()
    const a = await service.create({ workingDir: '/repo', name: 'alpha' })
    const cookie = await login()
    const res = await request('/api/web/events', { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { events, until, reader } = readEvents(res)
    await until(() => events.length >= 1)
    expect(events[0]).toMatchObject({ name: 'snapshot', data: { sessions: [{ id: a.id, name: 'alpha', state: 'starting' }] } })
    service.ingestHook({ event: 'SessionStart', payload: { session_id: 'c-a', source: 'startup' }, raw: '{}', managerId: a.id, token: 'token-1' })
    await until(() => events.some((e) => e.name === 'session' && (e.data as { session: { state: string } }).session.state === 'idle'))
    await service.rename(a.id, 'beta')
    await until(() => events.some((e) => e.name === 'session' && (e.data as { session: { name: string } }).session.name === 'beta'))
    await reader.cancel()
  })
})

describe('web listener: the approval queue', () => {
  const bash = { session_id: 'c-a', tool_name: 'Bash', tool_input: { command: 'make deploy' }, permission_suggestions: [] }

  it('a held PermissionRequest is pushed to the page and answered from it: Allow lets the hook go; a second answer is 404', async () => {
    const { request, postJson, login, service } = setup()
    const a = await service.create({ workingDir: '/repo', name: 'alpha' })
    const cookie = await login()
    const res = await request('/api/web/events', { headers: { cookie } })
    const { events, until, reader } = readEvents(res)
    await until(() => events.length >= 1)
    expect(events[0]!.data).toMatchObject({ decisions: [] })
    const held = service.ingestHookHeld({ event: 'PermissionRequest', payload: bash, raw: '{}', managerId: a.id, token: 'token-1' }, new AbortController().signal)
    await until(() => events.some((e) => e.name === 'decision'))
    const opened = events.find((e) => e.name === 'decision')!.data
    expect(opened).toMatchObject({ sessionId: a.id, sessionName: 'alpha', kind: 'permission', toolName: 'Bash', toolInput: { command: 'make deploy' }, canAlwaysAllow: false })
    // the answer must fit: no Always allow without suggestions, an unknown verdict is a 400
    expect((await postJson(`/api/web/decisions/${String(opened.id)}`, { verdict: 'always' }, { cookie })).status).toBe(404)
    expect((await postJson(`/api/web/decisions/${String(opened.id)}`, { verdict: 'sure' }, { cookie })).status).toBe(400)
    expect((await postJson(`/api/web/decisions/${String(opened.id)}`, { verdict: 'allow' }, {})).status).toBe(401)
    expect((await postJson(`/api/web/decisions/${String(opened.id)}`, { verdict: 'allow' }, { cookie })).status).toBe(200)
    expect(await held).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } })
    await until(() => events.some((e) => e.name === 'decided'))
    expect(events.find((e) => e.name === 'decided')!.data).toEqual({ id: opened.id, by: 'web', verdict: 'allow', who: 'the operator', text: 'Allowed by the operator (web)' })
    expect((await postJson(`/api/web/decisions/${String(opened.id)}`, { verdict: 'deny' }, { cookie })).status).toBe(404)
    await reader.cancel()
  })

  it('a foreign Origin cannot answer, even with the cookie', async () => {
    const { request, login, service, decisions } = setup()
    const a = await service.create({ workingDir: '/repo', name: 'alpha' })
    const cookie = await login()
    const held = service.ingestHookHeld({ event: 'PermissionRequest', payload: bash, raw: '{}', managerId: a.id, token: 'token-1' }, new AbortController().signal)
    const id = decisions.list()[0]!.id
    const res = await request(`/api/web/decisions/${id}`, { method: 'POST', body: '{"verdict":"allow"}', headers: { cookie, origin: 'http://127.0.0.1:9999', 'content-type': 'application/json', 'x-sm-web': '1' } })
    expect(res.status).toBe(403)
    expect(decisions.waiting).toBe(1)
    decisions.stop()
    expect(await held).toEqual({})
  })
})

describe('web listener: hostile input', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`

  it.each([
    ['not JSON', '{"code": '],
    ['NUL-laden', `{"code":"${'\u0000'.repeat(1000)}"}`],
    ['deeply nested', deep(10_000)],
    ['a number', '42'],
    ['an array of codes', '["a","b"]'],
  ])('a login with %s is refused with a 4xx and logs nobody in', async (_, body) => {
    const { request } = setup()
    const res = await request('/api/web/login', { method: 'POST', body, headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-sm-web': '1' } })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('a decision with a huge, nested or extra-keyed body is refused and decides nothing', async () => {
    const { request, login, service, decisions } = setup()
    const cookie = await login()
    const a = await service.create({ workingDir: '/repo' })
    const held = service.ingestHookHeld({ event: 'PermissionRequest', payload: { session_id: 'c', tool_name: 'Bash', tool_input: { command: 'x' } }, raw: '{}', managerId: a.id, token: 'token-1' }, new AbortController().signal)
    const id = decisions.list()[0]!.id
    const post = (body: string) => request(`/api/web/decisions/${id}`, { method: 'POST', body, headers: { cookie, origin: ORIGIN, 'content-type': 'application/json', 'x-sm-web': '1' } })
    expect((await post(`{"verdict":"allow","pad":"${'x'.repeat(2 << 20)}"}`)).status).toBe(413)
    expect((await post(deep(10_000))).status).toBe(400)
    expect((await post('{"verdict":"allow","extra":1}')).status).toBe(400)
    // a raw NUL inside a JSON string is not JSON: 400
    expect((await post('{"verdict":"answer","answers":{"q":"\u0000"}}')).status).toBe(400)
    expect((await post(JSON.stringify({ verdict: 'answer', answers: { q: '\u0000' } }))).status).toBe(404)
    expect(decisions.waiting).toBe(1)
    decisions.stop()
    expect(await held).toEqual({})
  })

  it('200 pages at once on the push channel each get the snapshot', async () => {
    const { request, login, service } = setup()
    await service.create({ workingDir: '/repo', name: 'one' })
    const cookie = await login()
    const streams = await Promise.all(Array.from({ length: 200 }, () => request('/api/web/events', { headers: { cookie } })))
    const firsts = await Promise.all(
      streams.map(async (res) => {
        const { events, until, reader } = readEvents(res)
        await until(() => events.length > 0)
        await reader.cancel()
        return events[0]!
      }),
    )
    expect(firsts.every((e) => e.name === 'snapshot' && (e.data.sessions as unknown[]).length === 1)).toBe(true)
  })
})

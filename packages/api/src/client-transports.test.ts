import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createClient, fetchTransport, type ToolEventDto, type Transport } from './client.js'
import { nodeTransport } from './node-transport.js'
import { serveApp, testDeps } from './test-support.js'

const OPERATOR = 'operator-secret'
let server: Server
let baseUrl: string
let closedUrl: string
let htmlUrl: string
let html: Server
const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
const built = aSessionService({ deps: { audit } })

beforeAll(async () => {
  const { messages } = aMessageService(built.service, built.clock)
  const app = createApp(testDeps({ service: built.service, audit, messages, clock: built.clock, operatorToken: OPERATOR }, { rawStreams: { alreadySent: RESPONSE_ALREADY_SENT } }))
  ;({ server, baseUrl } = await serveApp(app, built.service, 1 << 20))
  // something else on a port: a proxy's error page
  html = createServer((_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'))
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', r))
  htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`
  // a port nobody listens on
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
  await new Promise<void>((r) => probe.close(() => r()))
})
afterAll(async () => {
  // fetch keeps its connections alive: close them rather than wait for their timeout
  html.closeAllConnections()
  server.closeAllConnections()
  await new Promise<void>((r) => html.close(() => r()))
  await new Promise<void>((r) => server.close(() => r()))
})

describe.each([
  ['fetch (browsers, and the default)', fetchTransport],
  ['node:http (sm)', nodeTransport],
] as [string, Transport][])('the client over %s', (_name, transport) => {
  const client = (token?: string) => createClient({ baseUrl, transport, ...(token === undefined ? {} : { token }) })

  it('calls with a JSON body and reads the reply', async () => {
    expect(await client(OPERATOR).health()).toMatchObject({ ok: true, status: 'ok' })
    const { session } = await client(OPERATOR).create({ workingDir: '/w', name: `t-${transport === nodeTransport ? 'node' : 'fetch'}` })
    expect((await client(OPERATOR).get(session.id)).session.name).toBe(session.name)
    expect((await client(OPERATOR).list()).sessions.map((s) => s.id)).toContain(session.id)
  })

  it("a refusal is an ApiError with the server's code and status; a non-JSON reply and a closed port are clear errors", async () => {
    await expect(client().list()).rejects.toMatchObject({ name: 'ApiError', code: 'unauthorized', status: 401 })
    await expect(client(OPERATOR).get('nosuchsession')).rejects.toMatchObject({ code: 'session_not_found', status: 404 })
    const raw = createClient({ baseUrl: htmlUrl, transport })
    await expect(raw.health()).rejects.toMatchObject({ code: 'internal', message: 'server sent a non-JSON reply (HTTP 502)' })
    await expect(createClient({ baseUrl: closedUrl, transport }).health()).rejects.toMatchObject({ code: 'unavailable', status: 0, message: `server at ${closedUrl} unavailable: not running` })
  })

  it('streams tool events: ready once subscribed, each event once, and a refused stream rejects', async () => {
    const seen: ToolEventDto[] = []
    const stream = client(OPERATOR).streamTools({}, (e) => seen.push(e))
    await stream.ready
    const session = built.service.list()[0]!
    const id = `toolu_${transport === nodeTransport ? 'n' : 'f'}`
    built.service.ingestHook({ event: 'PreToolUse', payload: { session_id: 'c', tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' } }, raw: '{}', managerId: session.id, token: 'token-1' })
    audit.drain()
    const deadline = Date.now() + 3000
    while (!seen.some((e) => e.toolUseId === id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(seen.filter((e) => e.toolUseId === id)).toHaveLength(1)
    stream.close()
    await stream.done
    const refused = client().streamTools({}, () => undefined)
    await expect(refused.ready).rejects.toMatchObject({ code: 'unauthorized', status: 401 })
    await expect(refused.done).rejects.toMatchObject({ code: 'unauthorized' })
  })
})

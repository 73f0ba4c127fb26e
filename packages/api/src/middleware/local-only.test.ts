import type { Server } from 'node:http'
import { connect } from 'node:net'
import { SessionsError } from '@claude-sessions/core'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { aMessageService, aSessionService, InMemoryToolAuditStore } from '@claude-sessions/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { assertLocalRequest, parseLocalAuthority } from './local-only.js'
import { serveApp, testDeps } from '../test-support.js'

const refusal = (host: string, origin?: string): string | null => {
  try {
    assertLocalRequest(host, origin)
    return null
  } catch (error) {
    return SessionsError.is(error, 'forbidden') ? 'forbidden' : String(error)
  }
}

/** Host values a page, a rebinding DNS name or a confused proxy could send: none is ours. */
const HOSTILE_HOSTS = [
  'localhost:80@evil.example',
  'localhost@evil.example',
  'user:pass@localhost',
  'evil.example@localhost',
  'localhost/evil',
  'localhost:8420/x',
  'localhost?x',
  'localhost#x',
  'localhost.',
  'localhost.:8420',
  '127.0.0.1.',
  'localhost.evil.example',
  'evil.example',
  'evil-localhost',
  'xlocalhost',
  '127.0.0.1.nip.io',
  '127.0.0.2',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '0.0.0.0',
  '[::1',
  '::1',
  '[::ffff:127.0.0.1]',
  '[0:0:0:0:0:0:0:1]',
  'localhost:80:81',
  'localhost:8420:8420',
  '[::1]:80:81',
  'localhost:',
  'localhost:+80',
  'localhost:-1',
  'localhost:8o',
  'localhost:0',
  'localhost:65536',
  'localhost:123456',
  'localhost: 80',
  'localhost :80',
  ' localhost',
  'localhost ',
  'local host',
  'localhost\t',
  'localhost\n',
  'localhost\r\nX-Evil: 1',
  'locaⅼhost', // U+217C SMALL ROMAN NUMERAL FIFTY
  'ｌocalhost', // fullwidth l
  'localһost', // Cyrillic shha
  'ⅼocalhost:8420',
  '127.0.0.１', // fullwidth 1
  '127。0。0。1', // ideographic full stops
  'localhost\u200b',
  '\u200blocalhost',
  'localhost%2e',
  '',
  ':8420',
]

describe('assertLocalRequest: the Host header', () => {
  it('takes exactly 127.0.0.1, localhost or [::1], with or without a port of digits', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8420', 'localhost', 'localhost:8420', 'LOCALHOST:1', 'LocalHost', '[::1]', '[::1]:65535', 'localhost:080']) {
      expect(refusal(host), host).toBeNull()
    }
    expect(parseLocalAuthority('LOCALHOST:08420')).toEqual({ host: 'localhost', port: 8420 })
    expect(parseLocalAuthority('[::1]')).toEqual({ host: '[::1]', port: 80 })
  })

  it.each(HOSTILE_HOSTS)('refuses Host %j', (host) => {
    expect(refusal(host)).toBe('forbidden')
  })
})

describe('assertLocalRequest: the Origin header', () => {
  it('takes http:// and the same host and port as the Host header (the default port 80 matches no port)', () => {
    expect(refusal('localhost:8420', 'http://localhost:8420')).toBeNull()
    expect(refusal('LOCALHOST:8420', 'http://localhost:8420')).toBeNull()
    expect(refusal('127.0.0.1:8420', 'HTTP://127.0.0.1:8420')).toBeNull()
    expect(refusal('[::1]:8420', 'http://[::1]:8420')).toBeNull()
    expect(refusal('localhost', 'http://localhost:80')).toBeNull()
    expect(refusal('localhost:80', 'http://localhost')).toBeNull()
  })

  const HOSTILE_ORIGINS = [
    'null',
    '',
    'https://evil.example',
    'http://evil.example',
    'https://localhost:8420', // another origin: other scheme
    'http://localhost:8421', // another port
    'http://127.0.0.1:8420', // another host than the Host header's
    'http://localhost',
    'http://localhost:8420/',
    'http://localhost:8420/x',
    'http://localhost:8420?x',
    'http://localhost:8420#x',
    'http://localhost:8420.',
    'http://localhost.:8420',
    'http://user@localhost:8420',
    'http://localhost:8420@evil.example',
    'http://evil.example#@localhost:8420',
    'http://localhost:8420:8420',
    'http://locaⅼhost:8420',
    'http://ｌocalhost:8420',
    'http:/localhost:8420',
    'http:localhost:8420',
    '//localhost:8420',
    'localhost:8420',
    'http://localhost:8420 ',
    ' http://localhost:8420',
    'http://localhost :8420',
    'http://localhost:8420, http://evil.example',
    'ws://localhost:8420',
    'file://',
    'chrome-extension://abcdef',
  ]
  it.each(HOSTILE_ORIGINS)('refuses Origin %j (Host localhost:8420)', (origin) => {
    expect(refusal('localhost:8420', origin)).toBe('forbidden')
  })
})

/** One raw HTTP/1.1 request (bytes as given, no client-side checks); the status code, or null when closed with none. */
function rawRequest(port: number, head: string, body = ''): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      data += chunk
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (status) {
        resolve(Number(status[1]))
        socket.destroy()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(null))
    socket.end(Buffer.from(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, 'utf8'))
  })
}

describe('over real HTTP: the hook listener and the router refuse hostile Host and Origin headers', () => {
  const OPERATOR = 'operator-secret'
  const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
  const { service, events, clock } = aSessionService({ deps: { audit } })
  const { messages } = aMessageService(service, clock)
  let server: Server
  let port: number

  beforeAll(async () => {
    const app = createApp(testDeps({ service, audit, messages, clock, operatorToken: OPERATOR }, { version: '0.0.0-test', tmuxSocket: 'sm-test', maxBodyBytes: 4096, startedAt: clock.now() }))
    ;({ server, port } = await serveApp(app, service, 4096))
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const hook = JSON.stringify({ session_id: '6bf01783-816d-49d3-a354-25f1341e986b', source: 'startup' })
  const postHook = (headers: string) => rawRequest(port, `POST /hooks/SessionStart HTTP/1.1\r\n${headers}\r\ncontent-type: application/json`, hook)
  const createSession = (headers: string) =>
    rawRequest(port, `POST /sessions HTTP/1.1\r\n${headers}\r\nauthorization: Bearer ${OPERATOR}\r\ncontent-type: application/json`, '{"workingDir":"/repo"}')

  it('a loopback Host (and its own Origin) gets through: the hook is recorded (its external session appears)', async () => {
    expect(await postHook(`host: 127.0.0.1:${port}\r\norigin: http://127.0.0.1:${port}`)).toBe(200)
    expect(events.count()).toBe(1)
    expect(service.list().map((s) => s.kind)).toEqual(['external'])
  })

  // values a client can put on the wire (no CR/LF: those would end the header)
  const onTheWire = HOSTILE_HOSTS.filter((h) => !/[\r\n]/.test(h) && h.trim() === h && h !== '')
  it.each(onTheWire)('Host %j: the hook listener answers 403 and records nothing; the router does not create a session', async (host) => {
    const before = events.count()
    expect(await postHook(`host: ${host}`)).toBe(403)
    expect(events.count()).toBe(before)
    const status = await createSession(`host: ${host}`)
    // the router refuses (403), or node's HTTP parser already did (400)
    expect([400, 403]).toContain(status)
    expect(service.list().map((s) => s.kind)).toEqual(['external'])
  })

  it('no Host at all (HTTP/1.0): refused; with two Host headers node keeps the first, and a foreign first one is refused', async () => {
    expect(await rawRequest(port, `POST /hooks/SessionStart HTTP/1.0\r\ncontent-type: application/json`, hook)).toBe(403)
    expect([400, 403]).toContain(await postHook(`host: evil.example\r\nhost: localhost`))
    expect([400, 403]).toContain(await createSession(`host: evil.example\r\nhost: localhost`))
    expect(events.count()).toBe(1)
    expect(service.list().map((s) => s.kind)).toEqual(['external'])
  })

  it('a foreign or malformed Origin with a loopback Host: 403 on both paths', async () => {
    for (const origin of ['null', 'https://evil.example', `http://localhost:${port}@evil.example`, `http://localhost:${port}/`, `https://localhost:${port}`, `http://localhost:${port + 1}`]) {
      expect(await postHook(`host: localhost:${port}\r\norigin: ${origin}`), origin).toBe(403)
      expect(await createSession(`host: localhost:${port}\r\norigin: ${origin}`), origin).toBe(403)
    }
    expect(events.count()).toBe(1)
    expect(service.list().map((s) => s.kind)).toEqual(['external'])
  })

  it('the same request with a loopback Host creates the session (the refusals above are the Host check)', async () => {
    expect(await createSession(`host: localhost:${port}\r\norigin: http://localhost:${port}`)).toBe(201)
    expect(service.list().map((s) => s.kind).sort()).toEqual(['external', 'managed'])
  })
})

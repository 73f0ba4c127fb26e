import { describe, expect, it } from 'vitest'
import { allowedHost, assertWebRequest, assertWebUpgrade, sameOrigin } from './guards.js'

const refusal = (fn: () => void): string | null => {
  try {
    fn()
    return null
  } catch (error) {
    return (error as { code: string }).code
  }
}

describe('web request guards', () => {
  it.each([
    ['localhost:8421', 'localhost'],
    ['127.0.0.1:8421', '127.0.0.1'],
    ['[::1]:8421', '[::1]'],
    ['LOCALHOST', 'localhost'],
  ])('Host %s is allowed', (host, name) => expect(allowedHost(host)).toBe(name))

  it.each(['evil.example', 'evil.example:8421', 'localhost.evil.example', '127.0.0.1.nip.io', 'user@localhost', 'localhost:99999', '', '0.0.0.0:8421', 'localhost:8421/x'])(
    'Host %j is refused (DNS rebinding)',
    (host) => expect(allowedHost(host)).toBeNull(),
  )

  it('a configured name is allowed, and may come with https', () => {
    expect(allowedHost('box.tail.ts.net', ['box.tail.ts.net'])).toBe('box.tail.ts.net')
    expect(sameOrigin('https://box.tail.ts.net', 'box.tail.ts.net', ['box.tail.ts.net'])).toBe(true)
    expect(sameOrigin('https://localhost:8421', 'localhost:8421')).toBe(false)
  })

  it.each([
    ['http://localhost:8421', true],
    ['http://localhost:8421/', false],
    ['http://localhost', false],
    ['http://localhost:84210', false],
    ['http://localhost.evil.example:8421', false],
    ['http://127.0.0.1:8421', false],
    ['null', false],
    [undefined, false],
  ])('Origin %s against Host localhost:8421: %s (exact, never a prefix)', (origin, ok) => expect(sameOrigin(origin, 'localhost:8421')).toBe(ok))

  const post = { method: 'POST', host: 'localhost:8421', origin: 'http://localhost:8421', contentType: 'application/json', smWeb: '1' }
  it('a same-origin JSON POST with X-SM-Web passes', () => expect(refusal(() => assertWebRequest(post))).toBeNull())
  it.each([
    ['a foreign Origin', { origin: 'http://localhost:9999' }],
    ['no Origin', { origin: undefined }],
    ['a form content type', { contentType: 'application/x-www-form-urlencoded' }],
    ['text/plain', { contentType: 'text/plain' }],
    ['no X-SM-Web', { smWeb: undefined }],
    ['a foreign Host', { host: 'evil.example:8421', origin: 'http://evil.example:8421' }],
  ])('a POST with %s is forbidden', (_, change) => expect(refusal(() => assertWebRequest({ ...post, ...change }))).toBe('forbidden'))

  it('a GET needs only an allowed Host', () => {
    expect(refusal(() => assertWebRequest({ method: 'GET', host: 'localhost:8421', origin: undefined, contentType: undefined, smWeb: undefined }))).toBeNull()
    expect(refusal(() => assertWebRequest({ method: 'GET', host: 'evil.example', origin: undefined, contentType: undefined, smWeb: undefined }))).toBe('forbidden')
  })

  it('a WebSocket upgrade needs our exact Origin, present', () => {
    expect(refusal(() => assertWebUpgrade('localhost:8421', 'http://localhost:8421'))).toBeNull()
    expect(refusal(() => assertWebUpgrade('localhost:8421', undefined))).toBe('forbidden')
    expect(refusal(() => assertWebUpgrade('localhost:8421', 'http://localhost:8422'))).toBe('forbidden')
  })
})

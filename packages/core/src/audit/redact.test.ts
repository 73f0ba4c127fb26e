import { describe, expect, it } from 'vitest'
import { REDACTED, redactedPrefix, redactSecrets } from './redact.js'

// Test-only fake secrets, shaped like real ones.
const SECRETS = {
  anthropic: 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  openai: 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  github: 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  githubPat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv',
  slack: 'xoxb-1234567890-abcdefghijklmnop',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  bearer: 'abcDEF123456ghiJKL',
  urlPassword: 'hunter2secret',
  envValue: 's3cr3t-value-123',
  privateKey: 'MIIEowIBAAKCAQEA7yn3bRHQ5FHMQ==',
}

const fixture = [
  `ANTHROPIC_API_KEY=${SECRETS.anthropic}`,
  `export OPENAI_API_KEY="${SECRETS.openai}"`,
  `git remote set-url origin https://${SECRETS.github}@github.com/x/y`,
  `token: ${SECRETS.githubPat}`,
  `SLACK=${SECRETS.slack}`,
  `aws_access_key_id = ${SECRETS.aws}`,
  `curl -H "Authorization: Bearer ${SECRETS.bearer}" https://api.example`,
  `cookie ${SECRETS.jwt}`,
  `postgres://app:${SECRETS.urlPassword}@db.internal:5432/app`,
  `DB_PASSWORD=${SECRETS.envValue}`,
  `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.privateKey}\n-----END RSA PRIVATE KEY-----`,
].join('\n')

describe('redactSecrets', () => {
  it('removes every secret of the fixture, in plain text and inside JSON', () => {
    for (const text of [fixture, JSON.stringify({ tool_response: { stdout: fixture } })]) {
      const { text: out, count } = redactSecrets(text)
      for (const [kind, secret] of Object.entries(SECRETS)) expect(out, kind).not.toContain(secret)
      expect(count).toBeGreaterThanOrEqual(Object.keys(SECRETS).length)
    }
  })

  it('keeps what is not secret: names, users, hosts, the Bearer word', () => {
    const out = redactSecrets(fixture).text
    expect(out).toContain('ANTHROPIC_API_KEY=')
    expect(out).toContain(`postgres://app:${REDACTED}@db.internal:5432/app`)
    expect(out).toContain(`Bearer ${REDACTED}`)
    expect(out).toContain(`DB_PASSWORD=${REDACTED}`)
  })

  it('leaves ordinary text alone', () => {
    const text = 'npm test && git push origin feature/x; echo "token count: 42"; PATH=/usr/bin PWD=/srv GIT_AUTHOR_NAME=Ann ls'
    expect(redactSecrets(text)).toEqual({ text, count: 0 })
  })

  it('redacts Basic credentials too', () => {
    expect(redactSecrets('Authorization: Basic dXNlcjpwYXNzd29yZA==').text).toBe(`Authorization: Basic ${REDACTED}`)
  })

  it('applies extra patterns from config', () => {
    expect(redactSecrets('id=ACME-1234-5678 ok', [/ACME-\d{4}-\d{4}/]).text).toBe(`id=${REDACTED} ok`)
  })

  it('is idempotent', () => {
    const once = redactSecrets(fixture).text
    expect(redactSecrets(once).text).toBe(once)
  })
})

describe('redactedPrefix', () => {
  it('redacts a secret that crosses the cut instead of keeping its first half', () => {
    const key = 'sk-ant-api03-' + 'A'.repeat(40)
    const text = 'x'.repeat(89) + ' ' + key + ' tail'
    const cut = redactedPrefix(text, 100)
    expect(cut).toHaveLength(100)
    expect(cut).not.toContain('sk-ant-api03-AAA')
    expect(cut).toBe('x'.repeat(89) + ' [REDACTED]')
  })

  it('leaves short texts whole (redacted)', () => {
    expect(redactedPrefix('token ghp_' + 'a'.repeat(36), 1000)).toBe('token [REDACTED]')
  })
})

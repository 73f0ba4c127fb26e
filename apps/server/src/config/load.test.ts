import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, parseConfigText } from './load.js'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sm-config-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('config', () => {
  it('needs no file: defaults with XDG paths', () => {
    const home = tempDir()
    const c = loadConfig({}, { HOME: home })
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8420,
      dataDir: join(home, '.local/share/claude-sessions'),
      tmuxSocket: 'claude-sessions',
      claudeCommand: 'claude',
      claudeArgs: [],
      maxBodyBytes: 2 * 1024 * 1024,
      drainMs: 5000,
      source: null,
    })
    expect(loadConfig({}, { HOME: home, XDG_DATA_HOME: '/x/data' }).dataDir).toBe('/x/data/claude-sessions')
  })

  it('reads the file, then env overrides, then flags', () => {
    const dir = tempDir()
    const file = join(dir, 'config.yaml')
    writeFileSync(file, 'server:\n  port: 9000\ntmux:\n  socket: mine\nclaude:\n  command: /opt/claude\n  args: [--verbose]\ndata_dir: /srv/sm\n')
    const env = { HOME: dir, CLAUDE_SESSIONS_CONFIG: file }
    expect(loadConfig({}, env)).toMatchObject({ port: 9000, tmuxSocket: 'mine', claudeCommand: '/opt/claude', claudeArgs: ['--verbose'], dataDir: '/srv/sm', source: file })
    const overridden = loadConfig({}, { ...env, CLAUDE_SESSIONS_PORT: '9100', CLAUDE_SESSIONS_DATA_DIR: '/d', CLAUDE_SESSIONS_TMUX_SOCKET: 's2' })
    expect(overridden).toMatchObject({ port: 9100, dataDir: '/d', tmuxSocket: 's2' })
    expect(loadConfig({ port: 9200, dataDir: '/flag', host: '::1' }, { ...env, CLAUDE_SESSIONS_PORT: '9100' })).toMatchObject({ port: 9200, dataDir: '/flag', host: '::1' })
  })

  it('reports every bad key at once', () => {
    let message = ''
    try {
      parseConfigText('server:\n  port: 99999\n  colour: red\nclaude:\n  args: nope\nbogus: 1\nlog:\n  level: loud\n', 'cfg.yaml')
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_input' })
      message = (error as Error).message
    }
    expect(message).toContain('cfg.yaml')
    expect(message).toContain('server.port')
    expect(message).toContain('server.colour: unknown key')
    expect(message).toContain('claude.args')
    expect(message).toContain('bogus: unknown key')
    expect(message).toContain('log.level')
  })

  it('rejects invalid YAML, a missing explicit file and a bad port variable', () => {
    expect(() => parseConfigText('server: [unclosed', 'x.yaml')).toThrow(/not valid YAML/)
    expect(() => loadConfig({ config: '/nonexistent/config.yaml' }, { HOME: tempDir() })).toThrow(/can't read config/)
    expect(() => loadConfig({}, { HOME: tempDir(), CLAUDE_SESSIONS_PORT: 'eighty' })).toThrow(/CLAUDE_SESSIONS_PORT/)
  })

  it('treats an empty file as all defaults', () => {
    expect(parseConfigText('', 'empty.yaml').server.port).toBe(8420)
  })

  it('policy: top-level keys make the default profile, named profiles beside the built-in ones; audit and fail_closed', () => {
    const dir = tempDir()
    const file = join(dir, 'config.yaml')
    writeFileSync(
      file,
      [
        'policy:',
        '  git_history: ask',
        '  sensitive: deny',
        '  sm_commands: ask',
        '  profiles:',
        '    ci: { destructive: deny }',
        '    team: { sm_commands: allow, destructive: ask }',
        '    strict: { destructive: deny, sensitive: deny }',
        'audit:',
        '  retention_days: 7',
        '  response_cap_bytes: 4096',
        "  redact_patterns: ['internal-[0-9]+']",
        'hooks:',
        '  fail_closed: true',
        '',
      ].join('\n'),
    )
    const c = loadConfig({ config: file }, { HOME: dir })
    expect(c.policies.profiles).toMatchObject({
      default: { git_history: 'ask', sensitive: 'deny', sm_commands: 'ask' },
      ci: { destructive: 'deny' },
      team: { sm_commands: 'allow', destructive: 'ask' },
      strict: { destructive: 'deny', sensitive: 'deny' },
      log: {},
    })
    expect(c).toMatchObject({ auditRetentionDays: 7, auditResponseCap: 4096, hooksFailClosed: true })
    expect('id internal-42 here'.replace(c.redactPatterns[0]!, 'X')).toBe('id X here')
  })

  it('defaults: retention 30 days, fail open, every category logged', () => {
    const c = loadConfig({}, { HOME: tempDir() })
    expect(c).toMatchObject({ auditRetentionDays: 30, hooksFailClosed: false, redactPatterns: [] })
    expect(c.policies.profiles['default']).toEqual({})
    expect(c.policies.profiles['strict']).toEqual({ destructive: 'deny', sensitive: 'ask' })
  })

  it('summarizer: claude -p --model haiku with hooks off and 60 s by default; the command is an argv list; bad values all reported', () => {
    expect(loadConfig({}, { HOME: tempDir() })).toMatchObject({ summarizerCommand: ['claude', '-p', '--model', 'haiku', '--settings', '{"disableAllHooks":true}'], summarizerTimeoutMs: 60_000 })
    const dir = tempDir()
    const file = join(dir, 'config.yaml')
    writeFileSync(file, "summarizer:\n  command: [/opt/bin/claude, -p, --model, 'claude-haiku-4-5']\n  timeout_seconds: 20\n")
    expect(loadConfig({ config: file }, { HOME: dir })).toMatchObject({ summarizerCommand: ['/opt/bin/claude', '-p', '--model', 'claude-haiku-4-5'], summarizerTimeoutMs: 20_000 })
    let message = ''
    try {
      parseConfigText('summarizer:\n  command: claude -p\n  timeout_seconds: 0\n  model: haiku\n', 's.yaml')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('summarizer.command')
    expect(message).toContain('summarizer.timeout_seconds')
    expect(message).toContain('summarizer.model: unknown key')
    expect(() => parseConfigText('summarizer:\n  command: []\n', 'e.yaml')).toThrow(/summarizer.command: give the program and its arguments/)
    expect(() => parseConfigText('summarizer:\n  timeout_seconds: 600\n', 't.yaml')).toThrow(/summarizer.timeout_seconds/)
  })

  it('rejects unknown categories, actions, profile names and bad regular expressions, all at once', () => {
    let message = ''
    try {
      parseConfigText("policy:\n  rm_stuff: deny\n  sensitive: block\n  sm_commands: deny\n  profiles:\n    'bad name': {}\n    ci: { sm_commands: log }\naudit:\n  redact_patterns: ['(unclosed']\n", 'p.yaml')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('policy.rm_stuff: unknown key')
    expect(message).toContain('policy.sensitive')
    expect(message).toContain('policy.profiles.bad name')
    // sm_commands is allow or ask only
    expect(message).toContain('policy.sm_commands')
    expect(message).toContain('policy.profiles.ci.sm_commands')
    expect(message).toContain('audit.redact_patterns.0: not a valid regular expression')
  })
})

describe('config: the web listener and remote binds', () => {
  const load = (yaml: string, overrides: Parameters<typeof loadConfig>[0] = {}) => {
    const dir = tempDir()
    const file = join(dir, 'config.yaml')
    writeFileSync(file, yaml)
    return loadConfig(overrides, { HOME: dir, CLAUDE_SESSIONS_CONFIG: file })
  }

  it("the web port defaults to the server's + 1, any free one when the server's is 0; --web-port and web.port win", () => {
    expect(load('').web).toEqual({ port: 8421, allowedHosts: [] })
    expect(load('server:\n  port: 9000\n').web).toEqual({ port: 9001, allowedHosts: [] })
    expect(load('', { port: 0 }).web).toEqual({ port: 0, allowedHosts: [] })
    expect(load('server:\n  port: 65535\n').web).toEqual({ port: 0, allowedHosts: [] })
    expect(load('web:\n  port: 7000\n  allowed_hosts: [box.tail.ts.net]\n').web).toEqual({ port: 7000, allowedHosts: ['box.tail.ts.net'] })
    expect(load('web:\n  port: 7000\n', { webPort: 7100 }).web).toEqual({ port: 7100, allowedHosts: [] })
  })

  it('web.enabled: false turns the listener off', () => {
    expect(load('web:\n  enabled: false\n').web).toBeNull()
  })

  it('a bad allowed host or an unknown web key is a config error', () => {
    expect(() => load('web:\n  allowed_hosts: ["evil.example/x"]\n')).toThrow(/web.allowed_hosts.0/)
    expect(() => load('web:\n  cors: "*"\n')).toThrow(/web.cors: unknown key/)
  })

  it.each(['0.0.0.0', '192.168.1.10', '::', 'example.com'])('server.host %s is refused without server.allow_remote', (host) => {
    expect(() => load(`server:\n  host: ${JSON.stringify(host)}\n`)).toThrow(/not a loopback address.*allow_remote/)
    expect(load(`server:\n  host: ${JSON.stringify(host)}\n  allow_remote: true\n`).host).toBe(host)
  })

  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1'])('server.host %s is loopback: allowed', (host) => {
    expect(load(`server:\n  host: ${JSON.stringify(host)}\n`).host).toBe(host)
  })
})

describe("config: the usage ledger and a user's own OpenTelemetry", () => {
  it('a user OTel setting in the environment is noticed (theirs wins); none: null', () => {
    const home = mkdtempSync(join(tmpdir(), 'sm-otel-'))
    try {
      expect(loadConfig({}, { HOME: home }).userOtel).toBeNull()
      expect(loadConfig({}, { HOME: home, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example' }).userOtel).toBe('OTEL_EXPORTER_OTLP_ENDPOINT')
      expect(loadConfig({}, { HOME: home, CLAUDE_CODE_ENABLE_TELEMETRY: '1' }).userOtel).toBe('CLAUDE_CODE_ENABLE_TELEMETRY')
      expect(loadConfig({}, { HOME: home, OTEL_LOGS_EXPORTER: '' }).userOtel).toBeNull()
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

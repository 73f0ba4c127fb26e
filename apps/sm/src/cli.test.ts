/**
 * The real built binary (bin/sm.cjs): the smoke tests of what cli.unit.test.ts (every case of
 * usage, help, exit codes, `sm explain`, `sm hooks` and the session commands, in-process against
 * `createApp` on fakes) can't show: the exit status of the process, the version built in, the
 * bundle finding the hook script, and one run end to end against a real server (tmux, the echo
 * agent, stdin).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm, startServerProcess, waitFor, type ServerProcess } from './test-support.js'

describe('sm without a server', () => {
  const env = { PATH: process.env.PATH!, HOME: '/nonexistent', CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: '/nonexistent/data' }

  // the case of cli.unit.test.ts (which runs more commands), deliberately again: here it is the
  // exit status of the process, from the fast path in dist/sm.cjs (status) and the full CLI it loads
  it('exits 2 with one line when the server is down', async () => {
    for (const args of [['status'], ['send', 'x', 'hello'], ['tail', 'x', '-f']]) {
      const r = await sm(args, env)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
    }
  })

  // in-process the version is `dev`; the bundle has package.json's built in. Help: yargs from the bundle
  it('prints the version of package.json, and help for every command', async () => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string }
    expect(await sm(['--version'], env)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' })
    const help = await sm(['--help'], env)
    expect(help.status).toBe(0)
    for (const cmd of ['new', 'status', 'send', 'tools', 'lock', 'server', 'hooks', 'completion']) expect(help.stdout).toContain(`sm ${cmd}`)
  })
})

describe('sm hooks', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sm-hooks-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // cli.unit.test.ts installs from the sources (src/commands); the bundle in dist/ finds
  // hooks/sm-hook from another depth
  it('install from the bundle points at the hook script of this checkout', async () => {
    const settings = join(dir, 'settings.json')
    const env = { PATH: process.env.PATH!, HOME: dir }
    expect((await sm(['hooks', 'install', '--settings', settings], env)).status).toBe(0)
    const command = (JSON.parse(readFileSync(settings, 'utf8')) as { hooks: Record<string, { hooks: { command: string }[] }[]> }).hooks.PreToolUse![0]!.hooks[0]!.command
    expect(command).toMatch(/hooks\/sm-hook PreToolUse$/)
    expect(command.split(' ')[0]).toBe(resolve(import.meta.dirname, '../../../hooks/sm-hook'))
    expect(existsSync(command.split(' ')[0]!)).toBe(true)
  })
})

describe('sm with a running server', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess()
  }, 60_000)
  afterAll(async () => server?.stop())

  // the case of cli.unit.test.ts, deliberately again, end to end: a server process, real tmux
  // typing into the echo agent (quotes, unicode, a leading dash, keys), stdin a real pipe
  it('creates, lists, names, sends, reads output, interrupts and kills', async () => {
    const env = server.env
    const created = await sm(['new', server.dataDir, '--name', 'first', '--json'], env)
    expect(created.status).toBe(0)
    const session = JSON.parse(created.stdout) as { id: string; name: string; state: string }
    expect(session).toMatchObject({ name: 'first' })
    expect(session.id).toMatch(/^[0-9a-f]{8}$/)

    // the fast path (ls --all --json) and the full parser (status --json --all --) agree
    const fast = await sm(['ls', '--all', '--json'], env)
    const full = await sm(['status', '--json', '--all', '--'], env)
    expect(JSON.parse(fast.stdout).map((s: { id: string }) => s.id)).toEqual(JSON.parse(full.stdout).map((s: { id: string }) => s.id))
    const ls = await sm(['ls'], env)
    expect(ls.stdout).toMatch(new RegExp(`^first\\s+${session.id}\\s+\\w+\\s+\\d+s\\s+${server.dataDir}$`, 'm'))
    expect(JSON.parse((await sm(['status', '--json'], env)).stdout)).toHaveLength(1)

    expect((await sm(['name', session.id.slice(0, 5), 'renamed'], env)).stdout).toContain(`renamed (${session.id})`)
    await waitFor(async () => (await sm(['output', 'renamed'], env)).stdout.includes('\u276f\u00a0'))

    const text = `it's "quoted"; $(not run) \`nor this\` ünïcödé ✓`
    const sent = await sm(['send', 'renamed', text, '--json'], env)
    expect(sent.status).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', mode: 'sequential', via: 'typed' })
    const piped = await sm(['send', 'renamed', '-'], env, 'from stdin\n')
    expect(piped.stderr).toBe('')
    expect(piped.stdout).toMatch(/^delivered to [0-9a-f]{8}\n$/)
    const out = await sm(['output', 'renamed', '--lines', '20'], env)
    expect(out.stdout).toContain(`got: ${text}`)
    expect(out.stdout).toContain('got: from stdin')

    const dashed = await sm(['send', 'renamed', '--', '- a list item, -v'], env)
    expect(dashed.stderr).toBe('')
    expect((await sm(['output', 'renamed', '--lines', '20'], env)).stdout).toContain('got: - a list item, -v')
    const digit = await sm(['key', 'renamed', '1', '--json'], env)
    expect(digit.status).toBe(0)
    expect((await sm(['key', 'renamed', 'C-c'], env)).stderr.trim().split('\n')).toHaveLength(1)

    expect((await sm(['interrupt', 'renamed'], env)).status).toBe(0)
    const killed = await sm(['kill', 'renamed'], env)
    expect(killed.stdout).toContain('killed renamed')
    expect((await sm(['ls'], env)).stderr).toContain('no live sessions')
    expect((await sm(['ls', '--all'], env)).stdout).toContain('stopped')
  })
})

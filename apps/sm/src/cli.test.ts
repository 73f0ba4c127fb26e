import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm, startServerProcess, tmuxEnv, waitFor, type ServerProcess } from './test-support.js'

describe('sm without a server', () => {
  const env = { PATH: process.env.PATH!, HOME: '/nonexistent', CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: '/nonexistent/data' }

  it('exits 2 with one line when the server is down', async () => {
    for (const args of [['status'], ['send', 'x', 'hello'], ['kill', 'x'], ['tools'], ['tail', 'x', '-f']]) {
      const r = await sm(args, env)
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
    }
  })

  it('sm me outside a managed session exits 2', async () => {
    const r = await sm(['me'], env)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('not inside a managed session')
  })

  it('prints the version, help for every command and a completion script', async () => {
    expect((await sm(['--version'], env)).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const help = await sm(['--help'], env)
    for (const cmd of ['new', 'status', 'me', 'attach', 'output', 'name', 'send', 'spawn', 'children', 'wait', 'clear', 'interrupt', 'kill', 'tools', 'tail', 'server', 'hooks', 'completion']) {
      expect(help.stdout).toContain(`sm ${cmd}`)
    }
    const sendHelp = await sm(['send', '--help'], env)
    expect(sendHelp.status).toBe(0)
    expect(sendHelp.stdout).toContain('sm send <session> [text]')
    expect(sendHelp.stdout).toContain('--')
    const toolsHelp = await sm(['tools', '--help'], env)
    expect(toolsHelp.stdout).toContain('sm tools stats')
    for (const option of ['--session', '--tree', '--since', '--until', '--limit', '--csv', '--json']) expect(toolsHelp.stdout).toContain(option)
    expect((await sm(['tools', 'stats', '--help'], env)).stdout).not.toContain('--csv')
    expect((await sm(['tail', '--help'], env)).stdout).toContain('--follow')
    expect((await sm(['completion'], env)).stdout).toContain('complete')
  })

  it('sm explain classifies commands and tool calls locally, without a server', async () => {
    const destructive = await sm(['explain', '--json', 'bash -c "rm -rf ~"'], env)
    expect(destructive.status).toBe(0)
    expect(JSON.parse(destructive.stdout)).toMatchObject({ destructive: true, category: 'recursive_delete', sensitive: false })
    expect(Object.keys(JSON.parse(destructive.stdout))).toEqual(['destructive', 'category', 'sensitive', 'match', 'reasons', 'rule', 'pack', 'rules'])
    expect(JSON.parse(destructive.stdout)).toMatchObject({ rule: 'filesystem.rm-recursive', pack: 'filesystem' })
    expect(JSON.parse((await sm(['explain', '--json', 'git commit -m "git push --force"'], env)).stdout)).toMatchObject({ destructive: false, category: null })
    const read = await sm(['explain', '--tool', 'Read', '--input', '{"file_path":"/repo/.env"}'], env)
    expect(read.stdout).toMatch(/^sensitive: \/repo\/\.env/)
    const human = await sm(['explain', 'git push --force origin main'], env)
    expect(human.stdout).toMatch(/^destructive \(git_history\)/)
    expect(human.stdout).toContain('rule: git.force-push (pack git)')
    const bad = await sm(['explain', '--tool', 'Read', '--input', '{bad'], env)
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect((await sm(['explain'], env)).status).toBe(1)
  })

  it('rejects unknown commands and missing arguments with exit 1', async () => {
    const unknown = await sm(['frobnicate'], env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('frobnicate')
    expect((await sm(['send'], env)).status).toBe(1)
  })
})

describe('sm hooks', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sm-hooks-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const env = () => ({ PATH: process.env.PATH!, HOME: dir })

  it('install merges with existing settings, is idempotent and keeps a backup; uninstall removes only ours', async () => {
    const settings = join(dir, 'settings.json')
    const original = { model: 'opus', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } }
    writeFileSync(settings, JSON.stringify(original))
    const first = await sm(['hooks', 'install', '--settings', settings], env())
    expect(first.status).toBe(0)
    expect(first.stdout).toContain('installed')
    const installed = JSON.parse(readFileSync(settings, 'utf8'))
    expect(installed.model).toBe('opus')
    expect(installed.hooks.Stop).toHaveLength(2)
    expect(installed.hooks.PreToolUse[0].hooks[0].command).toMatch(/hooks\/sm-hook PreToolUse$/)
    expect(existsSync(installed.hooks.PreToolUse[0].hooks[0].command.split(' ')[0])).toBe(true)
    const backups = () => readdirSync(dir).filter((f) => f.startsWith('settings.json.bak-'))
    expect(backups()).toHaveLength(1)

    const second = await sm(['hooks', 'install', '--settings', settings], env())
    expect(second.stdout).toContain('already installed')
    expect(backups()).toHaveLength(1)
    expect((await sm(['hooks', 'status', '--settings', settings], env())).status).toBe(0)

    const removed = await sm(['hooks', 'uninstall', '--settings', settings, '--json'], env())
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 33 })
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual(original)
    const status = await sm(['hooks', 'status', '--settings', settings], env())
    expect(status.status).toBe(1)
    expect(status.stdout).toContain('not installed')
  })

  it('refuses a settings file that is not JSON and leaves it alone', async () => {
    const settings = join(dir, 'broken.json')
    writeFileSync(settings, '{ not json')
    const r = await sm(['hooks', 'install', '--settings', settings], env())
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('not valid JSON')
    expect(readFileSync(settings, 'utf8')).toBe('{ not json')
  })

  it('installs http hooks with the session headers', async () => {
    const settings = join(dir, 'http.json')
    await sm(['hooks', 'install', '--settings', settings, '--transport', 'http'], { ...env(), CLAUDE_SESSIONS_URL: 'http://127.0.0.1:8555' })
    const s = JSON.parse(readFileSync(settings, 'utf8'))
    expect(s.hooks.Stop[0].hooks[0]).toMatchObject({ type: 'http', url: 'http://127.0.0.1:8555/hooks/Stop', allowedEnvVars: ['CLAUDE_SESSION_MANAGER_ID', 'CLAUDE_SESSION_MANAGER_TOKEN'] })
  })
})

describe('sm with a running server', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess()
  }, 60_000)
  afterAll(async () => server?.stop())

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

  it('sm me inside a managed session prints it', async () => {
    const { id } = JSON.parse((await sm(['new', server.dataDir, '--json', '--no-attach'], server.env)).stdout) as { id: string }
    const inside = {
      ...server.env,
      CLAUDE_SESSION_MANAGER_ID: id,
      CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN'),
      CLAUDE_SESSIONS_DATA_DIR: '/nonexistent',
    }
    const me = await sm(['me', '--json'], inside)
    expect(me.status).toBe(0)
    expect(JSON.parse(me.stdout)).toMatchObject({ id })
    expect((await sm(['name', 'selfnamed'], inside)).stdout).toContain(`selfnamed (${id})`)
    const wrong = await sm(['me'], { ...inside, CLAUDE_SESSION_MANAGER_TOKEN: 'forged' })
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toContain('wrong session token')
    await sm(['kill', id], server.env)
  })

  it('bad input: unknown session, invalid and duplicate names, bad directory — exit 1, one line, nothing changed', async () => {
    const env = server.env
    const before = (await sm(['ls', '--all', '--json'], env)).stdout
    const cases: [string[], RegExp][] = [
      [['send', 'nosuch', 'hi'], /no session 'nosuch'/],
      [['new', server.dataDir, '--name', 'bad name', '--no-attach'], /invalid name/],
      [['new', '/nonexistent/dir', '--no-attach'], /not a directory/],
      [['output', 'nosuch', '--lines', '0'], /--lines must be a positive integer/],
    ]
    for (const [args, message] of cases) {
      const r = await sm(args, env)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect((await sm(['ls', '--all', '--json'], env)).stdout).toBe(before)
    const first = await sm(['new', server.dataDir, '--name', 'dupe', '--no-attach'], env)
    expect(first.status, first.stderr).toBe(0)
    const dup = await sm(['new', server.dataDir, '--name', 'dupe', '--no-attach'], env)
    expect(dup.status).toBe(1)
    expect(dup.stderr).toContain("name 'dupe' is taken")
    await sm(['kill', 'dupe'], env)
  })
})

/**
 * The CLI in-process (see src/testing/in-process.ts): usage, help, exit codes, `sm explain`,
 * `sm hooks` and the session commands against `createApp` on fakes. cli.test.ts: the built
 * binary's smoke tests (exit status, version, the bundle's hook script, one run end to end).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '@claude-sessions/api/client'
import { inProcessServer, sm, waitFor, type InProcessServer } from './testing/in-process.js'

const down = { HOME: '/nonexistent', CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: '/nonexistent/data' }
const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).toHaveLength(1)

describe('sm without a server', () => {
  const run = (args: string[]) => sm(args, { env: down })

  it('exits 2 with one line when the server is down', async () => {
    for (const args of [['status'], ['ls', '--json'], ['send', 'x', 'hello'], ['kill', 'x'], ['tools'], ['tail', 'x', '-f'], ['telegram', 'status'], ['what', 'x'], ['children', 'x']]) {
      const r = await run(args)
      expect(r.status, args.join(' ')).toBe(2)
      oneLine(r.stderr)
      expect(r.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
      expect(r.stdout).toBe('')
    }
  })

  it('sm me outside a managed session exits 2', async () => {
    const r = await run(['me'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('not inside a managed session')
    oneLine(r.stderr)
  })

  it('prints the version (dev from the sources), help for every command and a completion script', async () => {
    expect(await run(['--version'])).toEqual({ status: 0, stdout: 'dev\n', stderr: '' })
    expect((await run(['-v'])).stdout).toBe('dev\n')
    const help = await run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stderr).toBe('')
    for (const cmd of ['new', 'status', 'me', 'attach', 'output', 'what', 'name', 'send', 'spawn', 'children', 'wait', 'clear', 'interrupt', 'key', 'kill', 'events', 'last', 'who', 'others', 'all', 'alone', 'task', 'subagents', 'tools', 'tail', 'explain', 'lock', 'unlock', 'telegram', 'hooks', 'server', 'completion']) {
      expect(help.stdout).toContain(`sm ${cmd}`)
    }
    expect(help.stdout).toContain('Exit codes: 0 success or yes, 1 error or no')
    const sendHelp = await run(['send', '--help'])
    expect(sendHelp.status).toBe(0)
    expect(sendHelp.stdout).toContain('sm send <session> [text]')
    expect(sendHelp.stdout).toContain('--')
    const toolsHelp = await run(['tools', '--help'])
    expect(toolsHelp.stdout).toContain('sm tools stats')
    for (const option of ['--session', '--tree', '--since', '--until', '--limit', '--csv', '--json']) expect(toolsHelp.stdout).toContain(option)
    expect((await run(['tools', 'stats', '--help'])).stdout).not.toContain('--csv')
    expect((await run(['tail', '--help'])).stdout).toContain('--follow')
    expect((await run(['status', '--help'])).stdout).toContain('--all')
    const completion = await run(['completion'])
    expect(completion.status).toBe(0)
    expect(completion.stdout).toContain('complete')
    expect(completion.stdout).toContain('###-begin-sm-completions-###')
  })

  it('help fits the terminal: at most 100 columns, fewer on a narrow one', async () => {
    const wide = await sm(['--help'], { env: down, columns: 200 })
    expect(Math.max(...wide.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100)
    const narrow = await sm(['--help'], { env: down, columns: 60 })
    expect(Math.max(...narrow.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(60)
  })

  it('sm explain classifies commands and tool calls locally, without a server', async () => {
    const destructive = await run(['explain', '--json', 'bash -c "rm -rf ~"'])
    expect(destructive.status).toBe(0)
    expect(JSON.parse(destructive.stdout)).toMatchObject({ destructive: true, category: 'recursive_delete', sensitive: false })
    expect(Object.keys(JSON.parse(destructive.stdout))).toEqual(['destructive', 'category', 'sensitive', 'match', 'reasons', 'rule', 'pack', 'rules'])
    expect(JSON.parse(destructive.stdout)).toMatchObject({ rule: 'filesystem.rm-recursive', pack: 'filesystem' })
    expect(JSON.parse((await run(['explain', '--json', 'git commit -m "git push --force"'])).stdout)).toMatchObject({ destructive: false, category: null })
    const read = await run(['explain', '--tool', 'Read', '--input', '{"file_path":"/repo/.env"}'])
    expect(read.stdout).toMatch(/^sensitive: \/repo\/\.env/)
    const human = await run(['explain', 'git push --force origin main'])
    expect(human.stdout).toMatch(/^destructive \(git_history\)/)
    expect(human.stdout).toContain('rule: git.force-push (pack git)')
    expect(human.stdout).toMatch(/\n {2}- .+\n$/)
    expect((await run(['explain', 'ls -la'])).stdout).toBe('nothing flagged\n')
    const bad = await run(['explain', '--tool', 'Read', '--input', '{bad'])
    expect(bad.status).toBe(1)
    oneLine(bad.stderr)
    expect(bad.stderr).toBe('sm: --input is not valid JSON: {bad\n')
    const none = await run(['explain'])
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/^sm: usage: sm explain/)
    const both = await run(['explain', 'ls', '--tool', 'Read'])
    expect(both).toMatchObject({ status: 1, stderr: 'sm: give a command or --tool with --input, not both\n' })
  })

  it('sm explain reads ~ from HOME and relative paths from the current directory', async () => {
    const home = await sm(['explain', '--json', '--tool', 'Read', '--input', '{"file_path":"~/.ssh/id_rsa"}'], { env: { ...down, HOME: '/home/tester' } })
    expect(JSON.parse(home.stdout)).toMatchObject({ sensitive: true })
    const relative = await sm(['explain', '--json', '--tool', 'Read', '--input', '{"file_path":".env"}'], { env: down, cwd: '/repo' })
    expect(JSON.parse(relative.stdout)).toMatchObject({ sensitive: true })
    expect(JSON.parse(relative.stdout).match).toContain('.env')
  })

  it('rejects unknown commands and missing arguments with exit 1', async () => {
    const unknown = await run(['frobnicate'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('frobnicate')
    expect(unknown.stderr).toMatch(/^sm: .+ \(sm --help for usage\)\n$/)
    expect(unknown.stdout).toBe('')
    const missing = await run(['send'])
    expect(missing.status).toBe(1)
    oneLine(missing.stderr)
    const nothing = await run([])
    expect(nothing).toMatchObject({ status: 1, stdout: '', stderr: 'sm: give a command; sm --help lists them\n' })
    expect((await run(['status', '--bogus'])).status).toBe(1)
    expect((await run(['ls', 'extra'])).status).toBe(1)
  })
})

describe('sm hooks', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sm-hooks-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const env = () => ({ HOME: dir, CLAUDE_SESSIONS_DATA_DIR: join(dir, 'data') })
  const run = (args: string[], extra: Record<string, string> = {}) => sm(args, { env: { ...env(), ...extra }, cwd: dir })

  it('install merges with existing settings, is idempotent and keeps a backup; uninstall removes only ours', async () => {
    const settings = join(dir, 'settings.json')
    const original = { model: 'opus', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } }
    writeFileSync(settings, JSON.stringify(original))
    const first = await run(['hooks', 'install', '--settings', settings])
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(new RegExp(`^installed 33 hook events \\(command\\) in ${settings}; backup ${settings}\\.bak-\\S+\\n$`))
    const installed = JSON.parse(readFileSync(settings, 'utf8'))
    expect(installed.model).toBe('opus')
    expect(installed.hooks.Stop).toHaveLength(2)
    expect(installed.hooks.PreToolUse[0].hooks[0].command).toMatch(/hooks\/sm-hook PreToolUse$/)
    expect(existsSync(installed.hooks.PreToolUse[0].hooks[0].command.split(' ')[0])).toBe(true)
    const backups = () => readdirSync(dir).filter((f) => f.startsWith('settings.json.bak-'))
    expect(backups()).toHaveLength(1)

    const second = await run(['hooks', 'install', '--settings', settings])
    expect(second.stdout).toBe(`already installed in ${settings} (33 events, command)\n`)
    expect(backups()).toHaveLength(1)
    const status = await run(['hooks', 'status', '--settings', settings])
    expect(status.status).toBe(0)
    expect(status.stdout).toMatch(new RegExp(`^installed in ${settings}: 33 events, transport command, target \\S+hooks/sm-hook\\n$`))
    expect(JSON.parse((await run(['hooks', 'status', '--settings', settings, '--json'])).stdout)).toMatchObject({ settings, missing: [], transport: 'command' })

    const removed = await run(['hooks', 'uninstall', '--settings', settings, '--json'])
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 33 })
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual(original)
    const after = await run(['hooks', 'status', '--settings', settings])
    expect(after.status).toBe(1)
    expect(after.stdout).toContain('not installed')
    expect((await run(['hooks', 'uninstall', '--settings', settings])).stdout).toBe(`no hooks of ours in ${settings}\n`)
  })

  it('refuses a settings file that is not JSON and leaves it alone', async () => {
    const settings = join(dir, 'broken.json')
    writeFileSync(settings, '{ not json')
    const r = await run(['hooks', 'install', '--settings', settings])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('not valid JSON')
    oneLine(r.stderr)
    expect(readFileSync(settings, 'utf8')).toBe('{ not json')
  })

  it('installs http hooks with the session headers', async () => {
    const settings = join(dir, 'http.json')
    const r = await run(['hooks', 'install', '--settings', settings, '--transport', 'http', '--json'], { CLAUDE_SESSIONS_URL: 'http://127.0.0.1:8555' })
    expect(JSON.parse(r.stdout)).toMatchObject({ settings, changed: true, backup: null, transport: 'http' })
    const s = JSON.parse(readFileSync(settings, 'utf8'))
    expect(s.hooks.Stop[0].hooks[0]).toMatchObject({ type: 'http', url: 'http://127.0.0.1:8555/hooks/Stop', allowedEnvVars: ['CLAUDE_SESSION_MANAGER_ID', 'CLAUDE_SESSION_MANAGER_TOKEN'] })
  })

  it('defaults to ~/.claude/settings.json under HOME; a relative --settings is from the current directory', async () => {
    const r = await run(['hooks', 'install', '--transport', 'http'])
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(join(dir, '.claude', 'settings.json'))).toBe(true)
    const rel = await run(['hooks', 'status', '--settings', 'http.json', '--json'])
    expect(JSON.parse(rel.stdout)).toMatchObject({ settings: join(dir, 'http.json') })
  })
})

describe('sm with a running server', () => {
  let server: InProcessServer
  beforeAll(() => {
    server = inProcessServer()
  })
  afterAll(() => server?.stop())

  it('creates, lists, names, sends, reads output, interrupts and kills', async () => {
    const created = await server.sm(['new', server.dataDir, '--name', 'first', '--json'])
    expect(created.status).toBe(0)
    const session = JSON.parse(created.stdout) as { id: string; name: string; state: string }
    expect(session).toMatchObject({ name: 'first' })
    expect(session.id).toMatch(/^[0-9a-f]{8}$/)

    // the fast path (ls --all --json) and the full parser (status --json --all --) agree
    const fast = await server.sm(['ls', '--all', '--json'])
    const full = await server.sm(['status', '--json', '--all', '--'])
    expect(JSON.parse(fast.stdout).map((s: { id: string }) => s.id)).toEqual(JSON.parse(full.stdout).map((s: { id: string }) => s.id))
    const ls = await server.sm(['ls'])
    expect(ls.stdout).toMatch(new RegExp(`^first\\s+${session.id}\\s+\\w+\\s+\\d+s\\s+${server.dataDir}$`, 'm'))
    expect(JSON.parse((await server.sm(['status', '--json'])).stdout)).toHaveLength(1)

    expect((await server.sm(['name', session.id.slice(0, 5), 'renamed'])).stdout).toContain(`renamed (${session.id})`)
    await waitFor(async () => (await server.sm(['output', 'renamed'])).stdout.includes('\u276f\u00a0'))

    const text = `it's "quoted"; $(not run) \`nor this\` ünïcödé ✓`
    const sent = await server.sm(['send', 'renamed', text, '--json'])
    expect(sent.status).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', mode: 'sequential', via: 'typed' })
    const piped = await server.sm(['send', 'renamed', '-'], { stdin: 'from stdin\n' })
    expect(piped.stderr).toBe('')
    expect(piped.stdout).toMatch(/^delivered to [0-9a-f]{8}\n$/)
    const out = await server.sm(['output', 'renamed', '--lines', '20'])
    expect(out.stdout).toContain(`got: ${text}`)
    expect(out.stdout).toContain('got: from stdin')

    const dashed = await server.sm(['send', 'renamed', '--', '- a list item, -v'])
    expect(dashed.stderr).toBe('')
    expect((await server.sm(['output', 'renamed', '--lines', '20'])).stdout).toContain('got: - a list item, -v')
    const digit = await server.sm(['key', 'renamed', '1', '--json'])
    expect(digit.status).toBe(0)
    expect((await server.sm(['key', 'renamed', 'C-c'])).stderr.trim().split('\n')).toHaveLength(1)

    expect((await server.sm(['interrupt', 'renamed'])).status).toBe(0)
    const killed = await server.sm(['kill', 'renamed'])
    expect(killed.stdout).toContain('killed renamed')
    expect((await server.sm(['ls'])).stderr).toContain('no live sessions')
    expect((await server.sm(['ls', '--all'])).stdout).toContain('stopped')
  })

  it('each command prints one line in words, and --json the session', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--name', 'worded', '--json'])).stdout) as { id: string }
    expect(await server.sm(['new', server.dataDir, '--name', 'plain', '--no-attach'])).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`^created plain \\([0-9a-f]{8}\\) in ${server.dataDir}\\n$`)), stderr: '' })
    // a terminal that is not one: `sm new` only attaches when stdout is a terminal
    expect((await server.sm(['new', server.dataDir, '--name', 'piped'])).stdout).toMatch(/^created piped /)
    expect((await server.sm(['name', 'worded', 'wordy'])).stdout).toBe(`named wordy (${id})\n`)
    expect(JSON.parse((await server.sm(['name', 'wordy', 'worded', '--json'])).stdout)).toMatchObject({ id, name: 'worded' })
    expect((await server.sm(['key', 'worded', 'Enter'])).stdout).toMatch(new RegExp(`^worded \\(${id}\\): \\w+\\n$`))
    expect((await server.sm(['interrupt', 'worded'])).stdout).toMatch(new RegExp(`^worded \\(${id}\\): \\w+\\n$`))
    expect(await server.sm(['send', 'worded', 'hi'])).toMatchObject({ status: 0, stdout: `delivered to ${id}\n` })
    const out = JSON.parse((await server.sm(['output', 'worded', '--json'])).stdout) as { session: string; text: string }
    expect(Object.keys(out)).toEqual(['session', 'text'])
    expect(out).toMatchObject({ session: id, text: expect.stringContaining('got: hi') })
    expect(JSON.parse((await server.sm(['kill', 'worded', '--json'])).stdout)).toMatchObject({ id, state: 'stopped' })
    for (const name of ['plain', 'piped']) await server.sm(['kill', name])
  })

  it('sm events lists hook events (--limit, --json); sm last prints the last message, exit 1 when none', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--name', 'talker', '--json'])).stdout) as { id: string }
    const none = await server.sm(['last', 'talker'])
    expect(none).toMatchObject({ status: 1, stdout: '', stderr: '' })
    expect(JSON.parse((await server.sm(['last', 'talker', '--json'])).stdout)).toEqual({ session: id, message: null })
    await server.hook(id, 'SessionStart', { session_id: 'c1', source: 'startup' })
    await server.hook(id, 'PreToolUse', { session_id: 'c1', tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'ls' } })
    await server.hook(id, 'Notification', { session_id: 'c1', notification_type: 'idle_prompt', message: 'waiting' })
    await server.hook(id, 'Stop', { session_id: 'c1', last_assistant_message: 'All done.\nTwo lines.' })
    expect(await server.sm(['last', 'talker'])).toMatchObject({ status: 0, stdout: 'All done.\nTwo lines.\n' })
    expect(JSON.parse((await server.sm(['last', 'talker', '--json'])).stdout)).toEqual({ session: id, message: 'All done.\nTwo lines.' })
    const events = (await server.sm(['events', 'talker'])).stdout.trimEnd().split('\n')
    expect(events.map((l) => l.replace(/^\S+ {2}/, ''))).toEqual(['SessionStart', 'PreToolUse Bash', 'Notification idle_prompt', 'Stop'])
    expect(events[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}SessionStart$/)
    expect((await server.sm(['events', 'talker', '--limit', '2'])).stdout.trimEnd().split('\n')).toHaveLength(2)
    const json = JSON.parse((await server.sm(['events', 'talker', '--json', '--limit', '1'])).stdout) as { event: string }[]
    expect(json.map((e) => e.event)).toEqual(['Stop'])
    await server.sm(['kill', 'talker'])
  })

  it('sm me inside a managed session prints it', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--json', '--no-attach'])).stdout) as { id: string }
    const inside = server.inside(id, { CLAUDE_SESSIONS_DATA_DIR: '/nonexistent' })
    const me = await server.sm(['me', '--json'], { env: inside })
    expect(me.status).toBe(0)
    expect(JSON.parse(me.stdout)).toMatchObject({ id })
    expect((await server.sm(['me'], { env: inside })).stdout).toMatch(new RegExp(`^-\\s+${id}\\s+\\w+\\s+\\d+s\\s+${server.dataDir}\\n$`))
    expect((await server.sm(['name', 'selfnamed'], { env: inside })).stdout).toContain(`selfnamed (${id})`)
    const wrong = await server.sm(['me'], { env: { ...inside, CLAUDE_SESSION_MANAGER_TOKEN: 'forged' } })
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toContain('wrong session token')
    await server.sm(['kill', id])
  })

  it('without the operator token: exit 1 naming where it was looked for', async () => {
    const r = await server.sm(['ls'], { env: { ...server.env, CLAUDE_SESSIONS_DATA_DIR: join(server.dir, 'elsewhere') } })
    expect(r).toMatchObject({ status: 1, stdout: '' })
    expect(r.stderr).toBe(`sm: no operator token at ${join(server.dir, 'elsewhere', 'operator-token')}; start the server with this data dir first\n`)
  })

  it('bad input: unknown session, invalid and duplicate names, bad directory — exit 1, one line, nothing changed', async () => {
    const before = (await server.sm(['ls', '--all', '--json'])).stdout
    const cases: [string[], RegExp][] = [
      [['send', 'nosuch', 'hi'], /no session 'nosuch'/],
      [['new', server.dataDir, '--name', 'bad name', '--no-attach'], /invalid name/],
      [['new', '/nonexistent/dir', '--no-attach'], /not a directory/],
      [['output', 'nosuch', '--lines', '0'], /--lines must be a positive integer/],
      [['name', 'a', 'b', 'c'], /usage: sm name \[session\] <name>/],
      [['name', 'lonely'], /not inside a managed session/],
      [['kill', 'nosuch'], /no session 'nosuch'/],
      [['events', 'nosuch'], /no session 'nosuch'/],
      [['last', 'nosuch'], /no session 'nosuch'/],
    ]
    for (const [args, message] of cases) {
      const r = await server.sm(args)
      expect(r.status, args.join(' ')).toBe(args[0] === 'name' && args.length === 2 ? 2 : 1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect((await server.sm(['ls', '--all', '--json'])).stdout).toBe(before)
    const first = await server.sm(['new', server.dataDir, '--name', 'dupe', '--no-attach'])
    expect(first.status, first.stderr).toBe(0)
    const dup = await server.sm(['new', server.dataDir, '--name', 'dupe', '--no-attach'])
    expect(dup.status).toBe(1)
    expect(dup.stderr).toContain("name 'dupe' is taken")
    await server.sm(['kill', 'dupe'])
  })

  it('an injected client is used as it is: its address and identity, not the environment\'s', async () => {
    const { id } = JSON.parse((await server.sm(['new', server.dataDir, '--name', 'injected', '--json'])).stdout) as { id: string }
    const client = createClient({ baseUrl: 'http://localhost:1', token: server.tokenOf(id), sessionId: id, transport: server.transport })
    // the environment says: the operator, at a closed port
    const r = await sm(['who', '--json'], { env: { ...down, CLAUDE_SESSION_MANAGER_ID: id }, client })
    expect(r).toMatchObject({ status: 0, stderr: '' })
    expect(JSON.parse(r.stdout)).toEqual(expect.any(Array))
    const me = await sm(['me', '--json'], { env: { ...down, CLAUDE_SESSION_MANAGER_ID: id }, client })
    expect(JSON.parse(me.stdout)).toMatchObject({ id, name: 'injected' })
    await server.sm(['kill', 'injected'])
  })

  it('sm new [dir] is from the current directory', async () => {
    const r = await server.sm(['new', 'data', '--name', 'relative', '--json'], { cwd: server.dir })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ workingDir: server.dataDir })
    const here = await server.sm(['new', '--name', 'here', '--json'], { cwd: server.dataDir })
    expect(JSON.parse(here.stdout)).toMatchObject({ workingDir: server.dataDir })
    for (const name of ['relative', 'here']) await server.sm(['kill', name])
  })
})

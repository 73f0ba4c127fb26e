import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SM, sm, startServerProcess, tmuxEnv, waitFor, type ServerProcess } from './test-support.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

interface Managed {
  id: string
  token: string
}

async function newSession(server: ServerProcess, name: string, ...args: string[]): Promise<Managed & { policy: string | null }> {
  const r = await sm(['new', server.dataDir, '--name', name, '--no-attach', '--json', ...args], server.env)
  expect(r.status, r.stderr).toBe(0)
  const session = JSON.parse(r.stdout) as { id: string; policy: string | null }
  return { ...session, token: tmuxEnv(server.socket, `claude-${session.id}`, 'CLAUDE_SESSION_MANAGER_TOKEN') }
}

/** Posts a hook event of a managed session with its own token, as the hook script does. */
async function hook(server: ServerProcess, session: Managed, event: string, payload: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${server.url}/hooks/${event}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sm-session': session.id, authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ session_id: CLAUDE_ID, cwd: '/home/tester/alpha', hook_event_name: event, ...payload }),
  })
  expect(res.status).toBe(200)
  return res.json()
}

/** A long-running `sm` whose output is read as it comes. */
function spawnSm(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [SM, ...args], { env }) as ChildProcessWithoutNullStreams
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output, exited }
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '')

/** A minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += ch
  }
  return rows
}

describe('sm tools and sm tail with a running server', () => {
  let server: ServerProcess
  let alpha: Managed
  let strict: Managed & { policy: string | null }
  const tricky = 'echo "a, b"\nprintf done'

  beforeAll(async () => {
    server = await startServerProcess()
    alpha = await newSession(server, 'alpha')
    strict = await newSession(server, 'guarded', '--policy', 'strict')
    await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u1', tool_input: { command: 'rm -rf ./build' } })
    await hook(server, alpha, 'PostToolUse', { tool_name: 'Bash', tool_use_id: 'u1', tool_input: { command: 'rm -rf ./build' }, tool_response: { stdout: '' }, duration_ms: 1234 })
    await hook(server, alpha, 'PreToolUse', { tool_name: 'Read', tool_use_id: 'u2', tool_input: { file_path: '/home/tester/alpha/.env' } })
    await hook(server, alpha, 'PostToolUseFailure', {
      tool_name: 'Bash',
      tool_use_id: 'u3',
      tool_input: { command: tricky },
      error: 'Exit code 2\nls: cannot access',
      duration_ms: 190,
    })
    const reply = await hook(server, strict, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u4', cwd: '/home/tester/beta', tool_input: { command: 'git push --force origin main' } })
    expect(reply).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } })
  }, 60_000)
  afterAll(async () => server?.stop())

  it('sm new --policy sets the profile, shown by --json; an unknown profile is one line, exit 1', async () => {
    expect(strict.policy).toBe('strict')
    const bad = await sm(['new', server.dataDir, '--policy', 'nosuch', '--no-attach'], server.env)
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toContain("no policy profile 'nosuch'")
  })

  it('sm tools prints one line per event: time, session, event, tool, input, result, flags', async () => {
    const r = await sm(['tools'], server.env)
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const out = lines(r.stdout)
    expect(out).toHaveLength(5)
    for (const line of out) expect(line.length).toBeLessThanOrEqual(120)
    // HH:MM:SS today (with the date only when the run crosses midnight)
    expect(out[0]).toMatch(/^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d {2}alpha +pre +Bash +rm -rf \.\/build +D:recursive_delete$/)
    expect(out[1]).toMatch(/^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d {2}alpha +post +Bash +rm -rf \.\/build +exit 0 1\.2s$/)
    expect(out[2]).toMatch(/alpha +pre +Read +\/home\/tester\/alpha\/\.env +S$/)
    expect(out[3]).toMatch(/alpha +fail +Bash +echo "a, b" printf done +exit 2 190ms$/)
    expect(out[4]).toMatch(/guarded +pre +Bash +git push --force origin main +D:git_history DENY$/)
  })

  it('sm tools filters: session, tool, destructive, denied, project, limit; none matching prints nothing', async () => {
    const count = async (...args: string[]) => lines((await sm(['tools', ...args], server.env)).stdout).length
    expect(await count('--session', 'alpha')).toBe(4)
    expect(await count('--session', 'alpha', '--tool', 'Read')).toBe(1)
    expect(await count('--destructive')).toBe(2)
    expect(await count('--denied')).toBe(1)
    expect(await count('--project', 'beta')).toBe(1)
    expect(await count('--since', '1h', '--until', String(Date.now() + 60_000))).toBe(5)
    const limited = await sm(['tools', '--limit', '2'], server.env)
    expect(lines(limited.stdout)[1]).toContain('guarded')
    expect(lines(limited.stdout)).toHaveLength(2)
    const none = await sm(['tools', '--tool', 'NoSuchTool'], server.env)
    expect(none).toMatchObject({ status: 0, stdout: '', stderr: '' })
  })

  it('sm tools --json prints the API reply; --csv a header and quoted rows', async () => {
    const json = await sm(['tools', '--json', '--session', 'alpha', '--destructive'], server.env)
    const body = JSON.parse(json.stdout) as { tools: { command: string; destructive: boolean; category: string; toolInput: unknown }[] }
    expect(Object.keys(body)).toEqual(['tools'])
    expect(body.tools).toHaveLength(1)
    expect(body.tools[0]).toMatchObject({ command: 'rm -rf ./build', destructive: true, category: 'recursive_delete', toolInput: { command: 'rm -rf ./build' } })

    const csv = await sm(['tools', '--csv', '--session', 'alpha'], server.env)
    expect(csv.status).toBe(0)
    expect(csv.stdout.endsWith('\r\n')).toBe(true)
    const rows = parseCsv(csv.stdout)
    expect(rows[0]).toEqual([
      'at',
      'sessionId',
      'sessionName',
      'event',
      'toolName',
      'toolUseId',
      'command',
      'targetFile',
      'exitCode',
      'durationMs',
      'destructive',
      'category',
      'sensitive',
      'match',
      'decision',
      'error',
      'project',
    ])
    expect(rows).toHaveLength(5)
    for (const row of rows) expect(row).toHaveLength(17)
    expect(rows[1]).toMatchObject({ 1: alpha.id, 2: 'alpha', 3: 'PreToolUse', 6: 'rm -rf ./build', 10: 'true', 11: 'recursive_delete', 16: 'alpha' })
    expect(rows[4]).toMatchObject({ 3: 'PostToolUseFailure', 6: tricky, 8: '2', 9: '190', 15: 'Exit code 2\nls: cannot access' })
    expect(csv.stdout).toContain('"echo ""a, b""\nprintf done"')
    expect((await sm(['tools', '--csv', '--tool', 'NoSuchTool'], server.env)).stdout).toBe(`${rows[0]!.join(',')}\r\n`)
  })

  it('sm tools stats counts by tool (default) or another key', async () => {
    const byTool = await sm(['tools', 'stats', '--json'], server.env)
    expect(byTool.status).toBe(0)
    const body = JSON.parse(byTool.stdout) as { by: string; rows: { key: string }[] }
    expect(body.by).toBe('tool')
    expect(body.rows.find((r) => r.key === 'Bash')).toEqual({ key: 'Bash', calls: 2, events: 4, destructive: 2, sensitive: 0, denied: 1, failed: 1 })
    expect(body.rows.find((r) => r.key === 'Read')).toMatchObject({ calls: 1, sensitive: 1 })
    const bySession = JSON.parse((await sm(['tools', 'stats', '--by', 'session', '--destructive', '--json'], server.env)).stdout) as typeof body
    expect(bySession.rows.map((r) => r.key).sort()).toEqual([alpha.id, strict.id].sort())
    const table = lines((await sm(['tools', 'stats', '--by', 'category'], server.env)).stdout)
    expect(table[0]).toMatch(/^category +calls +events +destructive +sensitive +denied +failed$/)
    expect(table.some((l) => /^recursive_delete +1 +1 +1 +0 +0 +0$/.test(l))).toBe(true)
  })

  it('bad input: exit 1 with one line naming the problem; --json with --csv is a usage error, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['tools', '--since', 'yesterday'], /since: 'yesterday' is not a time/],
      [['tools', 'stats', '--until', 'soon'], /until: 'soon' is not a time/],
      [['tools', '--limit', '0'], /--limit must be a positive integer/],
      [['tools', '--session', 'nosuch'], /no session 'nosuch'/],
      [['tools', 'stats', '--by', 'colour'], /by/],
      [['tools', 'stats', '--limit', '5'], /Unknown argument: limit/],
      [['tail', 'nosuch'], /no session 'nosuch'/],
      [['tail', 'nosuch', '-f'], /no session 'nosuch'/],
      [['tail', 'alpha', '-n', '0'], /-n must be a positive integer/],
    ]
    for (const [args, message] of cases) {
      const r = await sm(args, server.env)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    }
    const both = await sm(['tools', '--json', '--csv'], server.env)
    expect(both.status).toBe(1)
    expect(both.stdout).toBe('')
    expect(both.stderr).toBe('sm: give --json or --csv, not both\n')
  })

  it('sm tail -n prints the last N events of one session', async () => {
    const r = await sm(['tail', 'alpha', '-n', '2'], server.env)
    expect(r.status).toBe(0)
    const out = lines(r.stdout)
    expect(out).toHaveLength(2)
    expect(out[0]).toMatch(/alpha +pre +Read/)
    expect(out[1]).toMatch(/alpha +fail +Bash/)
    expect(lines((await sm(['tail', 'guarded'], server.env)).stdout)).toHaveLength(1)
    const json = lines((await sm(['tail', 'alpha', '-n', '1', '--json'], server.env)).stdout)
    expect(json.map((l) => (JSON.parse(l) as { toolUseId: string }).toolUseId)).toEqual(['u3'])
  })

  it('sm tail -f prints the last N, then each new event once, until Ctrl-C (exit 0)', async () => {
    const tail = spawnSm(['tail', 'alpha', '-f', '-n', '1'], server.env)
    try {
      await waitFor(() => tail.output.stdout.includes('\n'))
      expect(lines(tail.output.stdout)).toHaveLength(1)
      expect(tail.output.stdout).toMatch(/alpha +fail +Bash/)
      await hook(server, strict, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'other', tool_input: { command: 'echo not mine' } })
      await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u5', tool_input: { command: 'echo live' } })
      await waitFor(() => lines(tail.output.stdout).length >= 2)
      await hook(server, alpha, 'PostToolUse', { tool_name: 'Bash', tool_use_id: 'u5', tool_input: { command: 'echo live' }, tool_response: {}, duration_ms: 20 })
      await waitFor(() => lines(tail.output.stdout).length >= 3)
      const out = lines(tail.output.stdout)
      expect(out[1]).toMatch(/alpha +pre +Bash +echo live$/)
      expect(out[2]).toMatch(/alpha +post +Bash +echo live +exit 0 20ms$/)
      tail.child.kill('SIGINT')
      expect(await tail.exited).toBe(0)
      expect(lines(tail.output.stdout)).toHaveLength(3)
      expect(tail.output.stderr).toBe('')
    } finally {
      if (tail.child.exitCode === null) tail.child.kill('SIGKILL')
    }
  })
})

describe('sm tail -f when the server goes away', () => {
  let server: ServerProcess
  afterAll(async () => server?.stop())

  it('exits 1 with one line', async () => {
    server = await startServerProcess()
    const session = await newSession(server, 'lonely')
    const tail = spawnSm(['tail', 'lonely', '-f', '--json'], server.env)
    try {
      await hook(server, session, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'x1', tool_input: { command: 'true' } })
      await waitFor(() => tail.output.stdout.includes('\n'))
      const stopped = new Promise((r) => server.proc.once('exit', r))
      server.proc.kill('SIGTERM')
      await stopped
      expect(await tail.exited).toBe(1)
      expect(tail.output.stderr).toMatch(/^sm: lost the server: .+\n$/)
    } finally {
      if (tail.child.exitCode === null) tail.child.kill('SIGKILL')
    }
  }, 60_000)
})

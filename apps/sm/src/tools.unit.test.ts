/** `sm tools`, `sm tools stats`, `sm tail` in-process (tools.test.ts: `sm tail -f` through the binary: SIGINT, EPIPE, the server process going away). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inProcessServer, waitFor, type InProcessServer, type SmResult } from './testing/in-process.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

interface Managed {
  id: string
  policy: string | null
}

async function newSession(server: InProcessServer, name: string, ...args: string[]): Promise<Managed> {
  const r = await server.sm(['new', server.dataDir, '--name', name, '--no-attach', '--json', ...args])
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Managed
}

/** Posts a hook event of a managed session with its own token, as the hook script does. */
const hook = (server: InProcessServer, session: Managed, event: string, payload: Record<string, unknown>): Promise<unknown> =>
  server.hook(session.id, event, { session_id: CLAUDE_ID, cwd: '/home/tester/alpha', ...payload })

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '')

/** A long-running `sm` (tail -f) whose output is read as it comes; `interrupt()` is Ctrl-C. */
function follow(server: InProcessServer, args: string[]) {
  const abort = new AbortController()
  const output = { stdout: '' }
  const exited: Promise<SmResult> = server.sm(args, { signal: abort.signal, onStdout: (text) => (output.stdout += text) })
  return { output, exited, interrupt: () => abort.abort() }
}

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
  let server: InProcessServer
  let alpha: Managed
  let strict: Managed
  const tricky = 'echo "a, b"\nprintf done'

  beforeAll(async () => {
    server = inProcessServer()
    alpha = await newSession(server, 'alpha')
    strict = await newSession(server, 'guarded', '--policy', 'strict')
    await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u1', tool_input: { command: 'rm -rf ./build' } })
    server.clock.advance(1234)
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
  })
  afterAll(() => server?.stop())

  it('sm new --policy sets the profile, shown by --json; an unknown profile is one line, exit 1', async () => {
    expect(strict.policy).toBe('strict')
    const bad = await server.sm(['new', server.dataDir, '--policy', 'nosuch', '--no-attach'])
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toContain("no policy profile 'nosuch'")
  })

  it('sm tools prints one line per event: time, session, event, tool, input, result, flags', async () => {
    const r = await server.sm(['tools'])
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

  it('sm tools fits a terminal: its width, not 120 (the input cut, never under 20 characters)', async () => {
    const narrow = lines((await server.sm(['tools'], { columns: 90 })).stdout)
    expect(narrow).toHaveLength(5)
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(90)
    expect(narrow[4]).toMatch(/guarded +pre +Bash +git push --force or\S*… +D:git_history DENY$/)
    const wide = lines((await server.sm(['tools'], { columns: 200 })).stdout)
    expect(wide[4]).toMatch(/guarded +pre +Bash +git push --force origin main +D:git_history DENY$/)
  })

  it('sm tools filters: session, tool, destructive, denied, project, limit; none matching prints nothing', async () => {
    const count = async (...args: string[]) => lines((await server.sm(['tools', ...args])).stdout).length
    expect(await count('--session', 'alpha')).toBe(4)
    expect(await count('--session', 'alpha', '--tool', 'Read')).toBe(1)
    expect(await count('--destructive')).toBe(2)
    expect(await count('--sensitive')).toBe(1)
    expect(await count('--denied')).toBe(1)
    expect(await count('--project', 'beta')).toBe(1)
    expect(await count('--tree', 'alpha')).toBe(4)
    expect(await count('--since', '1h', '--until', String(Date.now() + 60_000))).toBe(5)
    expect(await count('--until', '1h')).toBe(0)
    const limited = await server.sm(['tools', '--limit', '2'])
    expect(lines(limited.stdout)[1]).toContain('guarded')
    expect(lines(limited.stdout)).toHaveLength(2)
    const none = await server.sm(['tools', '--tool', 'NoSuchTool'])
    expect(none).toMatchObject({ status: 0, stdout: '', stderr: '' })
  })

  it('sm tools --json prints the API reply; --csv a header and quoted rows', async () => {
    const json = await server.sm(['tools', '--json', '--session', 'alpha', '--destructive'])
    const body = JSON.parse(json.stdout) as { tools: { command: string; destructive: boolean; category: string; toolInput: unknown }[] }
    expect(Object.keys(body)).toEqual(['tools'])
    expect(body.tools).toHaveLength(1)
    expect(body.tools[0]).toMatchObject({ command: 'rm -rf ./build', destructive: true, category: 'recursive_delete', toolInput: { command: 'rm -rf ./build' } })
    expect(JSON.parse((await server.sm(['tools', '--json', '--tool', 'NoSuchTool'])).stdout)).toEqual({ tools: [] })

    const csv = await server.sm(['tools', '--csv', '--session', 'alpha'])
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
    expect((await server.sm(['tools', '--csv', '--tool', 'NoSuchTool'])).stdout).toBe(`${rows[0]!.join(',')}\r\n`)
  })

  it('sm tools stats counts by tool (default) or another key', async () => {
    const byTool = await server.sm(['tools', 'stats', '--json'])
    expect(byTool.status).toBe(0)
    const body = JSON.parse(byTool.stdout) as { by: string; rows: { key: string }[] }
    expect(body.by).toBe('tool')
    expect(body.rows.find((r) => r.key === 'Bash')).toEqual({ key: 'Bash', calls: 2, events: 4, destructive: 2, sensitive: 0, denied: 1, failed: 1 })
    expect(body.rows.find((r) => r.key === 'Read')).toMatchObject({ calls: 1, sensitive: 1 })
    const bySession = JSON.parse((await server.sm(['tools', 'stats', '--by', 'session', '--destructive', '--json'])).stdout) as typeof body
    expect(bySession.rows.map((r) => r.key).sort()).toEqual([alpha.id, strict.id].sort())
    const table = lines((await server.sm(['tools', 'stats', '--by', 'category'])).stdout)
    expect(table[0]).toMatch(/^category +calls +events +destructive +sensitive +denied +failed$/)
    expect(table.some((l) => /^recursive_delete +1 +1 +1 +0 +0 +0$/.test(l))).toBe(true)
    const byProject = lines((await server.sm(['tools', 'stats', '--by', 'project'])).stdout)
    expect(byProject[0]).toMatch(/^project +calls/)
    expect(byProject.slice(1).map((l) => l.split(/ +/)[0]).sort()).toEqual(['alpha', 'beta'])
    expect((await server.sm(['tools', 'stats', '--tool', 'NoSuchTool'])).stdout).toMatch(/^(tool +calls.*\n)?$/)
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
      [['tail', 'alpha', '-n', '0', '-f'], /-n must be a positive integer/],
    ]
    for (const [args, message] of cases) {
      const r = await server.sm(args)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    }
    const both = await server.sm(['tools', '--json', '--csv'])
    expect(both.status).toBe(1)
    expect(both.stdout).toBe('')
    expect(both.stderr).toBe('sm: give --json or --csv, not both\n')
  })

  it('sm tail -n prints the last N events of one session', async () => {
    const r = await server.sm(['tail', 'alpha', '-n', '2'])
    expect(r.status).toBe(0)
    const out = lines(r.stdout)
    expect(out).toHaveLength(2)
    expect(out[0]).toMatch(/alpha +pre +Read/)
    expect(out[1]).toMatch(/alpha +fail +Bash/)
    expect(lines((await server.sm(['tail', 'guarded'])).stdout)).toHaveLength(1)
    const json = lines((await server.sm(['tail', 'alpha', '-n', '1', '--json'])).stdout)
    expect(json.map((l) => (JSON.parse(l) as { toolUseId: string }).toolUseId)).toEqual(['u3'])
  })

  it('sm tail -f prints the last N, then each new event once, until Ctrl-C (exit 0)', async () => {
    const tail = follow(server, ['tail', 'alpha', '-f', '-n', '1'])
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
    tail.interrupt()
    const r = await tail.exited
    expect(r.status).toBe(0)
    expect(lines(r.stdout)).toHaveLength(3)
    expect(r.stderr).toBe('')
  })

  it('sm tail -f --json prints one JSON object per line, the last N first', async () => {
    const tail = follow(server, ['tail', 'guarded', '-f', '--json', '-n', '5'])
    await waitFor(() => lines(tail.output.stdout).length >= 2)
    await hook(server, strict, 'PreToolUse', { tool_name: 'Read', tool_use_id: 'g9', tool_input: { file_path: '/etc/hosts' } })
    await waitFor(() => lines(tail.output.stdout).length >= 3)
    tail.interrupt()
    const r = await tail.exited
    expect(r.status).toBe(0)
    expect(lines(r.stdout).map((l) => (JSON.parse(l) as { toolUseId: string }).toolUseId)).toEqual(['u4', 'other', 'g9'])
  })
})

describe('sm tail -f when the server goes away', () => {
  let server: InProcessServer
  afterAll(() => server?.stop())

  it('exits 1 with one line', async () => {
    server = inProcessServer()
    const session = await newSession(server, 'lonely')
    const tail = follow(server, ['tail', 'lonely', '-f', '--json'])
    await hook(server, session, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'x1', tool_input: { command: 'true' } })
    await waitFor(() => tail.output.stdout.includes('\n'))
    server.transport.disconnect()
    const r = await tail.exited
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^sm: lost the server: .+\n$/)
  })
})

/** `sm spawn`, `children`, `send`, `wait`, `clear`, `kill --tree` in-process (spawning in real tmux: apps/server's tests; with Claude Code: packages/e2e). */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Env } from './env.js'
import { inProcessServer, waitFor, type InProcessServer } from './testing/in-process.js'

let server: InProcessServer
beforeAll(() => {
  server = inProcessServer()
})
afterAll(() => server?.stop())

interface Managed {
  id: string
  name: string
  env: Env
}

async function top(name: string): Promise<Managed> {
  const r = await server.sm(['new', server.dataDir, '--name', name, '--no-attach', '--json'])
  expect(r.status, r.stderr).toBe(0)
  const id = (JSON.parse(r.stdout) as { id: string }).id
  return { id, name, env: server.inside(id) }
}

async function spawnAs(parent: Managed, name: string, ...args: string[]): Promise<Managed> {
  const r = await server.sm(['spawn', `the task of ${name}`, '--name', name, '--json', ...args], { env: parent.env })
  expect(r.status, r.stderr).toBe(0)
  const child = JSON.parse(r.stdout) as { id: string; parentId: string; spawnPrompt: string }
  expect(child).toMatchObject({ parentId: parent.id, spawnPrompt: `the task of ${name}` })
  return { id: child.id, name, env: server.inside(child.id) }
}

const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).toHaveLength(1)

describe('sm spawn, children, send, wait, kill --tree', () => {
  it('spawn from inside a session; children lists them (recursive, by status); exit 1 when none', async () => {
    const lead = await top('lead')
    const kid = await spawnAs(lead, 'kid')
    const grandkid = await spawnAs(kid, 'grandkid')
    const table = await server.sm(['children'], { env: lead.env })
    expect(table.status).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`^kid\\s+${kid.id}\\s+\\w+`))
    const all = JSON.parse((await server.sm(['children', 'lead', '--recursive', '--json'])).stdout) as { name: string; depth: number }[]
    expect(all.map((c) => [c.name, c.depth])).toEqual([
      ['kid', 1],
      ['grandkid', 2],
    ])
    expect((await server.sm(['children', grandkid.id])).status).toBe(1)
    const none = await server.sm(['children', 'lead', '--status', 'stopped'])
    expect(none).toMatchObject({ status: 1, stdout: '' })
  })

  it('children: name (indented by depth), id, status, age, last tool, first line of the last message', async () => {
    const lead = await top('lead-table')
    const kid = await spawnAs(lead, 'kid-table')
    const grandkid = await spawnAs(kid, 'grandkid-table')
    await server.hook(grandkid.id, 'PreToolUse', { session_id: 'g1', tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'ls' } })
    await server.hook(grandkid.id, 'Stop', { session_id: 'g1', last_assistant_message: 'Listed.\nSecond line.' })
    const lines = (await server.sm(['children', '-r'], { env: lead.env })).stdout.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^kid-table {9}${kid.id}  \\w+ +\\d+s  -$`))
    expect(lines[1]).toMatch(new RegExp(`^  grandkid-table  ${grandkid.id}  \\w+ +\\d+s  Bash  Listed\\.$`))
    expect(lines.slice(2)).toEqual([''])
    // the columns line up
    expect(lines[0]!.indexOf(kid.id)).toBe(lines[1]!.indexOf(grandkid.id))
    expect(JSON.parse((await server.sm(['children', 'kid-table', '--json'])).stdout)).toMatchObject([{ id: grandkid.id, name: 'grandkid-table', depth: 1, lastTool: 'Bash' }])
  })

  it('spawn outside a session is exit 2; bad --wait and an empty prompt are exit 1, one line', async () => {
    const outside = await server.sm(['spawn', 'do it'])
    expect(outside.status).toBe(2)
    oneLine(outside.stderr)
    const lead = await top('lead2')
    for (const args of [['spawn', 'x', '--wait', '0'], ['spawn', '  '], ['spawn'], ['spawn', 'x', '--wait', '1.5']]) {
      const r = await server.sm(args, { env: lead.env })
      expect(r.status, args.join(' ')).toBe(1)
      oneLine(r.stderr)
    }
  })

  it('spawn prints the child in words; --wait says a message comes; --working-dir is from the current directory', async () => {
    const lead = await top('lead-words')
    const r = await server.sm(['spawn', 'do a thing', '--name', 'worded-kid'], { env: lead.env })
    expect(r).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/^spawned worded-kid \([0-9a-f]{8}\)\n$/) })
    const waited = await server.sm(['spawn', 'do a thing', '--name', 'waited-kid', '--wait', '30'], { env: lead.env })
    expect(waited.stdout).toMatch(/^spawned waited-kid \([0-9a-f]{8}\); you get a message when it is done \(quiet 30s\)\n$/)
    mkdirSync(join(server.dir, 'sub'), { recursive: true })
    const elsewhere = await server.sm(['spawn', 'do a thing', '--name', 'moved-kid', '--working-dir', 'sub', '--json'], { env: lead.env, cwd: server.dir })
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({ workingDir: join(server.dir, 'sub') })
  })

  it('spawn -- <prompt>: a prompt that starts with - is the prompt, never an option', async () => {
    const lead = await top('lead-dash')
    const r = await server.sm(['spawn', '--name', 'dashkid', '--json', '--', '--dangerously-skip-permissions now'], { env: lead.env })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ parentId: lead.id, spawnPrompt: '--dangerously-skip-permissions now' })
  })

  it('send: delivered to an idle session, named; bad input is one clear line and nothing is sent', async () => {
    const lead = await top('lead3')
    const kid = await spawnAs(lead, 'kid3')
    const sent = await server.sm(['send', 'kid3', 'hello kid', '--json'], { env: lead.env })
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ session: kid.id, status: 'delivered', mode: 'sequential', via: 'typed' })
    await waitFor(async () => (await server.sm(['output', 'kid3'])).stdout.includes(`got: [sm from lead3 (${lead.id})] hello kid`), 10_000)
    const cases: [string[], RegExp, Env][] = [
      [['send', 'kid3', '   '], /the text is empty/, lead.env],
      [['send', 'lead3', 'me'], /yourself/, lead.env],
      [['send', 'kid3', 'x', '--important', '--urgent'], /give one of/, lead.env],
      [['send', 'nobody', 'x'], /no session 'nobody'/, lead.env],
      [['send', 'kid3', 'x'.repeat(100_001)], /limit is 100000/, server.env],
      [['wait', 'kid3', '0'], /positive/, lead.env],
      [['send', 'kid3'], /usage: sm send <session> <text\|->/, lead.env],
    ]
    for (const [args, message, env] of cases) {
      const r = await server.sm(args, { env })
      expect(r.status, args.join(' ').slice(0, 80)).toBe(1)
      expect(r.stderr).toMatch(message)
      oneLine(r.stderr)
    }
    const stored = await server.sm(['send', 'kid3', 'x', '--unknown-flag'], { env: lead.env })
    expect(stored.status).toBe(1)
    expect(server.messages.list({ recipientId: kid.id }).map((m) => m.text)).toEqual(['hello kid'])
  })

  it('send to a working session queues it: sequential until its turn ends, --important at its next tool call', async () => {
    const lead = await top('lead-q')
    const kid = await spawnAs(lead, 'kid-q')
    await server.hook(kid.id, 'UserPromptSubmit', { session_id: 'q1', prompt: 'work' })
    expect(await server.sm(['send', 'kid-q', 'later'], { env: lead.env })).toMatchObject({ status: 0, stdout: `queued for ${kid.id} (delivered when its turn ends)\n` })
    expect((await server.sm(['send', 'kid-q', 'sooner', '--important'], { env: lead.env })).stdout).toBe(`queued for ${kid.id} (delivered at its next tool call or when its turn ends)\n`)
    const json = JSON.parse((await server.sm(['send', 'kid-q', '-', '--json'], { env: lead.env, stdin: 'piped\n\n' })).stdout) as Record<string, unknown>
    expect(Object.keys(json)).toEqual(['session', 'message', 'status', 'mode', 'via'])
    expect(json).toMatchObject({ session: kid.id, status: 'queued', mode: 'sequential', via: null })
    expect(server.messages.list({ recipientId: kid.id }).map((m) => [m.text, m.mode, m.status])).toEqual([
      ['later', 'sequential', 'queued'],
      ['sooner', 'important', 'queued'],
      ['piped', 'sequential', 'queued'],
    ])
    expect((await server.sm(['send', 'kid-q', '-'], { env: lead.env, stdin: '\n\n' })).stderr).toBe('sm: nothing to send: the text is empty\n')
  })

  it('ownership: a sibling may not kill or clear; the parent kills the subtree, children first', async () => {
    const lead = await top('lead4')
    const a = await spawnAs(lead, 'a4')
    const b = await spawnAs(lead, 'b4')
    const a1 = await spawnAs(a, 'a41')
    for (const args of [['kill', 'a4'], ['clear', 'a4'], ['interrupt', 'a4'], ['name', 'a4', 'renamed'], ['kill', 'a4', '--tree'], ['key', 'a4', 'y']]) {
      const r = await server.sm(args, { env: b.env })
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toContain('only its parent')
      oneLine(r.stderr)
    }
    const killed = await server.sm(['kill', 'a4', '--tree', '--json'], { env: lead.env })
    expect(killed.status, killed.stderr).toBe(0)
    expect((JSON.parse(killed.stdout) as { id: string; state: string }[]).map((s) => [s.id, s.state])).toEqual([
      [a1.id, 'stopped'],
      [a.id, 'stopped'],
    ])
    const left = JSON.parse((await server.sm(['children', 'lead4', '--json'])).stdout) as { name: string; status: string }[]
    expect(left.map((c) => [c.name, c.status])).toEqual([
      ['a4', 'stopped'],
      ['b4', expect.stringMatching(/running|idle/)],
    ])
  })

  it('kill --tree prints one line per session killed, children first', async () => {
    const lead = await top('lead-kt')
    const kid = await spawnAs(lead, 'kid-kt')
    const grandkid = await spawnAs(kid, 'grandkid-kt')
    expect(await server.sm(['kill', 'kid-kt', '--tree'])).toMatchObject({
      status: 0,
      stdout: `killed grandkid-kt (${grandkid.id})\nkilled kid-kt (${kid.id})\n`,
      stderr: '',
    })
  })

  it('clear: the parent or the operator; /clear typed, then the prompt', async () => {
    const lead = await top('lead-c')
    const kid = await spawnAs(lead, 'kid-c')
    await server.hook(kid.id, 'SessionStart', { session_id: 'c-1', source: 'startup' })
    const r = await server.sm(['clear', 'kid-c', 'start over'], { env: lead.env })
    expect(r).toMatchObject({ status: 0, stdout: `cleared kid-c (${kid.id}) and sent the prompt\n`, stderr: '' })
    expect(server.mux.terminals.get(`claude-${kid.id}`)!.submitted).toEqual(['/clear', 'start over'])
    expect((await server.sm(['clear', 'kid-c'])).stdout).toBe(`cleared kid-c (${kid.id})\n`)
    expect(JSON.parse((await server.sm(['clear', 'kid-c', '--json'])).stdout)).toMatchObject({ id: kid.id, name: 'kid-c' })
  })

  it('wait: from inside a session only; returns at once with the deadline', async () => {
    const lead = await top('lead5')
    await spawnAs(lead, 'kid5')
    const r = await server.sm(['wait', 'kid5', '30', '--json'], { env: lead.env })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ target: expect.any(String), deadline: expect.any(String) })
    expect((await server.sm(['wait', 'kid5', '30'])).status).toBe(2)
    const words = await server.sm(['wait', 'kid5', '45'], { env: lead.env })
    expect(words.stdout).toMatch(/^watching [0-9a-f]{8}: you get one message when it is done, exits, or after 45s\n$/)
    expect((await server.sm(['wait', 'kid5', '2.5'], { env: lead.env })).stderr).toBe('sm: <seconds> must be a positive whole number\n')
  })
})

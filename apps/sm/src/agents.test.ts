import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm, startServerProcess, tmuxEnv, waitFor, type ServerProcess } from './test-support.js'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
}, 30_000)
afterAll(() => server?.stop())

interface Managed {
  id: string
  name: string
  env: Record<string, string>
}

/** The environment `sm` has inside a managed session: its id and token from its tmux environment. */
const inside = (id: string): Record<string, string> => ({
  ...server.env,
  CLAUDE_SESSION_MANAGER_ID: id,
  CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN'),
})

async function top(name: string): Promise<Managed> {
  const r = await sm(['new', server.dataDir, '--name', name, '--no-attach', '--json'], server.env)
  expect(r.status, r.stderr).toBe(0)
  const id = (JSON.parse(r.stdout) as { id: string }).id
  return { id, name, env: inside(id) }
}

async function spawnAs(parent: Managed, name: string, ...args: string[]): Promise<Managed> {
  const r = await sm(['spawn', `the task of ${name}`, '--name', name, '--json', ...args], parent.env)
  expect(r.status, r.stderr).toBe(0)
  const child = JSON.parse(r.stdout) as { id: string; parentId: string; spawnPrompt: string }
  expect(child).toMatchObject({ parentId: parent.id, spawnPrompt: `the task of ${name}` })
  return { id: child.id, name, env: inside(child.id) }
}

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1)

describe('sm spawn, children, send, wait, kill --tree', () => {
  it('spawn from inside a session; children lists them (recursive, by status); exit 1 when none', async () => {
    const lead = await top('lead')
    const kid = await spawnAs(lead, 'kid')
    const grandkid = await spawnAs(kid, 'grandkid')
    const table = await sm(['children'], lead.env)
    expect(table.status).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`^kid\\s+${kid.id}\\s+\\w+`))
    const all = JSON.parse((await sm(['children', 'lead', '--recursive', '--json'], server.env)).stdout) as { name: string; depth: number }[]
    expect(all.map((c) => [c.name, c.depth])).toEqual([
      ['kid', 1],
      ['grandkid', 2],
    ])
    expect((await sm(['children', grandkid.id], server.env)).status).toBe(1)
    const none = await sm(['children', 'lead', '--status', 'stopped'], server.env)
    expect(none).toMatchObject({ status: 1, stdout: '' })
  })

  it('spawn outside a session is exit 2; bad --wait and an empty prompt are exit 1, one line', async () => {
    const outside = await sm(['spawn', 'do it'], server.env)
    expect(outside.status).toBe(2)
    oneLine(outside.stderr)
    const lead = await top('lead2')
    for (const args of [['spawn', 'x', '--wait', '0'], ['spawn', '  '], ['spawn']]) {
      const r = await sm(args, lead.env)
      expect(r.status, args.join(' ')).toBe(1)
      oneLine(r.stderr)
    }
  })

  it('spawn -- <prompt>: a prompt that starts with - is the prompt, never an option', async () => {
    const lead = await top('lead-dash')
    const r = await sm(['spawn', '--name', 'dashkid', '--json', '--', '--dangerously-skip-permissions now'], lead.env)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ parentId: lead.id, spawnPrompt: '--dangerously-skip-permissions now' })
  })

  it('send: delivered to an idle session, named; bad input is one clear line and nothing is sent', async () => {
    const lead = await top('lead3')
    const kid = await spawnAs(lead, 'kid3')
    const sent = await sm(['send', 'kid3', 'hello kid', '--json'], lead.env)
    expect(sent.status, sent.stderr).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ session: kid.id, status: 'delivered', mode: 'sequential', via: 'typed' })
    await waitFor(async () => (await sm(['output', 'kid3'], server.env)).stdout.includes(`got: [sm from lead3 (${lead.id})] hello kid`), 10_000)
    const cases: [string[], RegExp, Record<string, string>][] = [
      [['send', 'kid3', '   '], /the text is empty/, lead.env],
      [['send', 'lead3', 'me'], /yourself/, lead.env],
      [['send', 'kid3', 'x', '--important', '--urgent'], /give one of/, lead.env],
      [['send', 'nobody', 'x'], /no session 'nobody'/, lead.env],
      [['send', 'kid3', 'x'.repeat(100_001)], /limit is 100000/, server.env],
      [['wait', 'kid3', '0'], /positive/, lead.env],
    ]
    for (const [args, message, env] of cases) {
      const r = await sm(args, env)
      expect(r.status, args.join(' ').slice(0, 80)).toBe(1)
      expect(r.stderr).toMatch(message)
      oneLine(r.stderr)
    }
    const stored = (await sm(['send', 'kid3', 'x', '--unknown-flag'], lead.env))
    expect(stored.status).toBe(1)
  })

  it('ownership: a sibling may not kill or clear; the parent kills the subtree, children first', async () => {
    const lead = await top('lead4')
    const a = await spawnAs(lead, 'a4')
    const b = await spawnAs(lead, 'b4')
    const a1 = await spawnAs(a, 'a41')
    for (const args of [['kill', 'a4'], ['clear', 'a4'], ['interrupt', 'a4'], ['name', 'a4', 'renamed']]) {
      const r = await sm(args, b.env)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toContain('only its parent')
    }
    const killed = await sm(['kill', 'a4', '--tree', '--json'], lead.env)
    expect(killed.status, killed.stderr).toBe(0)
    expect((JSON.parse(killed.stdout) as { id: string; state: string }[]).map((s) => [s.id, s.state])).toEqual([
      [a1.id, 'stopped'],
      [a.id, 'stopped'],
    ])
    const left = JSON.parse((await sm(['children', 'lead4', '--json'], server.env)).stdout) as { name: string; status: string }[]
    expect(left.map((c) => [c.name, c.status])).toEqual([
      ['a4', 'stopped'],
      ['b4', expect.stringMatching(/running|idle/)],
    ])
  })

  it('wait: from inside a session only; returns at once with the deadline', async () => {
    const lead = await top('lead5')
    await spawnAs(lead, 'kid5')
    const r = await sm(['wait', 'kid5', '30', '--json'], lead.env)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ target: expect.any(String), deadline: expect.any(String) })
    expect((await sm(['wait', 'kid5', '30'], server.env)).status).toBe(2)
  })
})

/** `sm who`, `others`, `all`, `alone`, `task`, `subagents`, `status` in a session, in-process (awareness.test.ts: `sm who` through the binary and a real server, in real git repositories). */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FsRepoInspector } from '@claude-sessions/workspace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Env } from './env.js'
import { gitCheckout, gitWorktree, inProcessServer, sm, type InProcessServer, type SmResult } from './testing/in-process.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

let server: InProcessServer
let base: string
/** Directories: a repository, a linked worktree of it, a clone of it over HTTPS, another repository. */
const dirs = { app: '', worktree: '', clone: '', other: '' }

interface Managed {
  id: string
  name: string
  dir: string
  env: Env
}

async function session(name: string, dir: string): Promise<Managed> {
  const r = await server.sm(['new', dir, '--name', name, '--no-attach', '--json'])
  expect(r.status, r.stderr).toBe(0)
  const id = (JSON.parse(r.stdout) as { id: string }).id
  return { id, name, dir, env: server.inside(id) }
}

/** Runs `sm` in a directory (the workspace lock is the current directory's). */
const smIn = (cwd: string, args: string[], env: Env): Promise<SmResult> => server.sm(args, { env, cwd })

const hook = async (s: Managed, event: string, payload: Record<string, unknown>): Promise<void> => {
  await server.hook(s.id, event, { session_id: CLAUDE_ID, cwd: s.dir, ...payload })
}

const oneLine = (r: SmResult) => expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1)

let lead: Managed
let wt: Managed
let cloned: Managed
let loner: Managed

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-awareness-')))
  dirs.app = gitCheckout(join(base, 'app'), { origin: 'git@github.com:acme/app.git' })
  dirs.worktree = gitWorktree(dirs.app, join(base, 'app-feature'), 'feature')
  dirs.clone = gitCheckout(join(base, 'app-clone'), { origin: 'https://github.com/Acme/App' })
  dirs.other = gitCheckout(join(base, 'other'), { origin: 'git@github.com:acme/other.git' })
  server = inProcessServer({ repos: new FsRepoInspector() })
  lead = await session('lead', dirs.app)
  wt = await session('wt', dirs.worktree)
  cloned = await session('cloned', dirs.clone)
  loner = await session('loner', dirs.other)
})
afterAll(() => {
  server?.stop()
  if (base) rmSync(base, { recursive: true, force: true })
})

describe('sm who, others, all, alone, task, subagents, status in a session', () => {
  it('sm task sets, shows and clears your task; others see it; sm me shows it', async () => {
    const set = await server.sm(['task', 'refactor', 'the "auth"; $(module)'], { env: lead.env })
    expect(set).toMatchObject({ status: 0, stderr: '' })
    expect(set.stdout).toBe('task: refactor the "auth"; $(module)\n')
    expect(await server.sm(['task'], { env: lead.env })).toMatchObject({ status: 0, stdout: 'refactor the "auth"; $(module)\n' })
    expect(JSON.parse((await server.sm(['task', '--json'], { env: lead.env })).stdout)).toEqual({ id: lead.id, name: 'lead', task: 'refactor the "auth"; $(module)' })
    expect((await server.sm(['me'], { env: lead.env })).stdout).toContain('task: refactor the "auth"; $(module)\n')
    expect(JSON.parse((await server.sm(['me', '--json'], { env: lead.env })).stdout)).toMatchObject({ currentTask: 'refactor the "auth"; $(module)' })

    expect(await server.sm(['task', '--clear'], { env: wt.env })).toMatchObject({ status: 0, stdout: 'task cleared\n' })
    expect(JSON.parse((await server.sm(['task', '--clear', '--json'], { env: wt.env })).stdout)).toEqual({ id: wt.id, name: 'wt', task: null })
    const none = await server.sm(['task'], { env: wt.env })
    expect(none).toMatchObject({ status: 1, stdout: '' })
    expect(none.stderr).toMatch(/^sm: no task set/)
    expect(JSON.parse((await server.sm(['task', 'write the docs', '--json'], { env: wt.env })).stdout)).toEqual({ id: wt.id, name: 'wt', task: 'write the docs' })
  })

  it('sm task: bad input is exit 1 with one line and changes nothing; outside a session exit 2', async () => {
    for (const [args, message] of [
      [['task', 'x', '--clear'], /give a task or --clear, not both/],
      [['task', '   '], /the task is empty/],
      [['task', 'y'.repeat(501)], /at most 500/],
    ] as const) {
      const r = await server.sm([...args], { env: lead.env })
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      oneLine(r)
    }
    expect((await server.sm(['task'], { env: lead.env })).stdout).toBe('refactor the "auth"; $(module)\n')
    const outside = await server.sm(['task', 'x'])
    expect(outside.status).toBe(2)
    expect(outside.stderr).toContain('not inside a managed session')
    oneLine(outside)
  })

  it('sm who: the others in my repository (same dir, worktree, clone over another URL form) with tasks', async () => {
    const r = await server.sm(['who'], { env: lead.env })
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(new RegExp(`^wt\\s+${wt.id}\\s+\\w+\\s+\\d+[smhd]\\s+write the docs$`))
    expect(lines[1]).toMatch(new RegExp(`^cloned\\s+${cloned.id}\\s+\\w+\\s+\\d+[smhd]\\s+-$`))
    const json = JSON.parse((await server.sm(['who', '--json'], { env: cloned.env })).stdout) as { name: string; sameRepo: boolean; task: string | null }[]
    expect(json.map((p) => [p.name, p.sameRepo, p.task])).toEqual([
      ['lead', true, 'refactor the "auth"; $(module)'],
      ['wt', true, 'write the docs'],
    ])
    const alone = await server.sm(['who'], { env: loner.env })
    expect(alone).toMatchObject({ status: 0, stdout: '', stderr: 'nobody else is working in this repository\n' })
    expect(JSON.parse((await server.sm(['who', '--json'], { env: loner.env })).stdout)).toEqual([])
    expect((await server.sm(['who'])).status).toBe(2)
  })

  it('sm others: everyone else with repo flag, task and last message; --repo keeps my repository', async () => {
    await hook(wt, 'Stop', { last_assistant_message: 'Docs written.\nSecond line not shown.', background_tasks: [] })
    const r = await server.sm(['others'], { env: lead.env })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^wt\\s+${wt.id}\\s+idle\\s+\\d+s\\s+same-repo\\s+${dirs.worktree}\\n    task: write the docs\\n    last: Docs written\\.\\n`))
    expect(r.stdout).toMatch(new RegExp(`^loner\\s+${loner.id}\\s+\\w+\\s+\\d+s\\s+elsewhere\\s+${dirs.other}$`, 'm'))
    expect(r.stdout).not.toContain('Second line')
    const repoOnly = JSON.parse((await server.sm(['others', '--repo', '--json'], { env: lead.env })).stdout) as { name: string; lastMessage: string | null }[]
    expect(repoOnly.map((p) => p.name)).toEqual(['wt', 'cloned'])
    expect(repoOnly[0]!.lastMessage).toBe('Docs written.\nSecond line not shown.')
    const fromLoner = JSON.parse((await server.sm(['others', '--json'], { env: loner.env })).stdout) as { name: string; sameRepo: boolean }[]
    expect(fromLoner.map((p) => [p.name, p.sameRepo])).toEqual([
      ['lead', false],
      ['wt', false],
      ['cloned', false],
    ])
    const repoWords = await server.sm(['others', '--repo'], { env: loner.env })
    expect(repoWords).toMatchObject({ status: 0, stdout: '', stderr: 'nobody else is working in this repository\n' })
  })

  it('sm alone: silent; exit 0 alone, 1 not alone, 2 outside a session, with a forged token, or with the server down', async () => {
    expect(await server.sm(['alone'], { env: loner.env })).toMatchObject({ status: 0, stdout: '', stderr: '' })
    expect(await server.sm(['alone'], { env: lead.env })).toMatchObject({ status: 1, stdout: '', stderr: '' })
    const outside = await server.sm(['alone'])
    expect(outside).toMatchObject({ status: 2, stdout: '' })
    oneLine(outside)
    const forged = await server.sm(['alone'], { env: { ...lead.env, CLAUDE_SESSION_MANAGER_TOKEN: 'forged' } })
    expect(forged.status).toBe(2)
    expect(forged.stderr).toContain('wrong session token')
    // no transport into the app: the binary's own (node:http) to a closed port
    const down = await sm(['alone'], { env: { ...lead.env, CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9' } })
    expect(down.status).toBe(2)
    expect(down.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
  })

  it('sm all: every live session with its task, inside or outside a session', async () => {
    const r = await server.sm(['all'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^lead\\s+${lead.id}\\s+\\w+\\s+\\d+s\\s+${dirs.app}\\s+refactor the "auth"; \\$\\(module\\)$`, 'm'))
    expect(r.stdout).toMatch(new RegExp(`^loner\\s+${loner.id}\\s+\\w+\\s+\\d+s\\s+${dirs.other}\\s+-$`, 'm'))
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4)
    const json = JSON.parse((await server.sm(['all', '--json'], { env: lead.env })).stdout) as { name: string; currentTask: string | null }[]
    expect(json.find((s) => s.name === 'wt')?.currentTask).toBe('write the docs')
  })

  it('sm subagents: type, state and age from SubagentStart/Stop; background tasks of the last stop', async () => {
    await hook(lead, 'UserPromptSubmit', { prompt: 'go' })
    await hook(lead, 'SubagentStart', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })
    await hook(lead, 'SubagentStart', { agent_id: 'b2', agent_type: 'Explore' })
    await hook(lead, 'SubagentStop', { agent_id: 'b2', agent_type: 'Explore', last_assistant_message: 'found 3 files' })
    const shell = { id: 'bash-1', type: 'shell', status: 'running', description: 'npm run watch' }
    await hook(lead, 'Stop', { last_assistant_message: 'waiting', background_tasks: [{ id: 'a3990472c679f7b59', type: 'subagent', status: 'running', description: 'List files', agent_type: 'general-purpose' }, shell] })
    const r = await server.sm(['subagents', 'lead'])
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^a3990472c679f7b59\s+general-purpose\s+running\s+\d+s\s+List files$/)
    expect(lines[1]).toMatch(/^b2\s+Explore\s+done\s+\d+s\s+found 3 files \(ran \d+s\)$/)
    expect(lines[2]).toMatch(/^background tasks at the last stop \(\d+s ago\):$/)
    expect(lines[3]).toMatch(/^ {2}bash-1\s+shell\s+running\s+npm run watch$/)
    expect(lines).toHaveLength(4)
    const mine = JSON.parse((await server.sm(['subagents', '--json'], { env: lead.env })).stdout) as { session: string; subagents: { id: string; state: string; type: string }[]; backgroundTasks: { id: string }[] }
    expect(Object.keys(mine)).toEqual(['session', 'name', 'subagents', 'backgroundTasks', 'backgroundTasksAt'])
    expect(mine.session).toBe(lead.id)
    expect(mine.subagents.map((s) => [s.id, s.type, s.state])).toEqual([
      ['a3990472c679f7b59', 'general-purpose', 'running'],
      ['b2', 'Explore', 'done'],
    ])
    expect(mine.backgroundTasks.map((t) => t.id)).toEqual(['a3990472c679f7b59', 'bash-1'])
    const none = await server.sm(['subagents', 'loner'])
    expect(none).toMatchObject({ status: 0, stdout: '', stderr: 'no subagents seen in loner\n' })
    const unknown = await server.sm(['subagents', 'nosuch'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain("no session 'nosuch'")
    oneLine(unknown)
    expect((await server.sm(['subagents'])).status).toBe(2)
  })

  it('sm status inside a session: me, others in the repository, the lock; sm ls and --all stay the list; outside unchanged', async () => {
    const free = await smIn(dirs.app, ['status'], lead.env)
    expect(free.status, free.stderr).toBe(0)
    const lines = free.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(new RegExp(`^me\\s+lead \\(${lead.id}\\)\\s+\\w+\\s+refactor the "auth"; \\$\\(module\\)$`))
    expect(lines[1]).toMatch(new RegExp(`^other\\s+wt \\(${wt.id}\\)\\s+idle\\s+write the docs$`))
    expect(lines[2]).toMatch(new RegExp(`^other\\s+cloned \\(${cloned.id}\\)\\s+\\w+\\s+-$`))
    expect(lines[3]).toBe(`lock   free (${dirs.app})`)
    expect(lines).toHaveLength(4)

    const locked = await smIn(dirs.worktree, ['lock', 'docs pass'], wt.env)
    expect(locked.status, locked.stderr).toBe(0)
    const inWorktree = await smIn(dirs.worktree, ['status'], lead.env)
    expect(inWorktree.stdout).toMatch(new RegExp(`^lock\\s+held by ${wt.id}, \\d+s ago: "docs pass" on branch feature$`, 'm'))
    const mineLock = await smIn(dirs.worktree, ['status', '--json'], wt.env)
    const json = JSON.parse(mineLock.stdout) as { me: { id: string; currentTask: string }; others: { name: string }[]; lock: { root: string; state: string; lock: { task: string } } }
    expect(json.me).toMatchObject({ id: wt.id, currentTask: 'write the docs' })
    expect(json.others.map((o) => o.name)).toEqual(['lead', 'cloned'])
    expect(json.lock).toMatchObject({ root: dirs.worktree, state: 'mine', lock: { task: 'docs pass' } })
    expect((await smIn(dirs.worktree, ['status'], wt.env)).stdout).toMatch(new RegExp(`^lock\\s+yours: ${wt.id}, \\d+s ago: "docs pass" on branch feature$`, 'm'))

    const lonely = await smIn(base, ['status'], loner.env)
    expect(lonely.stdout).toMatch(new RegExp(`^me\\s+loner \\(${loner.id}\\)\\s+\\w+\\s+-\\nother\\s+none in this repository\\n$`))
    expect(JSON.parse((await smIn(base, ['status', '--json'], loner.env)).stdout)).toMatchObject({ others: [], lock: null })

    // the list, as before: `ls`, `--all`, and outside a session (the fast path)
    for (const args of [['ls'], ['status', '--all'], ['ls', '--json']]) {
      const r = await smIn(dirs.app, args, lead.env)
      expect(r.status, args.join(' ')).toBe(0)
      expect(r.stdout, args.join(' ')).not.toMatch(/^me\s/m)
      expect(r.stdout, args.join(' ')).toContain(loner.id)
    }
    const outside = await smIn(dirs.app, ['status'], server.env)
    // the lead's last Stop reported two background tasks still running
    expect(outside.stdout).toMatch(new RegExp(`^lead\\s+${lead.id}\\s+\\w+ · 2 bg\\s+\\d+s\\s+${dirs.app}$`, 'm'))
    expect(JSON.parse((await smIn(dirs.app, ['status', '--json'], server.env)).stdout)).toHaveLength(4)
  })

  it('sm status inside a session shows a stale lock of another as stale', async () => {
    const sub = join(dirs.clone, 'src')
    mkdirSync(sub, { recursive: true })
    expect((await smIn(sub, ['lock', 'old work'], loner.env)).status).toBe(0)
    // fifty minutes later (the lock file's own clock: its `started`)
    const file = join(dirs.clone, '.claude', 'workspace.lock')
    const lock = JSON.parse(readFileSync(file, 'utf8')) as { started: string }
    writeFileSync(file, `${JSON.stringify({ ...lock, started: new Date(Date.now() - 50 * 60_000).toISOString() })}\n`)
    expect((await smIn(sub, ['status'], cloned.env)).stdout).toMatch(new RegExp(`^lock\\s+stale: ${loner.id}, 50m ago: "old work" on branch main$`, 'm'))
  })

  it('help lists the commands; unknown options are exit 1', async () => {
    const help = await server.sm(['--help'])
    for (const cmd of ['who', 'others', 'all', 'alone', 'task', 'subagents']) expect(help.stdout).toContain(`sm ${cmd}`)
    const bad = await server.sm(['who', '--bogus'], { env: lead.env })
    expect(bad.status).toBe(1)
    oneLine(bad)
    expect((await server.sm(['alone', 'extra'], { env: lead.env })).status).toBe(1)
  })
})

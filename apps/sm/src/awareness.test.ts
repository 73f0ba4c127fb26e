import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm, startServerProcess, tmuxEnv, type ServerProcess, type SmResult } from './test-support.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'
const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }
const git = (cwd: string, ...args: string[]): void => void execFileSync('git', args, { cwd, env: gitEnv, stdio: 'ignore' })

let server: ServerProcess
let base: string
/** Directories: a repository, a linked worktree of it, a clone of it over HTTPS, another repository. */
const dirs = { app: '', worktree: '', clone: '', other: '' }

function repo(name: string, origin: string): string {
  const dir = join(base, name)
  mkdirSync(dir)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'remote', 'add', 'origin', origin)
  writeFileSync(join(dir, 'README'), name)
  git(dir, 'add', 'README')
  git(dir, 'commit', '-q', '-m', 'init')
  return dir
}

interface Managed {
  id: string
  name: string
  dir: string
  env: Record<string, string>
}

async function session(name: string, dir: string): Promise<Managed> {
  const r = await sm(['new', dir, '--name', name, '--no-attach', '--json'], server.env)
  expect(r.status, r.stderr).toBe(0)
  const id = (JSON.parse(r.stdout) as { id: string }).id
  const env = { ...server.env, CLAUDE_SESSION_MANAGER_ID: id, CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN') }
  return { id, name, dir, env }
}

/** Runs the real `sm` in a directory (the workspace lock is the current directory's). */
const smIn = (cwd: string, args: string[], env: Record<string, string>): Promise<SmResult> => sm(args, env, undefined, cwd)

async function hook(s: Managed, event: string, payload: Record<string, unknown>): Promise<void> {
  const token = s.env.CLAUDE_SESSION_MANAGER_TOKEN!
  const res = await fetch(`${server.url}/hooks/${event}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sm-session': s.id, authorization: `Bearer ${token}` },
    body: JSON.stringify({ session_id: CLAUDE_ID, cwd: s.dir, hook_event_name: event, ...payload }),
  })
  expect(res.status).toBe(200)
}

const oneLine = (r: SmResult) => expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1)

let lead: Managed
let wt: Managed
let cloned: Managed
let loner: Managed

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-awareness-')))
  dirs.app = repo('app', 'git@github.com:acme/app.git')
  dirs.worktree = join(base, 'app-feature')
  git(dirs.app, 'worktree', 'add', '-q', dirs.worktree, '-b', 'feature')
  dirs.clone = repo('app-clone', 'https://github.com/Acme/App')
  dirs.other = repo('other', 'git@github.com:acme/other.git')
  server = await startServerProcess()
  lead = await session('lead', dirs.app)
  wt = await session('wt', dirs.worktree)
  cloned = await session('cloned', dirs.clone)
  loner = await session('loner', dirs.other)
}, 60_000)
afterAll(async () => {
  await server?.stop()
  if (base) rmSync(base, { recursive: true, force: true })
})

describe('sm who, others, all, alone, task, subagents, status in a session', () => {
  it('sm task sets, shows and clears your task; others see it; sm me shows it', async () => {
    const set = await sm(['task', 'refactor', 'the "auth"; $(module)'], lead.env)
    expect(set).toMatchObject({ status: 0, stderr: '' })
    expect(set.stdout).toBe('task: refactor the "auth"; $(module)\n')
    expect(await sm(['task'], lead.env)).toMatchObject({ status: 0, stdout: 'refactor the "auth"; $(module)\n' })
    expect(JSON.parse((await sm(['task', '--json'], lead.env)).stdout)).toEqual({ id: lead.id, name: 'lead', task: 'refactor the "auth"; $(module)' })
    expect((await sm(['me'], lead.env)).stdout).toContain('task: refactor the "auth"; $(module)\n')
    expect(JSON.parse((await sm(['me', '--json'], lead.env)).stdout)).toMatchObject({ currentTask: 'refactor the "auth"; $(module)' })

    expect(await sm(['task', '--clear'], wt.env)).toMatchObject({ status: 0, stdout: 'task cleared\n' })
    const none = await sm(['task'], wt.env)
    expect(none).toMatchObject({ status: 1, stdout: '' })
    expect(none.stderr).toMatch(/^sm: no task set/)
    expect(JSON.parse((await sm(['task', 'write the docs', '--json'], wt.env)).stdout)).toEqual({ id: wt.id, name: 'wt', task: 'write the docs' })
  })

  it('sm task: bad input is exit 1 with one line and changes nothing; outside a session exit 2', async () => {
    for (const [args, message] of [
      [['task', 'x', '--clear'], /give a task or --clear, not both/],
      [['task', '   '], /the task is empty/],
      [['task', 'y'.repeat(501)], /at most 500/],
    ] as const) {
      const r = await sm([...args], lead.env)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
      oneLine(r)
    }
    expect((await sm(['task'], lead.env)).stdout).toBe('refactor the "auth"; $(module)\n')
    const outside = await sm(['task', 'x'], server.env)
    expect(outside.status).toBe(2)
    expect(outside.stderr).toContain('not inside a managed session')
    oneLine(outside)
  })

  it('sm who: the others in my repository (same dir, worktree, clone over another URL form) with tasks', async () => {
    const r = await sm(['who'], lead.env)
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(new RegExp(`^wt\\s+${wt.id}\\s+\\w+\\s+\\d+[smhd]\\s+write the docs$`))
    expect(lines[1]).toMatch(new RegExp(`^cloned\\s+${cloned.id}\\s+\\w+\\s+\\d+[smhd]\\s+-$`))
    const json = JSON.parse((await sm(['who', '--json'], cloned.env)).stdout) as { name: string; sameRepo: boolean; task: string | null }[]
    expect(json.map((p) => [p.name, p.sameRepo, p.task])).toEqual([
      ['lead', true, 'refactor the "auth"; $(module)'],
      ['wt', true, 'write the docs'],
    ])
    const alone = await sm(['who'], loner.env)
    expect(alone).toMatchObject({ status: 0, stdout: '', stderr: 'nobody else is working in this repository\n' })
    expect(JSON.parse((await sm(['who', '--json'], loner.env)).stdout)).toEqual([])
  })

  it('sm others: everyone else with repo flag, task and last message; --repo keeps my repository', async () => {
    await hook(wt, 'Stop', { last_assistant_message: 'Docs written.\nSecond line not shown.', background_tasks: [] })
    const r = await sm(['others'], lead.env)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^wt\\s+${wt.id}\\s+idle\\s+\\d+s\\s+same-repo\\s+${dirs.worktree}\\n    task: write the docs\\n    last: Docs written\\.\\n`))
    expect(r.stdout).toMatch(new RegExp(`^loner\\s+${loner.id}\\s+\\w+\\s+\\d+s\\s+elsewhere\\s+${dirs.other}$`, 'm'))
    expect(r.stdout).not.toContain('Second line')
    const repoOnly = JSON.parse((await sm(['others', '--repo', '--json'], lead.env)).stdout) as { name: string; lastMessage: string | null }[]
    expect(repoOnly.map((p) => p.name)).toEqual(['wt', 'cloned'])
    expect(repoOnly[0]!.lastMessage).toBe('Docs written.\nSecond line not shown.')
    const fromLoner = JSON.parse((await sm(['others', '--json'], loner.env)).stdout) as { name: string; sameRepo: boolean }[]
    expect(fromLoner.map((p) => [p.name, p.sameRepo])).toEqual([
      ['lead', false],
      ['wt', false],
      ['cloned', false],
    ])
  })

  it('sm alone: silent; exit 0 alone, 1 not alone, 2 outside a session, with a forged token, or with the server down', async () => {
    expect(await sm(['alone'], loner.env)).toMatchObject({ status: 0, stdout: '', stderr: '' })
    expect(await sm(['alone'], lead.env)).toMatchObject({ status: 1, stdout: '', stderr: '' })
    const outside = await sm(['alone'], server.env)
    expect(outside).toMatchObject({ status: 2, stdout: '' })
    oneLine(outside)
    const forged = await sm(['alone'], { ...lead.env, CLAUDE_SESSION_MANAGER_TOKEN: 'forged' })
    expect(forged.status).toBe(2)
    expect(forged.stderr).toContain('wrong session token')
    const down = await sm(['alone'], { ...lead.env, CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9' })
    expect(down.status).toBe(2)
    expect(down.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
  })

  it('sm all: every live session with its task, inside or outside a session', async () => {
    const r = await sm(['all'], server.env)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^lead\\s+${lead.id}\\s+\\w+\\s+\\d+s\\s+${dirs.app}\\s+refactor the "auth"; \\$\\(module\\)$`, 'm'))
    expect(r.stdout).toMatch(new RegExp(`^loner\\s+${loner.id}\\s+\\w+\\s+\\d+s\\s+${dirs.other}\\s+-$`, 'm'))
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4)
    const json = JSON.parse((await sm(['all', '--json'], lead.env)).stdout) as { name: string; currentTask: string | null }[]
    expect(json.find((s) => s.name === 'wt')?.currentTask).toBe('write the docs')
  })

  it('sm subagents: type, state and age from SubagentStart/Stop; background tasks of the last stop', async () => {
    await hook(lead, 'UserPromptSubmit', { prompt: 'go' })
    await hook(lead, 'SubagentStart', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })
    await hook(lead, 'SubagentStart', { agent_id: 'b2', agent_type: 'Explore' })
    await hook(lead, 'SubagentStop', { agent_id: 'b2', agent_type: 'Explore', last_assistant_message: 'found 3 files' })
    const shell = { id: 'bash-1', type: 'shell', status: 'running', description: 'npm run watch' }
    await hook(lead, 'Stop', { last_assistant_message: 'waiting', background_tasks: [{ id: 'a3990472c679f7b59', type: 'subagent', status: 'running', description: 'List files', agent_type: 'general-purpose' }, shell] })
    const r = await sm(['subagents', 'lead'], server.env)
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^a3990472c679f7b59\s+general-purpose\s+running\s+\d+s\s+List files$/)
    expect(lines[1]).toMatch(/^b2\s+Explore\s+done\s+\d+s\s+found 3 files \(ran \d+s\)$/)
    expect(lines[2]).toMatch(/^background tasks at the last stop \(\d+s ago\):$/)
    expect(lines[3]).toMatch(/^ {2}bash-1\s+shell\s+running\s+npm run watch$/)
    expect(lines).toHaveLength(4)
    const mine = JSON.parse((await sm(['subagents', '--json'], lead.env)).stdout) as { session: string; subagents: { id: string; state: string; type: string }[]; backgroundTasks: { id: string }[] }
    expect(mine.session).toBe(lead.id)
    expect(mine.subagents.map((s) => [s.id, s.type, s.state])).toEqual([
      ['a3990472c679f7b59', 'general-purpose', 'running'],
      ['b2', 'Explore', 'done'],
    ])
    expect(mine.backgroundTasks.map((t) => t.id)).toEqual(['a3990472c679f7b59', 'bash-1'])
    const none = await sm(['subagents', 'loner'], server.env)
    expect(none).toMatchObject({ status: 0, stdout: '', stderr: 'no subagents seen in loner\n' })
    const unknown = await sm(['subagents', 'nosuch'], server.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain("no session 'nosuch'")
    oneLine(unknown)
    expect((await sm(['subagents'], server.env)).status).toBe(2)
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

  it('help lists the commands; unknown options are exit 1', async () => {
    const help = await sm(['--help'], server.env)
    for (const cmd of ['who', 'others', 'all', 'alone', 'task', 'subagents']) expect(help.stdout).toContain(`sm ${cmd}`)
    const bad = await sm(['who', '--bogus'], lead.env)
    expect(bad.status).toBe(1)
    oneLine(bad)
    expect((await sm(['alone', 'extra'], lead.env)).status).toBe(1)
  })
})

/**
 * `sm who` through the real built binary against a real server, in real git repositories: only
 * what awareness.unit.test.ts (every case of `who`, `others`, `all`, `alone`, `task`,
 * `subagents` and `status` in a session, in-process) can't show: that the server wires in its
 * repository inspector (without one, sessions share a repository only when they share a working
 * dir) and that it reads the worktrees and clones git makes.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm, startServerProcess, tmuxEnv, type ServerProcess } from './test-support.js'

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }
const git = (cwd: string, ...args: string[]): void => void execFileSync('git', args, { cwd, env: gitEnv, stdio: 'ignore' })

let server: ServerProcess
let base: string

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
  env: Record<string, string>
}

async function session(name: string, dir: string): Promise<Managed> {
  const r = await sm(['new', dir, '--name', name, '--no-attach', '--json'], server.env)
  expect(r.status, r.stderr).toBe(0)
  const id = (JSON.parse(r.stdout) as { id: string }).id
  return { id, env: { ...server.env, CLAUDE_SESSION_MANAGER_ID: id, CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN') } }
}

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-awareness-')))
  server = await startServerProcess()
}, 60_000)
afterAll(async () => {
  await server?.stop()
  if (base) rmSync(base, { recursive: true, force: true })
})

describe('sm who with a real server in real git repositories', () => {
  // awareness.unit.test.ts 'sm who: the others in my repository (same dir, worktree, clone over
  // another URL form) with tasks' gives the in-process app an inspector and hand-made checkouts;
  // here the server picks its own, and git makes the worktree and the clones
  it('a linked worktree and a clone over HTTPS of an SSH remote are the same repository; another remote is not', async () => {
    const app = repo('app', 'git@github.com:acme/app.git')
    const worktree = join(base, 'app-feature')
    git(app, 'worktree', 'add', '-q', worktree, '-b', 'feature')
    const lead = await session('lead', app)
    const wt = await session('wt', worktree)
    const cloned = await session('cloned', repo('app-clone', 'https://github.com/Acme/App'))
    const loner = await session('loner', repo('other', 'git@github.com:acme/other.git'))
    const r = await sm(['who', '--json'], lead.env)
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as { id: string; sameRepo: boolean }[]).map((p) => [p.id, p.sameRepo])).toEqual([
      [wt.id, true],
      [cloned.id, true],
    ])
    expect(await sm(['who'], loner.env)).toMatchObject({ status: 0, stdout: '', stderr: 'nobody else is working in this repository\n' })
  })
})

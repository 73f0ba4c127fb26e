/**
 * `sm lock` / `sm unlock` through the real built binary, in real git repositories: only what
 * lock.unit.test.ts (every other case, in-process, on checkouts written as files) can't show:
 * processes racing for the lock, and the unit tier's hand-made `.git` layouts (gitCheckout,
 * gitWorktree) checked against what git itself makes and reads. Every run points
 * CLAUDE_SESSIONS_URL at a closed port: locks never talk to the server.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { sm, type SmResult } from './test-support.js'
import { lockRaces, readLock } from './testing/workspace-lock.js'

const base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-lock-')))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const baseEnv = { PATH: process.env.PATH!, HOME: base, CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: join(base, 'no-data') }
const A = 'aaaa1111'
const B = 'bbbb2222'
const as = (id: string): Record<string, string> => ({ ...baseEnv, CLAUDE_SESSION_MANAGER_ID: id })

const run = (args: string[], env: Record<string, string>, cwd: string): Promise<SmResult> => sm(args, env, undefined, cwd)

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...baseEnv, GIT_CONFIG_NOSYSTEM: '1' } })

let n = 0
function newRepo(): string {
  const dir = join(base, `repo${++n}`)
  mkdirSync(dir)
  git(dir, 'init', '-q')
  return dir
}

let repo: string
beforeEach(() => {
  repo = newRepo()
})

// the same cases as lock.unit.test.ts (src/testing/workspace-lock.ts), deliberately: there one
// process interleaves the calls, here separate processes race for link(2) and O_EXCL
describe('sm lock: processes racing', () => {
  lockRaces((args, id, cwd) => run(args, as(id), cwd), newRepo)
})

describe('sm lock in real git repositories', () => {
  // lock.unit.test.ts 'keeps the lock out of git status (info/exclude), once' checks the line sm
  // writes, once; here git reads it, in the exclude file `git init` made
  it('real git: the lock stays out of git status', async () => {
    await run(['lock', 'x'], as(A), repo)
    await run(['unlock'], as(A), repo)
    await run(['lock', 'y'], as(A), repo)
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('')
  })

  // lock.unit.test.ts 'reads the branch without git: …' runs the same on layouts written as files
  // (gitWorktree, a HEAD holding a commit); here git makes them, and git status agrees
  it('real git: a worktree from git worktree add has its own lock and branch, out of its git status; git checkout --detach shows the commit', async () => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'init')
    const wt = join(base, `wt${n}`)
    git(repo, 'worktree', 'add', '-q', wt, '-b', 'feature/x')
    expect((await run(['lock', 'main work'], as(A), repo)).status).toBe(0)
    const r = await run(['lock', 'feature work', '--json'], as(B), wt)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ root: wt, path: join(wt, '.claude', 'workspace.lock'), lock: { session: B, branch: 'feature/x' } })
    expect(readLock(repo).session).toBe(A)
    expect(git(wt, 'status', '--porcelain', '--untracked-files=all')).toBe('')
    const sha = git(repo, 'rev-parse', 'HEAD').trim()
    git(repo, 'checkout', '-q', '--detach')
    expect(JSON.parse((await run(['lock', 'detached', '--json'], as(A), repo)).stdout).lock.branch).toBe(`detached@${sha.slice(0, 8)}`)
  })
})

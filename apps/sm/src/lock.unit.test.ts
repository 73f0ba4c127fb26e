/**
 * `sm lock` / `sm unlock` in-process, in temp checkouts made without git (src/testing/in-process.ts:
 * gitCheckout, gitWorktree). lock.test.ts keeps what needs the built binary: the races again,
 * between processes, and the worktrees, detached HEAD and `git status` of git itself. Every run
 * points CLAUDE_SESSIONS_URL at a closed port: locks never talk to the server.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { Env } from './env.js'
import { gitCheckout, gitWorktree, sm, type SmResult } from './testing/in-process.js'
import { lockFile, lockRaces, minutesAgo, readLock, writeLock } from './testing/workspace-lock.js'

const base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-lock-')))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const baseEnv = { HOME: base, CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: join(base, 'no-data') }
const A = 'aaaa1111'
const B = 'bbbb2222'
const as = (id: string | null, extra: Env = {}): Env => (id === null ? { ...baseEnv, ...extra } : { ...baseEnv, CLAUDE_SESSION_MANAGER_ID: id, ...extra })

const run = (args: string[], env: Env, cwd: string): Promise<SmResult> => sm(args, { env, cwd })

let n = 0
const newRepo = (): string => gitCheckout(join(base, `repo${++n}`))

const oneLine = (r: SmResult): void => expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1)

let repo: string
beforeEach(() => {
  repo = newRepo()
})

describe('sm lock', () => {
  // lock.test.ts runs these again with the binary: processes racing
  lockRaces((args, id, cwd) => run(args, as(id), cwd), newRepo)

  it('takes the lock: one JSON line in <git root>/.claude/workspace.lock with session, task, branch, started', async () => {
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true })
    const before = Date.now()
    const r = await run(['lock', 'refactor auth'], as(A), join(repo, 'src', 'deep'))
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toBe(`locked ${repo}: "refactor auth" on branch main\n`)
    const text = readFileSync(lockFile(repo), 'utf8')
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.split('\n')).toHaveLength(2)
    const lock = readLock(repo)
    expect(Object.keys(lock)).toEqual(['session', 'task', 'branch', 'started'])
    expect(lock).toMatchObject({ session: A, task: 'refactor auth', branch: 'main' })
    expect(Date.parse(lock.started as string)).toBeGreaterThanOrEqual(before - 1000)
    expect(Date.parse(lock.started as string)).toBeLessThanOrEqual(Date.now())
  })

  it('joins an unquoted description and creates .claude/ when missing', async () => {
    expect(existsSync(join(repo, '.claude'))).toBe(false)
    expect((await run(['lock', 'fix', 'the', 'tests'], as(A), repo)).status).toBe(0)
    expect(readLock(repo).task).toBe('fix the tests')
  })

  it('a second session is refused: exit 1, one line naming the holder, its task and a worktree to use', async () => {
    await run(['lock', 'refactor auth'], as(A), repo)
    const r = await run(['lock', 'add a feature'], as(B), repo)
    expect(r.status).toBe(1)
    oneLine(r)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^sm: workspace locked by aaaa1111, \d+s ago: "refactor auth" on branch main; /)
    expect(r.stderr).toContain(`git worktree add ../${repo.split('/').pop()}-${B} -b sm/${B}`)
    expect(readLock(repo)).toMatchObject({ session: A, task: 'refactor auth' })
  })

  it('taking a lock you hold refreshes it: new task, new started', async () => {
    writeLock(repo, { session: A, task: 'old task', branch: 'main', started: minutesAgo(20) })
    const r = await run(['lock', 'new task', '--json'], as(A), repo)
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as { action: string; lock: { task: string; started: string }; previous: { task: string } }
    expect(out.action).toBe('refreshed')
    expect(out.previous.task).toBe('old task')
    expect(readLock(repo)).toMatchObject({ session: A, task: 'new task' })
    expect(Date.now() - Date.parse(readLock(repo).started as string)).toBeLessThan(60_000)
    expect((await run(['lock', 'again'], as(A), repo)).stdout).toMatch(/^refreshed the lock on /)
  })

  it('a stale lock (over 30 minutes) is taken over, and says so', async () => {
    writeLock(repo, { session: B, sessionName: 'worker', task: 'abandoned', branch: 'main', started: minutesAgo(31) })
    const r = await run(['lock', 'mine now'], as(A), repo)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^took over the stale lock of worker \(bbbb2222\), 31m ago: "abandoned" on branch main; locked /)
    expect(readLock(repo)).toMatchObject({ session: A, task: 'mine now' })
    // 29 minutes is not stale
    writeLock(repo, { session: B, task: 'busy', branch: 'main', started: minutesAgo(29) })
    expect((await run(['lock', 'mine now'], as(A), repo)).status).toBe(1)
  })

  it('a corrupt or empty lock file is no lock: shown as free with the problem, replaced by sm lock', async () => {
    writeLock(repo, {})
    writeFileSync(lockFile(repo), '{"session": "aaa')
    const status = await run(['lock', '--json'], as(B), repo)
    expect(status.status).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'free', lock: null, problem: 'the lock file is not JSON' })
    expect((await run(['lock'], as(B), repo)).stdout).toBe(`free: ${repo} (ignoring an unreadable lock file: the lock file is not JSON)\n`)
    const r = await run(['lock', 'repair'], as(B), repo)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^replaced an unreadable lock file \(the lock file is not JSON\); locked /)
    expect(readLock(repo)).toMatchObject({ session: B, task: 'repair' })
    writeFileSync(lockFile(repo), '')
    expect(JSON.parse((await run(['lock', 'x', '--json'], as(A), repo)).stdout)).toMatchObject({ action: 'replaced', problem: 'the lock file is empty' })
  })

  it('sm lock alone shows the lock: exit 0 free, mine or stale; 1 held by another', async () => {
    expect(await run(['lock'], as(A), repo)).toMatchObject({ status: 0, stdout: `free: ${repo}\n` })
    await run(['lock', 'refactor auth'], as(A), repo)
    const mine = await run(['lock'], as(A), repo)
    expect(mine.status).toBe(0)
    expect(mine.stdout).toMatch(/^locked by you: aaaa1111, \d+s ago: "refactor auth" on branch main\n$/)
    const other = await run(['lock'], as(B), repo)
    expect(other.status).toBe(1)
    expect(other.stdout).toMatch(/^locked by aaaa1111, \d+s ago: "refactor auth" on branch main\n$/)
    writeLock(repo, { session: A, task: 'old', branch: 'main', started: minutesAgo(40) })
    const stale = await run(['lock'], as(B), repo)
    expect(stale.status).toBe(0)
    expect(stale.stdout).toMatch(/^stale lock of aaaa1111, 40m ago: "old" on branch main; sm lock "<task>" takes it over\n$/)
    const staleMine = await run(['lock'], as(A), repo)
    expect(staleMine.stdout).toMatch(/^locked by you: aaaa1111, 40m ago: "old" on branch main \(stale: sm lock again to refresh it\)\n$/)
  })

  it('outside a git repository: exit 1, one line', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'sm-lock-nogit-'))
    try {
      for (const args of [['lock', 'x'], ['lock'], ['unlock']]) {
        const r = await run(args, as(A), outside)
        expect(r.status).toBe(1)
        oneLine(r)
        expect(r.stderr).toMatch(/^sm: not inside a git repository: no \.git in .* or any parent\n$/)
        expect(r.stderr).toContain(outside)
      }
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })

  it('an empty description is a usage error', async () => {
    const r = await run(['lock', ''], as(A), repo)
    expect(r.status).toBe(1)
    oneLine(r)
    expect(r.stderr).toBe('sm: usage: sm lock "<what you are doing>"   (sm lock alone shows the lock)\n')
    expect(existsSync(lockFile(repo))).toBe(false)
  })

  it('works with no server at all, and without a session token', async () => {
    // baseEnv already points at a closed port and no data dir; nothing here may wait on it
    const env = as(A, { CLAUDE_SESSIONS_URL: 'http://127.0.0.1:1', CLAUDE_SESSION_MANAGER_TOKEN: '' })
    expect((await run(['lock', 'offline work'], env, repo)).status).toBe(0)
    expect((await run(['lock'], env, repo)).status).toBe(0)
    expect((await run(['unlock'], env, repo)).status).toBe(0)
    expect(existsSync(lockFile(repo))).toBe(false)
  })

  it('outside a managed session the holder is the operator, named by $USER', async () => {
    const r = await run(['lock', 'hand edits', '--json'], as(null, { USER: 'alice' }), repo)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).lock).toMatchObject({ session: 'operator', sessionName: 'alice', task: 'hand edits' })
    const agent = await run(['lock', 'x'], as(A), repo)
    expect(agent.status).toBe(1)
    expect(agent.stderr).toContain('workspace locked by alice (operator)')
    // $LOGNAME when there is no $USER
    const other = newRepo()
    expect(JSON.parse((await run(['lock', 'y', '--json'], as(null, { LOGNAME: 'bob' }), other)).stdout).lock).toMatchObject({ session: 'operator', sessionName: 'bob' })
  })

  it('--dir locks the checkout holding that directory', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'sm-lock-cwd-'))
    try {
      expect((await run(['lock', 'x', '--dir', join(repo, '.git')], as(A), elsewhere)).status).toBe(0)
      expect(readLock(repo).session).toBe(A)
      // relative to the current directory
      expect((await run(['lock', '--dir', `repo${n}`, '--json'], as(B), base)).stdout).toContain(`"root": "${repo}"`)
    } finally {
      rmSync(elsewhere, { recursive: true, force: true })
    }
  })

  it('--dir through a symlink to the checkout, or into it: the real checkout, its root and its lock', async () => {
    mkdirSync(join(repo, 'src'))
    const link = join(base, `link-to-repo${n}`)
    const intoSrc = join(base, `link-to-repo${n}-src`)
    symlinkSync(repo, link)
    symlinkSync(join(repo, 'src'), intoSrc)
    const r = await run(['lock', 'via a link', '--dir', link, '--json'], as(A), base)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'locked', root: repo, path: lockFile(repo) })
    const other = await run(['lock', '--dir', intoSrc, '--json'], as(B), base)
    expect(other.status).toBe(1)
    expect(JSON.parse(other.stdout)).toMatchObject({ state: 'held-by-other', root: repo, lock: { session: A, task: 'via a link' } })
  })

  it('keeps the lock out of git status (info/exclude), once', async () => {
    await run(['lock', 'x'], as(A), repo)
    await run(['unlock'], as(A), repo)
    await run(['lock', 'y'], as(A), repo)
    const exclude = readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8')
    expect(exclude.split('\n').filter((l) => l === '/.claude/workspace.lock*')).toHaveLength(1)
  })

  it('reads the branch without git: a linked worktree has its own lock and branch; a detached HEAD shows its commit', async () => {
    const wt = gitWorktree(repo, join(base, `wt${n}`), 'feature/x')
    expect((await run(['lock', 'main work'], as(A), repo)).status).toBe(0)
    const r = await run(['lock', 'feature work', '--json'], as(B), join(wt))
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ root: wt, path: join(wt, '.claude', 'workspace.lock'), lock: { session: B, branch: 'feature/x' } })
    expect(readLock(repo).session).toBe(A)
    // the worktree's lock is excluded in the main repository's info/exclude, which worktrees share
    expect(readFileSync(join(repo, '.git', 'info', 'exclude'), 'utf8').split('\n').filter((l) => l === '/.claude/workspace.lock*')).toHaveLength(1)
    const sha = '0123456789abcdef0123456789abcdef01234567'
    writeFileSync(join(repo, '.git', 'HEAD'), `${sha}\n`)
    expect(JSON.parse((await run(['lock', 'detached', '--json'], as(A), repo)).stdout).lock.branch).toBe(`detached@${sha.slice(0, 8)}`)
  })
})

describe('sm unlock', () => {
  it('the holder releases its lock; nothing to release is exit 0', async () => {
    await run(['lock', 'x'], as(A), repo)
    const r = await run(['unlock'], as(A), repo)
    expect(r).toMatchObject({ status: 0, stdout: `unlocked ${repo}\n`, stderr: '' })
    expect(existsSync(lockFile(repo))).toBe(false)
    expect(await run(['unlock'], as(A), repo)).toMatchObject({ status: 0, stdout: `not locked: ${repo}\n` })
  })

  it("another session's lock is refused (exit 1, lock intact) unless --force", async () => {
    await run(['lock', 'refactor auth'], as(A), repo)
    const refused = await run(['unlock'], as(B), repo)
    expect(refused.status).toBe(1)
    oneLine(refused)
    expect(refused.stderr).toMatch(/^sm: workspace locked by aaaa1111, \d+s ago: "refactor auth" on branch main; only its holder can unlock it \(sm unlock --force breaks it\)\n$/)
    expect(readLock(repo).session).toBe(A)
    const forced = await run(['unlock', '--force'], as(B), repo)
    expect(forced.status).toBe(0)
    expect(forced.stdout).toMatch(/^broke the lock of aaaa1111, \d+s ago: "refactor auth"/)
    expect(existsSync(lockFile(repo))).toBe(false)
  })

  it('a stale lock of another session is removed without --force', async () => {
    writeLock(repo, { session: A, task: 'gone', branch: 'main', started: minutesAgo(60) })
    const r = await run(['unlock'], as(B), repo)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^removed the stale lock of aaaa1111, 1h ago: "gone"/)
    expect(existsSync(lockFile(repo))).toBe(false)
  })

  it('an unreadable lock file is removed, and says so', async () => {
    writeLock(repo, {})
    writeFileSync(lockFile(repo), 'not json')
    const r = await run(['unlock', '--json'], as(B), repo)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'cleared', previous: null, problem: 'the lock file is not JSON' })
    expect(existsSync(lockFile(repo))).toBe(false)
  })
})

describe('--json shapes', () => {
  it('lock, status, refusal and unlock', async () => {
    const locked = await run(['lock', 'x', '--json'], as(A), repo)
    const l = JSON.parse(locked.stdout) as Record<string, unknown>
    expect(Object.keys(l)).toEqual(['action', 'root', 'path', 'lock', 'previous'])
    expect(l).toMatchObject({ action: 'locked', root: repo, path: lockFile(repo), lock: { session: A, task: 'x', branch: 'main' }, previous: null })

    const status = JSON.parse((await run(['lock', '--json'], as(B), repo)).stdout) as Record<string, unknown>
    expect(Object.keys(status)).toEqual(['state', 'root', 'path', 'me', 'lock', 'ageMs', 'stale', 'problem'])
    expect(status).toMatchObject({ state: 'held-by-other', me: B, lock: { session: A }, stale: false, problem: null })
    expect(typeof status.ageMs).toBe('number')

    const refused = await run(['lock', 'y', '--json'], as(B), repo)
    expect(refused.status).toBe(1)
    expect(JSON.parse(refused.stdout)).toEqual({ action: 'refused', root: repo, path: lockFile(repo), lock: readLock(repo), previous: null })
    oneLine(refused)

    const refusedUnlock = await run(['unlock', '--json'], as(B), repo)
    expect(refusedUnlock.status).toBe(1)
    expect(JSON.parse(refusedUnlock.stdout)).toMatchObject({ action: 'refused', previous: { session: A } })

    const unlocked = JSON.parse((await run(['unlock', '--json'], as(A), repo)).stdout) as Record<string, unknown>
    expect(Object.keys(unlocked)).toEqual(['action', 'root', 'path', 'previous'])
    expect(unlocked).toMatchObject({ action: 'unlocked', previous: { session: A, task: 'x' } })
    expect(JSON.parse((await run(['unlock', '--json'], as(A), repo)).stdout)).toEqual({ action: 'not-locked', root: repo, path: lockFile(repo), previous: null })
    expect(JSON.parse((await run(['lock', '--json'], as(A), repo)).stdout)).toEqual({
      state: 'free', root: repo, path: lockFile(repo), me: A, lock: null, ageMs: null, stale: false, problem: null,
    })
  })

  it('sm --help lists lock and unlock', async () => {
    const help = await run(['--help'], as(A), repo)
    expect(help.stdout).toContain('sm lock [task..]')
    expect(help.stdout).toContain('sm unlock')
    expect((await run(['unlock', '--help'], as(A), repo)).stdout).toContain('--force')
  })
})

import { execFile } from 'node:child_process'
import { appendFileSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import {
  describeLock,
  formatWorkspaceLock,
  isStale,
  lockAction,
  lockAgeMs,
  lockState,
  newWorkspaceLock,
  OPERATOR_LOCK_IDENTITY,
  parseWorkspaceLock,
  unlockAction,
  WORKSPACE_LOCK_PATH,
  worktreeSuggestion,
  type WorkspaceLock,
} from '@claude-sessions/core'
import { CliError } from '../context.js'
import { printJson } from '../format.js'

// Workspace locks (spec 0005, "lock, unlock"). Everything here is local file work: no server call,
// so it works with the server down. Concurrency rules:
// - a lock is only ever created with link(2) of a fully written temp file (fails if one exists),
//   so two `sm lock` at once can never both create it, and no reader sees a half-written file;
// - an existing lock is replaced (refresh, stale take-over, corrupt file) or removed (unlock) only
//   while holding `workspace.lock.mutex` (O_EXCL), after checking the file still holds exactly
//   the text the decision was made on; the replacement is a rename, so the file never vanishes.

type Env = Record<string, string | undefined>

export interface LockArgs {
  task?: (string | number)[] | undefined
  dir?: string | undefined
  json?: boolean | undefined
}

export interface UnlockArgs {
  force?: boolean | undefined
  dir?: string | undefined
  json?: boolean | undefined
}

interface Workspace {
  /** The git root: the directory holding `.git` (a directory, or a file in worktrees and submodules). */
  root: string
  /** `<root>/.claude/workspace.lock` */
  path: string
  /** The git directory (`.git`, or where a `.git` file points), when it can be found. */
  gitDir: string | null
}

interface Identity {
  session: string
  sessionName?: string | undefined
}

/** A managed session is its id; anyone else (a person at a shell) is the operator, named by $USER. */
export function lockIdentity(env: Env = process.env): Identity {
  const id = env.CLAUDE_SESSION_MANAGER_ID
  if (id) return { session: id }
  return { session: OPERATOR_LOCK_IDENTITY, sessionName: env.USER || env.LOGNAME || undefined }
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

/** Walks up from `start` to the directory holding `.git`. */
export function findWorkspace(start: string): Workspace {
  let dir = resolve(start)
  for (;;) {
    const dotGit = join(dir, '.git')
    let stat
    try {
      stat = statSync(dotGit)
    } catch {
      stat = undefined
    }
    if (stat?.isDirectory()) return { root: dir, path: join(dir, WORKSPACE_LOCK_PATH), gitDir: dotGit }
    if (stat?.isFile()) return { root: dir, path: join(dir, WORKSPACE_LOCK_PATH), gitDir: gitDirFromFile(dotGit) }
    const parent = dirname(dir)
    if (parent === dir) throw new CliError(`not inside a git repository: no .git in ${resolve(start)} or any parent`)
    dir = parent
  }
}

/** `gitdir: <path>` of a worktree's or submodule's `.git` file, relative to the file's directory. */
function gitDirFromFile(dotGit: string): string | null {
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))
    return m ? resolve(dirname(dotGit), m[1]!) : null
  } catch {
    return null
  }
}

/** The branch from `HEAD` without running git; `detached@<sha>` for a detached HEAD; else `git rev-parse`. */
export async function currentBranch(ws: Workspace): Promise<string> {
  if (ws.gitDir !== null) {
    try {
      const head = readFileSync(join(ws.gitDir, 'HEAD'), 'utf8').trim()
      const ref = /^ref:\s*(\S+)$/.exec(head)
      if (ref) return ref[1]!.replace(/^refs\/heads\//, '')
      if (/^[0-9a-f]{40,64}$/.test(head)) return `detached@${head.slice(0, 8)}`
    } catch {
      // fall through to git
    }
  }
  return new Promise((done) => {
    execFile('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: ws.root, timeout: 3000 }, (error, stdout) => {
      done(error ? 'unknown' : String(stdout).trim() || 'unknown')
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The file's text, or null when there is none. An empty file is read again briefly (a writer may be mid-write). */
async function readLockText(path: string): Promise<string | null> {
  for (let i = 0; ; i++) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null
      throw new CliError(`cannot read ${path}: ${(error as Error).message}`)
    }
    if (text.trim() !== '' || i >= 5) return text
    await sleep(20)
  }
}

function readNow(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if (errno(error) === 'ENOENT') return null
    throw error
  }
}

const tempPath = (path: string): string => `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`

function ensureDir(ws: Workspace): void {
  try {
    mkdirSync(dirname(ws.path), { recursive: true })
  } catch (error) {
    throw new CliError(`cannot create ${dirname(ws.path)}: ${(error as Error).message}`)
  }
}

/** Creates the lock only if there is none: link(2) of a complete temp file. False when one exists. */
function createExclusive(path: string, text: string): boolean {
  const tmp = tempPath(path)
  writeFileSync(tmp, text, { flag: 'wx' })
  try {
    linkSync(tmp, path)
    return true
  } catch (error) {
    if (errno(error) === 'EEXIST') return false
    // a file system without hard links: O_EXCL create (readers retry an empty file briefly)
    try {
      writeFileSync(path, text, { flag: 'wx' })
      return true
    } catch (inner) {
      if (errno(inner) === 'EEXIST') return false
      throw inner
    }
  } finally {
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
  }
}

const MUTEX_WAIT_MS = 5000
/** A mutex older than this was left by a crashed `sm`: only a few file operations happen under it. */
const MUTEX_ABANDONED_MS = 10_000

/** Runs `fn` holding `<lock>.mutex`, created with O_EXCL. */
async function withMutex<T>(path: string, fn: () => T): Promise<T> {
  const mutex = `${path}.mutex`
  const deadline = Date.now() + MUTEX_WAIT_MS
  for (;;) {
    try {
      closeSync(openSync(mutex, 'wx'))
      break
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error
    }
    try {
      if (Date.now() - statSync(mutex).mtimeMs > MUTEX_ABANDONED_MS) {
        unlinkSync(mutex)
        continue
      }
    } catch {
      continue // released meanwhile
    }
    if (Date.now() > deadline) throw new CliError(`workspace lock busy: ${mutex} is held (remove it if no sm is running)`)
    await sleep(5 + Math.random() * 20)
  }
  try {
    return fn()
  } finally {
    try {
      unlinkSync(mutex)
    } catch {
      // nothing to release
    }
  }
}

/** Replaces or removes the lock if it still holds `expected`; false when it changed meanwhile. */
function replaceIfUnchanged(path: string, expected: string, next: string | null): boolean {
  if (readNow(path) !== expected) return false
  if (next === null) {
    unlinkSync(path)
    return true
  }
  const tmp = tempPath(path)
  try {
    writeFileSync(tmp, next, { flag: 'wx' })
    renameSync(tmp, path)
  } catch (error) {
    try {
      unlinkSync(tmp)
    } catch {
      // not written
    }
    throw error
  }
  return true
}

/** Keeps the lock and its temp files out of `git status` via the repository's `info/exclude` (best effort). */
function excludeFromGit(ws: Workspace): void {
  if (ws.gitDir === null) return
  try {
    let common = ws.gitDir
    try {
      common = resolve(ws.gitDir, readFileSync(join(ws.gitDir, 'commondir'), 'utf8').trim())
    } catch {
      // not a linked worktree
    }
    const exclude = join(common, 'info', 'exclude')
    const pattern = `/${WORKSPACE_LOCK_PATH}*`
    let text = ''
    try {
      text = readFileSync(exclude, 'utf8')
    } catch {
      mkdirSync(dirname(exclude), { recursive: true })
    }
    if (text.split('\n').some((line) => line.trim() === pattern)) return
    appendFileSync(exclude, `${text === '' || text.endsWith('\n') ? '' : '\n'}# claude-sessions workspace lock (sm lock)\n${pattern}\n`)
  } catch {
    // not ours to insist on
  }
}

const heldMessage = (lock: WorkspaceLock, me: string, ws: Workspace, now: number): string =>
  `workspace locked by ${describeLock(lock, now)}; wait for it (sm unlock), or work in a worktree: ${worktreeSuggestion(me, basename(ws.root))}`

const taskOf = (argv: LockArgs): string | undefined => (argv.task === undefined || argv.task.length === 0 ? undefined : argv.task.map(String).join(' '))

/** `sm lock "<task>"` takes, refreshes or takes over the lock; `sm lock` alone shows it. */
export async function lock(argv: LockArgs, env: Env = process.env): Promise<number> {
  const task = taskOf(argv)
  const ws = findWorkspace(argv.dir ?? process.cwd())
  if (task === undefined) return showLock(ws, argv, env)
  if (task.trim() === '') throw new CliError('usage: sm lock "<what you are doing>"   (sm lock alone shows the lock)')
  const me = lockIdentity(env)
  const branch = await currentBranch(ws)
  ensureDir(ws)
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await readLockText(ws.path)
    const now = Date.now()
    const next = newWorkspaceLock({ session: me.session, sessionName: me.sessionName, task, branch, now })
    const nextText = formatWorkspaceLock(next)
    if (text === null) {
      if (!createExclusive(ws.path, nextText)) continue // someone else was quicker: look again
      excludeFromGit(ws)
      return reportLock(argv, ws, 'locked', next, null, null, `locked ${ws.root}: ${JSON.stringify(next.task)} on branch ${branch}`)
    }
    const { lock: current, problem } = parseWorkspaceLock(text)
    const action = current === null ? 'replace' : lockAction(current, me.session, now)
    if (action === 'refuse' && current !== null) {
      if (argv.json) printJson({ action: 'refused', root: ws.root, path: ws.path, lock: current, previous: null })
      throw new CliError(heldMessage(current, me.session, ws, now))
    }
    if (!(await withMutex(ws.path, () => replaceIfUnchanged(ws.path, text, nextText)))) continue
    excludeFromGit(ws)
    const done = `${ws.root}: ${JSON.stringify(next.task)} on branch ${branch}`
    if (action === 'refresh') return reportLock(argv, ws, 'refreshed', next, current, null, `refreshed the lock on ${done}`)
    if (action === 'take-over' && current !== null) {
      return reportLock(argv, ws, 'taken-over', next, current, null, `took over the stale lock of ${describeLock(current, now)}; locked ${done}`)
    }
    return reportLock(argv, ws, 'replaced', next, null, problem, `replaced an unreadable lock file (${problem}); locked ${done}`)
  }
  throw new CliError(`the workspace lock at ${ws.path} keeps changing; try again`)
}

function reportLock(argv: LockArgs, ws: Workspace, action: string, lock: WorkspaceLock, previous: WorkspaceLock | null, problem: string | null, line: string): number {
  if (argv.json) printJson({ action, root: ws.root, path: ws.path, lock, previous, ...(problem !== null ? { problem } : {}) })
  else process.stdout.write(`${line}\n`)
  return 0
}

/** The lock as the caller sees it: exit 0 when free, its own or stale; 1 when another holds it. */
async function showLock(ws: Workspace, argv: LockArgs, env: Env): Promise<number> {
  const me = lockIdentity(env)
  const text = await readLockText(ws.path)
  const { lock: current, problem } = text === null ? { lock: null, problem: null } : parseWorkspaceLock(text)
  const now = Date.now()
  const state = lockState(current, me.session, now)
  if (argv.json) {
    printJson({
      state,
      root: ws.root,
      path: ws.path,
      me: me.session,
      lock: current,
      ageMs: current !== null ? lockAgeMs(current, now) : null,
      stale: current !== null && isStale(current, now),
      problem,
    })
  } else if (current === null) {
    process.stdout.write(`free: ${ws.root}${problem !== null ? ` (ignoring an unreadable lock file: ${problem})` : ''}\n`)
  } else if (state === 'mine') {
    process.stdout.write(`locked by you: ${describeLock(current, now)}${isStale(current, now) ? ' (stale: sm lock again to refresh it)' : ''}\n`)
  } else if (state === 'stale') {
    process.stdout.write(`stale lock of ${describeLock(current, now)}; sm lock "<task>" takes it over\n`)
  } else {
    process.stdout.write(`locked by ${describeLock(current, now)}\n`)
  }
  return state === 'held-by-other' ? 1 : 0
}

/** `sm unlock [--force]`: removes the caller's own lock (another's only with --force, or when stale). */
export async function unlock(argv: UnlockArgs, env: Env = process.env): Promise<number> {
  const ws = findWorkspace(argv.dir ?? process.cwd())
  const me = lockIdentity(env)
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await readLockText(ws.path)
    const now = Date.now()
    if (text === null) return reportUnlock(argv, ws, 'not-locked', null, null, `not locked: ${ws.root}`)
    const { lock: current, problem } = parseWorkspaceLock(text)
    const action = current === null ? 'clear' : unlockAction(current, me.session, now, argv.force === true)
    if (action === 'none') return reportUnlock(argv, ws, 'not-locked', null, null, `not locked: ${ws.root}`)
    if (action === 'refuse' && current !== null) {
      if (argv.json) printJson({ action: 'refused', root: ws.root, path: ws.path, previous: current })
      throw new CliError(`workspace locked by ${describeLock(current, now)}; only its holder can unlock it (sm unlock --force breaks it)`)
    }
    if (!(await withMutex(ws.path, () => replaceIfUnchanged(ws.path, text, null)))) continue
    if (current === null) return reportUnlock(argv, ws, 'cleared', null, problem, `removed an unreadable lock file (${problem}): ${ws.root}`)
    if (action === 'release') return reportUnlock(argv, ws, 'unlocked', current, null, `unlocked ${ws.root}`)
    if (action === 'clear-stale') return reportUnlock(argv, ws, 'cleared-stale', current, null, `removed the stale lock of ${describeLock(current, now)}`)
    return reportUnlock(argv, ws, 'broken', current, null, `broke the lock of ${describeLock(current, now)}`)
  }
  throw new CliError(`the workspace lock at ${ws.path} keeps changing; try again`)
}

function reportUnlock(argv: UnlockArgs, ws: Workspace, action: string, previous: WorkspaceLock | null, problem: string | null, line: string): number {
  if (argv.json) printJson({ action, root: ws.root, path: ws.path, previous, ...(problem !== null ? { problem } : {}) })
  else process.stdout.write(`${line}\n`)
  return 0
}

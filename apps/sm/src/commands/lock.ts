import { basename, resolve } from 'node:path'
import { describeLock, formatWorkspaceLock, isStale, lockAction, lockAgeMs, lockState, newWorkspaceLock, OPERATOR_LOCK_IDENTITY, parseWorkspaceLock, unlockAction, worktreeSuggestion, type WorkspaceLock } from '@claude-sessions/core'
import {
  createExclusive,
  currentBranch,
  ensureLockDir,
  excludeFromGit,
  findWorkspace as findCheckoutWorkspace,
  readLockText,
  replaceIfUnchanged,
  withMutex,
  type Workspace,
} from '@claude-sessions/workspace'
import { CliError } from '../context.js'
import type { Env } from '../env.js'
import { printJson } from '../format.js'
import type { Io } from '../io.js'

// Workspace locks (spec 0005, "lock, unlock"). Everything here is local file work: no server call,
// so it works with the server down. The git root and the lock file store (exclusive create,
// replace-if-unchanged under a mutex, the info/exclude entry) are @claude-sessions/workspace's.


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

interface Identity {
  session: string
  sessionName?: string | undefined
}

/** A managed session is its id; anyone else (a person at a shell) is the operator, named by $USER. */
export function lockIdentity(env: Env): Identity {
  const id = env.CLAUDE_SESSION_MANAGER_ID
  if (id) return { session: id }
  return { session: OPERATOR_LOCK_IDENTITY, sessionName: env.USER || env.LOGNAME || undefined }
}

/** The checkout holding `start` (its git root, see @claude-sessions/workspace); outside git a usage error. */
export function findWorkspace(start: string): Workspace {
  const ws = findCheckoutWorkspace(start)
  if (ws === null) throw new CliError(`not inside a git repository: no .git in ${resolve(start)} or any parent`)
  return ws
}

const heldMessage = (lock: WorkspaceLock, me: string, ws: Workspace, now: number): string =>
  `workspace locked by ${describeLock(lock, now)}; wait for it (sm unlock), or work in a worktree: ${worktreeSuggestion(me, basename(ws.root))}`

const taskOf = (argv: LockArgs): string | undefined => (argv.task === undefined || argv.task.length === 0 ? undefined : argv.task.map(String).join(' '))

/** `sm lock "<task>"` takes, refreshes or takes over the lock; `sm lock` alone shows it. */
export async function lock(io: Io, argv: LockArgs): Promise<number> {
  const task = taskOf(argv)
  const ws = findWorkspace(resolve(io.cwd, argv.dir ?? '.'))
  if (task === undefined) return showLock(io, ws, argv)
  if (task.trim() === '') throw new CliError('usage: sm lock "<what you are doing>"   (sm lock alone shows the lock)')
  const me = lockIdentity(io.env)
  const branch = await currentBranch(ws)
  ensureLockDir(ws.path)
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await readLockText(ws.path)
    const now = Date.now()
    const next = newWorkspaceLock({ session: me.session, sessionName: me.sessionName, task, branch, now })
    const nextText = formatWorkspaceLock(next)
    if (text === null) {
      if (!createExclusive(ws.path, nextText)) continue // someone else was quicker: look again
      excludeFromGit(ws)
      return reportLock(io, argv, ws, 'locked', next, null, null, `locked ${ws.root}: ${JSON.stringify(next.task)} on branch ${branch}`)
    }
    const { lock: current, problem } = parseWorkspaceLock(text)
    const action = current === null ? 'replace' : lockAction(current, me.session, now)
    if (action === 'refuse' && current !== null) {
      if (argv.json) printJson(io.out, { action: 'refused', root: ws.root, path: ws.path, lock: current, previous: null })
      throw new CliError(heldMessage(current, me.session, ws, now))
    }
    if (!(await withMutex(ws.path, () => replaceIfUnchanged(ws.path, text, nextText)))) continue
    excludeFromGit(ws)
    const done = `${ws.root}: ${JSON.stringify(next.task)} on branch ${branch}`
    if (action === 'refresh') return reportLock(io, argv, ws, 'refreshed', next, current, null, `refreshed the lock on ${done}`)
    if (action === 'take-over' && current !== null) {
      return reportLock(io, argv, ws, 'taken-over', next, current, null, `took over the stale lock of ${describeLock(current, now)}; locked ${done}`)
    }
    return reportLock(io, argv, ws, 'replaced', next, null, problem, `replaced an unreadable lock file (${problem}); locked ${done}`)
  }
  throw new CliError(`the workspace lock at ${ws.path} keeps changing; try again`)
}

function reportLock(io: Io, argv: LockArgs, ws: Workspace, action: string, lock: WorkspaceLock, previous: WorkspaceLock | null, problem: string | null, line: string): number {
  if (argv.json) printJson(io.out, { action, root: ws.root, path: ws.path, lock, previous, ...(problem !== null ? { problem } : {}) })
  else io.out.write(`${line}\n`)
  return 0
}

/** The lock as the caller sees it: exit 0 when free, its own or stale; 1 when another holds it. */
async function showLock(io: Io, ws: Workspace, argv: LockArgs): Promise<number> {
  const me = lockIdentity(io.env)
  const text = await readLockText(ws.path)
  const { lock: current, problem } = text === null ? { lock: null, problem: null } : parseWorkspaceLock(text)
  const now = Date.now()
  const state = lockState(current, me.session, now)
  if (argv.json) {
    printJson(io.out, {
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
    io.out.write(`free: ${ws.root}${problem !== null ? ` (ignoring an unreadable lock file: ${problem})` : ''}\n`)
  } else if (state === 'mine') {
    io.out.write(`locked by you: ${describeLock(current, now)}${isStale(current, now) ? ' (stale: sm lock again to refresh it)' : ''}\n`)
  } else if (state === 'stale') {
    io.out.write(`stale lock of ${describeLock(current, now)}; sm lock "<task>" takes it over\n`)
  } else {
    io.out.write(`locked by ${describeLock(current, now)}\n`)
  }
  return state === 'held-by-other' ? 1 : 0
}

/** `sm unlock [--force]`: removes the caller's own lock (another's only with --force, or when stale). */
export async function unlock(io: Io, argv: UnlockArgs): Promise<number> {
  const ws = findWorkspace(resolve(io.cwd, argv.dir ?? '.'))
  const me = lockIdentity(io.env)
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await readLockText(ws.path)
    const now = Date.now()
    if (text === null) return reportUnlock(io, argv, ws, 'not-locked', null, null, `not locked: ${ws.root}`)
    const { lock: current, problem } = parseWorkspaceLock(text)
    const action = current === null ? 'clear' : unlockAction(current, me.session, now, argv.force === true)
    if (action === 'none') return reportUnlock(io, argv, ws, 'not-locked', null, null, `not locked: ${ws.root}`)
    if (action === 'refuse' && current !== null) {
      if (argv.json) printJson(io.out, { action: 'refused', root: ws.root, path: ws.path, previous: current })
      throw new CliError(`workspace locked by ${describeLock(current, now)}; only its holder can unlock it (sm unlock --force breaks it)`)
    }
    if (!(await withMutex(ws.path, () => replaceIfUnchanged(ws.path, text, null)))) continue
    if (current === null) return reportUnlock(io, argv, ws, 'cleared', null, problem, `removed an unreadable lock file (${problem}): ${ws.root}`)
    if (action === 'release') return reportUnlock(io, argv, ws, 'unlocked', current, null, `unlocked ${ws.root}`)
    if (action === 'clear-stale') return reportUnlock(io, argv, ws, 'cleared-stale', current, null, `removed the stale lock of ${describeLock(current, now)}`)
    return reportUnlock(io, argv, ws, 'broken', current, null, `broke the lock of ${describeLock(current, now)}`)
  }
  throw new CliError(`the workspace lock at ${ws.path} keeps changing; try again`)
}

function reportUnlock(io: Io, argv: UnlockArgs, ws: Workspace, action: string, previous: WorkspaceLock | null, problem: string | null, line: string): number {
  if (argv.json) printJson(io.out, { action, root: ws.root, path: ws.path, previous, ...(problem !== null ? { problem } : {}) })
  else io.out.write(`${line}\n`)
  return 0
}

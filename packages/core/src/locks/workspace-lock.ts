/**
 * Workspace locks: one agent at a time edits a git checkout. The lock is a small JSON file,
 * `<git root>/.claude/workspace.lock`; this module holds its format and every decision about it
 * (pure: no I/O, time is a parameter). `sm lock`/`sm unlock` do the file work; the server's
 * PreToolUse handling may call `enforceLock` when `locks.enforce` is on.
 */

import { SessionsError } from '../errors.js'

/** Where the lock lives, relative to the git root (the directory holding `.git`). */
export const WORKSPACE_LOCK_PATH = '.claude/workspace.lock'

/** A lock not refreshed for this long no longer holds anyone back. */
export const WORKSPACE_LOCK_STALE_MS = 30 * 60_000

/** The identity of `sm lock` run outside a managed session (a person at a shell). */
export const OPERATOR_LOCK_IDENTITY = 'operator'

/** Longest task description kept in a lock (longer ones are cut with `…`). */
export const MAX_LOCK_TASK_LENGTH = 500

/** The tools a lock held by another session denies, when enforcement is on. */
export const LOCKED_TOOLS: readonly string[] = ['Edit', 'Write', 'MultiEdit', 'NotebookEdit']

export interface WorkspaceLock {
  /** The holder: a managed session id (`CLAUDE_SESSION_MANAGER_ID`) or `operator`. */
  session: string
  sessionName?: string
  /** What the holder is doing, in its own words. */
  task: string
  /** The branch checked out when the lock was taken (`detached@<sha>` for a detached HEAD). */
  branch: string
  /** ISO 8601; taking the lock again refreshes it. */
  started: string
  pid?: number
}

export type LockState = 'free' | 'mine' | 'held-by-other' | 'stale'

export interface ParsedLock {
  /** Null when the text holds no valid lock: a missing, empty or corrupt file is no lock. */
  lock: WorkspaceLock | null
  /** Why a non-empty-looking file was not a lock; null when the text was a valid lock. */
  problem: string | null
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads the lock file's text. Tolerant: an empty or corrupt file is treated as no lock and the
 * problem is reported, so that a half-written or hand-mangled file never wedges a workspace.
 * Unknown fields are ignored.
 */
export function parseWorkspaceLock(text: string): ParsedLock {
  if (text.trim() === '') return { lock: null, problem: 'the lock file is empty' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { lock: null, problem: 'the lock file is not JSON' }
  }
  if (!isRecord(value)) return { lock: null, problem: 'the lock file is not a JSON object' }
  const { session, sessionName, task, branch, started, pid } = value
  if (typeof session !== 'string' || session.trim() === '') return { lock: null, problem: 'the lock file has no session' }
  if (typeof task !== 'string') return { lock: null, problem: 'the lock file has no task' }
  if (typeof started !== 'string' || Number.isNaN(Date.parse(started))) return { lock: null, problem: 'the lock file has no valid started time' }
  const lock: WorkspaceLock = { session, task, branch: typeof branch === 'string' ? branch : 'unknown', started }
  if (typeof sessionName === 'string' && sessionName !== '') lock.sessionName = sessionName
  if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) lock.pid = pid
  return { lock: ordered(lock), problem: null }
}

/** Fields in a fixed order, so the file and `--json` read the same every time. */
function ordered(lock: WorkspaceLock): WorkspaceLock {
  return {
    session: lock.session,
    ...(lock.sessionName !== undefined ? { sessionName: lock.sessionName } : {}),
    task: lock.task,
    branch: lock.branch,
    started: lock.started,
    ...(lock.pid !== undefined ? { pid: lock.pid } : {}),
  }
}

/** The file's text: one JSON object on one line, ending with a newline. */
export function formatWorkspaceLock(lock: WorkspaceLock): string {
  return `${JSON.stringify(ordered(lock))}\n`
}

export interface NewLockInput {
  session: string
  sessionName?: string | undefined
  task: string
  branch: string
  now: number
  pid?: number | undefined
}

/** A lock taken now. The task is trimmed, made one line and cut to `MAX_LOCK_TASK_LENGTH`; it must not be empty. */
export function newWorkspaceLock(input: NewLockInput): WorkspaceLock {
  let task = input.task.replace(/\s+/g, ' ').trim()
  if (task === '') throw new SessionsError('invalid_input', 'a lock needs a task description')
  if (task.length > MAX_LOCK_TASK_LENGTH) task = `${task.slice(0, MAX_LOCK_TASK_LENGTH - 1)}…`
  const lock: WorkspaceLock = { session: input.session, task, branch: input.branch, started: new Date(input.now).toISOString() }
  if (input.sessionName !== undefined && input.sessionName !== '') lock.sessionName = input.sessionName
  if (input.pid !== undefined) lock.pid = input.pid
  return ordered(lock)
}

/** Milliseconds since the lock was taken or last refreshed (negative when `started` is ahead of `now`). */
export const lockAgeMs = (lock: WorkspaceLock, now: number): number => now - Date.parse(lock.started)

/**
 * Whether the lock has lapsed: not refreshed for `staleMs`. A `started` further in the future
 * than `staleMs` (a broken clock) is stale too, so such a lock cannot hold forever.
 */
export function isStale(lock: WorkspaceLock, now: number, staleMs: number = WORKSPACE_LOCK_STALE_MS): boolean {
  const age = lockAgeMs(lock, now)
  return Number.isNaN(age) || age > staleMs || age < -staleMs
}

/**
 * The lock as seen by `me`: `free` (no lock), `mine` (mine, stale or not: I may refresh or
 * release it), `stale` (another's, lapsed: anyone may take it over) or `held-by-other`.
 */
export function lockState(lock: WorkspaceLock | null, me: string, now: number, staleMs: number = WORKSPACE_LOCK_STALE_MS): LockState {
  if (lock === null) return 'free'
  if (lock.session === me) return 'mine'
  return isStale(lock, now, staleMs) ? 'stale' : 'held-by-other'
}

/** `42s`, `5m`, `3h`, `2d`. */
export function formatLockAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

/** `worker (a1b2c3d4)`, or the id alone when the lock has no name. */
export const lockHolder = (lock: WorkspaceLock): string => (lock.sessionName !== undefined ? `${lock.sessionName} (${lock.session})` : lock.session)

/** One line about a lock: `worker (a1b2c3d4), 12m ago: "fix the auth tests" on branch main`. */
export function describeLock(lock: WorkspaceLock, now: number): string {
  return `${lockHolder(lock)}, ${formatLockAge(lockAgeMs(lock, now))} ago: ${JSON.stringify(lock.task)} on branch ${lock.branch}`
}

/** A path component made of `[A-Za-z0-9._-]`, for worktree directory and branch names. */
const slug = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 40) || 'work'

/**
 * The command that gives a session its own checkout next to the locked one:
 * `git worktree add ../<repo>-<id> -b sm/<id>`. `repo` is the locked checkout's directory name.
 */
export function worktreeSuggestion(sessionId: string, repo?: string): string {
  const id = slug(sessionId).slice(0, 8)
  return `git worktree add ../${repo !== undefined && repo !== '' ? slug(repo) : '<repo>'}-${id} -b sm/${id}`
}

export interface EnforceOptions {
  /** The locked checkout's directory name, for the worktree suggestion. */
  repo?: string | undefined
  staleMs?: number | undefined
}

/**
 * Enforcement (config `locks.enforce`): null when the tool call may run, else the reason to deny
 * it. Denied: an edit tool (`LOCKED_TOOLS`) by a session that does not hold a fresh lock held by
 * another. The reason names the holder, its task and age, and suggests a worktree.
 */
export function enforceLock(lock: WorkspaceLock | null, sessionId: string, toolName: string, now: number, options: EnforceOptions = {}): string | null {
  if (!LOCKED_TOOLS.includes(toolName)) return null
  if (lockState(lock, sessionId, now, options.staleMs) !== 'held-by-other' || lock === null) return null
  return (
    `workspace locked by ${describeLock(lock, now)}. ` +
    `Don't edit files here until it is released (sm unlock), or work in parallel in your own worktree: ` +
    `${worktreeSuggestion(sessionId, options.repo)}`
  )
}

/** What `sm lock "<task>"` does: take a free lock, refresh its own, take over a stale one, or give way. */
export type LockAction = 'create' | 'refresh' | 'take-over' | 'refuse'

export function lockAction(lock: WorkspaceLock | null, me: string, now: number, staleMs: number = WORKSPACE_LOCK_STALE_MS): LockAction {
  const state = lockState(lock, me, now, staleMs)
  return state === 'free' ? 'create' : state === 'mine' ? 'refresh' : state === 'stale' ? 'take-over' : 'refuse'
}

/**
 * What `sm unlock` does: `none` (nothing to release), `release` (its own lock), `clear-stale`
 * (another's lapsed lock, which holds no one back any more), `break` (another's fresh lock, with
 * `--force`) or `refuse`.
 */
export type UnlockAction = 'none' | 'release' | 'clear-stale' | 'break' | 'refuse'

export function unlockAction(lock: WorkspaceLock | null, me: string, now: number, force: boolean, staleMs: number = WORKSPACE_LOCK_STALE_MS): UnlockAction {
  const state = lockState(lock, me, now, staleMs)
  if (state === 'free') return 'none'
  if (state === 'mine') return 'release'
  if (state === 'stale') return 'clear-stale'
  return force ? 'break' : 'refuse'
}

import { describe, expect, it } from 'vitest'
import { SessionsError } from '../errors.js'
import {
  describeLock,
  enforceLock,
  formatWorkspaceLock,
  isStale,
  LOCKED_TOOLS,
  lockAction,
  lockState,
  MAX_LOCK_TASK_LENGTH,
  newWorkspaceLock,
  parseWorkspaceLock,
  unlockAction,
  WORKSPACE_LOCK_PATH,
  WORKSPACE_LOCK_STALE_MS,
  worktreeSuggestion,
  type WorkspaceLock,
} from './workspace-lock.js'

const NOW = Date.parse('2026-03-01T12:00:00.000Z')
const MIN = 60_000
const at = (msAgo: number): string => new Date(NOW - msAgo).toISOString()
const lockOf = (over: Partial<WorkspaceLock> = {}): WorkspaceLock => ({ session: 'a1b2c3d4', task: 'fix the auth tests', branch: 'main', started: at(12 * MIN), ...over })

describe('workspace lock file format', () => {
  it('lives at .claude/workspace.lock and lapses after 30 minutes', () => {
    expect(WORKSPACE_LOCK_PATH).toBe('.claude/workspace.lock')
    expect(WORKSPACE_LOCK_STALE_MS).toBe(30 * MIN)
  })

  it('formats one JSON object on one line ending with a newline, fields in a fixed order', () => {
    const text = formatWorkspaceLock({ pid: 42, started: at(0), branch: 'main', task: 't', sessionName: 'worker', session: 'a1b2c3d4' })
    expect(text).toBe(`{"session":"a1b2c3d4","sessionName":"worker","task":"t","branch":"main","started":"${at(0)}","pid":42}\n`)
    expect(text.split('\n')).toHaveLength(2)
    expect(formatWorkspaceLock(lockOf())).toBe(`{"session":"a1b2c3d4","task":"fix the auth tests","branch":"main","started":"${at(12 * MIN)}"}\n`)
  })

  it('parses what it formats', () => {
    const lock = lockOf({ sessionName: 'worker', pid: 7 })
    expect(parseWorkspaceLock(formatWorkspaceLock(lock))).toEqual({ lock, problem: null })
  })

  it('treats an empty or corrupt file as no lock, and says why', () => {
    expect(parseWorkspaceLock('')).toEqual({ lock: null, problem: 'the lock file is empty' })
    expect(parseWorkspaceLock(' \n')).toEqual({ lock: null, problem: 'the lock file is empty' })
    expect(parseWorkspaceLock('{"session":"a1b2')).toEqual({ lock: null, problem: 'the lock file is not JSON' })
    expect(parseWorkspaceLock('[1,2]')).toEqual({ lock: null, problem: 'the lock file is not a JSON object' })
    expect(parseWorkspaceLock('null')).toEqual({ lock: null, problem: 'the lock file is not a JSON object' })
    expect(parseWorkspaceLock('{"task":"x","started":"2026-01-01T00:00:00Z"}').problem).toBe('the lock file has no session')
    expect(parseWorkspaceLock('{"session":"","task":"x","started":"2026-01-01T00:00:00Z"}').problem).toBe('the lock file has no session')
    expect(parseWorkspaceLock('{"session":"a","started":"2026-01-01T00:00:00Z"}').problem).toBe('the lock file has no task')
    expect(parseWorkspaceLock('{"session":"a","task":"x","started":"yesterday"}').problem).toBe('the lock file has no valid started time')
    expect(parseWorkspaceLock('{"session":"a","task":"x"}').lock).toBeNull()
  })

  it('ignores unknown fields and bad optional ones, and defaults a missing branch', () => {
    const { lock, problem } = parseWorkspaceLock('{"session":"a","task":"x","started":"2026-01-01T00:00:00Z","extra":1,"pid":-3,"sessionName":5}')
    expect(problem).toBeNull()
    expect(lock).toEqual({ session: 'a', task: 'x', branch: 'unknown', started: '2026-01-01T00:00:00Z' })
  })

  it('a new lock has an ISO start, a trimmed one-line task cut to the maximum, and refuses an empty task', () => {
    expect(newWorkspaceLock({ session: 'a1b2c3d4', task: '  fix\n the   tests ', branch: 'dev', now: NOW })).toEqual({
      session: 'a1b2c3d4',
      task: 'fix the tests',
      branch: 'dev',
      started: '2026-03-01T12:00:00.000Z',
    })
    expect(newWorkspaceLock({ session: 's', sessionName: 'w', task: 't', branch: 'b', now: NOW, pid: 9 })).toMatchObject({ sessionName: 'w', pid: 9 })
    const long = newWorkspaceLock({ session: 's', task: 'x'.repeat(2000), branch: 'b', now: NOW }).task
    expect(long).toHaveLength(MAX_LOCK_TASK_LENGTH)
    expect(long.endsWith('…')).toBe(true)
    expect(() => newWorkspaceLock({ session: 's', task: ' \n ', branch: 'b', now: NOW })).toThrow(SessionsError)
  })
})

describe('staleness and state', () => {
  it('is stale only after 30 minutes without a refresh', () => {
    expect(isStale(lockOf({ started: at(29 * MIN) }), NOW)).toBe(false)
    expect(isStale(lockOf({ started: at(30 * MIN) }), NOW)).toBe(false)
    expect(isStale(lockOf({ started: at(30 * MIN + 1) }), NOW)).toBe(true)
    expect(isStale(lockOf({ started: at(5 * MIN) }), NOW, 2 * MIN)).toBe(true)
  })

  it('a start far in the future (a broken clock) is stale, a little ahead is not', () => {
    expect(isStale(lockOf({ started: at(-5 * MIN) }), NOW)).toBe(false)
    expect(isStale(lockOf({ started: at(-31 * MIN) }), NOW)).toBe(true)
  })

  it('is free, mine (stale or not), stale (another\'s, lapsed) or held by another', () => {
    expect(lockState(null, 'a1b2c3d4', NOW)).toBe('free')
    expect(lockState(lockOf(), 'a1b2c3d4', NOW)).toBe('mine')
    expect(lockState(lockOf({ started: at(3 * 60 * MIN) }), 'a1b2c3d4', NOW)).toBe('mine')
    expect(lockState(lockOf(), 'ffff0000', NOW)).toBe('held-by-other')
    expect(lockState(lockOf({ started: at(31 * MIN) }), 'ffff0000', NOW)).toBe('stale')
  })

  it('lock: create when free, refresh its own, take over a stale one, refuse a held one', () => {
    expect(lockAction(null, 'me', NOW)).toBe('create')
    expect(lockAction(lockOf({ session: 'me' }), 'me', NOW)).toBe('refresh')
    expect(lockAction(lockOf({ session: 'me', started: at(40 * MIN) }), 'me', NOW)).toBe('refresh')
    expect(lockAction(lockOf({ started: at(40 * MIN) }), 'me', NOW)).toBe('take-over')
    expect(lockAction(lockOf(), 'me', NOW)).toBe('refuse')
  })

  it('unlock: releases its own, clears a stale one, breaks a held one only when forced', () => {
    expect(unlockAction(null, 'me', NOW, false)).toBe('none')
    expect(unlockAction(lockOf({ session: 'me' }), 'me', NOW, false)).toBe('release')
    expect(unlockAction(lockOf({ started: at(40 * MIN) }), 'me', NOW, false)).toBe('clear-stale')
    expect(unlockAction(lockOf(), 'me', NOW, false)).toBe('refuse')
    expect(unlockAction(lockOf(), 'me', NOW, true)).toBe('break')
    expect(unlockAction(lockOf({ session: 'me' }), 'me', NOW, true)).toBe('release')
  })

  it('describes a lock: holder name and id, age, task, branch', () => {
    expect(describeLock(lockOf({ sessionName: 'worker' }), NOW)).toBe('worker (a1b2c3d4), 12m ago: "fix the auth tests" on branch main')
    expect(describeLock(lockOf({ started: at(90_000) }), NOW)).toBe('a1b2c3d4, 1m ago: "fix the auth tests" on branch main')
    expect(describeLock(lockOf({ started: at(5000) }), NOW)).toContain('5s ago')
  })
})

describe('enforcement', () => {
  const held = lockOf({ sessionName: 'worker' })

  it('denies the edit tools of a session that does not hold a fresh lock held by another', () => {
    for (const tool of ['Edit', 'Write', 'MultiEdit', 'NotebookEdit']) expect(enforceLock(held, 'ffff0000', tool, NOW)).not.toBeNull()
    expect(LOCKED_TOOLS).toEqual(['Edit', 'Write', 'MultiEdit', 'NotebookEdit'])
  })

  it('the reason names the holder (name and id), its task, how long ago, and suggests a worktree', () => {
    const reason = enforceLock(held, 'ffff0000', 'Edit', NOW, { repo: 'app' })!
    expect(reason).toBe(
      'workspace locked by worker (a1b2c3d4), 12m ago: "fix the auth tests" on branch main. ' +
        "Don't edit files here until it is released (sm unlock), or work in parallel in your own worktree: " +
        'git worktree add ../app-ffff0000 -b sm/ffff0000',
    )
    expect(enforceLock(lockOf(), 'ffff0000', 'Write', NOW)).toContain('git worktree add ../<repo>-ffff0000 -b sm/ffff0000')
  })

  it('allows other tools, the holder, a free workspace and a stale lock', () => {
    for (const tool of ['Read', 'Bash', 'Grep', 'Glob', 'edit']) expect(enforceLock(held, 'ffff0000', tool, NOW)).toBeNull()
    expect(enforceLock(held, 'a1b2c3d4', 'Edit', NOW)).toBeNull()
    expect(enforceLock(null, 'ffff0000', 'Edit', NOW)).toBeNull()
    expect(enforceLock(lockOf({ started: at(31 * MIN) }), 'ffff0000', 'Edit', NOW)).toBeNull()
    expect(enforceLock(lockOf({ started: at(5 * MIN) }), 'ffff0000', 'Edit', NOW, { staleMs: MIN })).toBeNull()
  })

  it('an operator lock holds every session back', () => {
    expect(enforceLock(lockOf({ session: 'operator', sessionName: 'alice' }), 'a1b2c3d4', 'Write', NOW)).toMatch(/^workspace locked by alice \(operator\)/)
  })

  it('worktree names are safe path and branch components, cut to 8 characters of the id', () => {
    expect(worktreeSuggestion('3f2a9c1e-7b6d-4e1a-9c3b-0d8e7f6a5b4c', 'my repo;$(x)')).toBe('git worktree add ../my-repo-x-3f2a9c1e -b sm/3f2a9c1e')
    expect(worktreeSuggestion('a1b2c3d4', '')).toBe('git worktree add ../<repo>-a1b2c3d4 -b sm/a1b2c3d4')
  })
})

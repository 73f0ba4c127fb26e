import type { SessionDto } from '@claude-sessions/api/client'
import { descendantsOf } from '@claude-sessions/core'

/** The state as a person reads it on the wall. */
const WORDS: Record<SessionDto['state'], string> = {
  starting: 'starting',
  idle: 'idle',
  working: 'working',
  waiting_permission: 'needs permission',
  waiting_answer: 'has a question',
  error: 'error',
  stopped: 'stopped',
}

export function stateWord(s: Pick<SessionDto, 'state' | 'backgroundTasks'>): string {
  const word = WORDS[s.state]
  return s.backgroundTasks > 0 && s.state !== 'stopped' ? `${word} · ${s.backgroundTasks} bg` : word
}

/** Waiting on a person: a permission dialog, a question, an error. */
export const needsPerson = (s: Pick<SessionDto, 'state'>): boolean =>
  s.state === 'waiting_permission' || s.state === 'waiting_answer' || s.state === 'error'

/** `42s`, `5m 3s`, `3h 12m`, `2d 4h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`
}

/** Needs a person first, then live ones by last activity (newest first), then stopped ones. */
export function wallOrder(a: SessionDto, b: SessionDto): number {
  const rank = (s: SessionDto): number => (needsPerson(s) ? 0 : s.state === 'stopped' ? 2 : 1)
  return rank(a) - rank(b) || Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt) || a.id.localeCompare(b.id)
}

export const displayName = (s: Pick<SessionDto, 'name' | 'id'>): string => s.name ?? s.id

/** The last path segment of a working directory: the project, as people call it. */
export const projectOf = (dir: string): string => dir.split('/').filter(Boolean).pop() ?? dir

/** Live sessions below `id` in the spawn tree (what a kill with its subtree also stops). */
export const liveDescendants = (sessions: readonly SessionDto[], id: string): number => descendantsOf(id, sessions).filter((s) => s.state !== 'stopped').length

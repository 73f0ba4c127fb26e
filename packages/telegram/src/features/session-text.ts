import type { Session, SessionState } from '@claude-sessions/core'

/** How replies, lists and status cards say a session's state and age. */
export const STATE_WORDS: Record<SessionState, string> = {
  starting: 'starting',
  idle: 'idle',
  working: 'working',
  waiting_permission: 'waiting for permission',
  waiting_answer: 'waiting for an answer',
  error: 'last turn failed',
  stopped: 'stopped',
}

/** The state as a person says it (`waiting for permission`), with background tasks still running. */
export function stateWords(session: Pick<Session, 'state' | 'backgroundTasks'>): string {
  const word = STATE_WORDS[session.state] ?? session.state
  const n = session.backgroundTasks
  if (n <= 0 || session.state === 'stopped') return word
  return `${word}, ${n} background task${n === 1 ? '' : 's'}`
}

/** How long ago `ms` milliseconds was: `just now`, `45s ago`, `3m ago`, `2h 5m ago`, `3d 4h ago`. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 5) return 'just now'
  if (s < 60) return `${s}s ago`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ago`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 === 0 ? `${h}h ago` : `${h}h ${m % 60}m ago`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d}d ago` : `${d}d ${h % 24}h ago`
}

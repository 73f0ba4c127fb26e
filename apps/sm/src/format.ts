import type { SessionDto } from '@claude-sessions/api/client'
import type { Output } from './io.js'

/** `42s`, `5m`, `3h`, `2d`. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

const shortId = (s: SessionDto): string => (s.kind === 'external' ? s.id.slice(0, 8) : s.id)

/**
 * The state as a person should read it: a session whose last Stop reported background work
 * still running (a subagent, a background shell) is not simply idle: `idle · 1 bg`.
 * External sessions are marked `*`.
 */
export function stateLabel(s: Pick<SessionDto, 'state' | 'kind' | 'backgroundTasks'>): string {
  const state = s.kind === 'external' ? `${s.state}*` : s.state
  return s.backgroundTasks > 0 && s.state !== 'stopped' ? `${state} · ${s.backgroundTasks} bg` : state
}

/** One aligned line per session: name, id, state, age of last activity, working dir. */
export function sessionTable(sessions: readonly SessionDto[], now = Date.now()): string {
  const rows = sessions.map((s) => [s.name ?? '-', shortId(s), stateLabel(s), age(s.lastActivityAt, now), s.workingDir])
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n')
}

export const describeSession = (s: SessionDto): string => `${s.name ?? s.id} (${s.id})`

export function printJson(out: Output, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`)
}

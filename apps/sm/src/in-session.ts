import type { Env } from './env.js'

/**
 * Whether `sm status` shows the session's own view (me, others in the repository, the lock)
 * rather than the list: run as `status` (not `ls`) without `--all`, inside a managed session.
 * Outside a session, and for `ls`, `status` stays the list on the fast path.
 */
export function wantsSessionStatus(command: unknown, all: boolean, env: Env): boolean {
  return command === 'status' && !all && Boolean(env.CLAUDE_SESSION_MANAGER_ID)
}

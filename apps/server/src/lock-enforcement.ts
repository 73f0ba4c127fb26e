import { basename, dirname, isAbsolute } from 'node:path'
import { enforceLock, LOCKED_TOOLS, parseWorkspaceLock } from '@claude-sessions/core'
import { preToolUseReply } from '@claude-sessions/core/audit'
import { type HookReplier } from '@claude-sessions/core/services'
import { readWorkspaceLock } from '@claude-sessions/workspace'

/**
 * `locks.enforce`: a PreToolUse Edit/Write/MultiEdit/NotebookEdit by a session that does not
 * hold the fresh workspace lock of the file's checkout, held by another, is denied; the reason
 * names the holder and suggests a worktree. The checkout is the one `sm lock` finds
 * (@claude-sessions/workspace: the same git root, symlinks resolved).
 */
export function lockEnforcer(now: () => number = Date.now): HookReplier {
  return (session, event, _at, replay, payload) => {
    if (replay || event.event !== 'PreToolUse' || event.toolName === null || !LOCKED_TOOLS.includes(event.toolName)) return null
    const input = (payload as { tool_input?: { file_path?: unknown; notebook_path?: unknown } } | null)?.tool_input
    const target = typeof input?.file_path === 'string' ? input.file_path : typeof input?.notebook_path === 'string' ? input.notebook_path : null
    const base = event.cwd ?? (session.workingDir || null)
    const dir = target !== null && isAbsolute(target) ? dirname(target) : base
    if (dir === null || !isAbsolute(dir)) return null
    const ws = readWorkspaceLock(dir)
    if (ws === null || ws.text === null) return null
    const reason = enforceLock(parseWorkspaceLock(ws.text).lock, session.id, event.toolName, now(), { repo: basename(ws.root) })
    return reason === null ? null : { reply: preToolUseReply({ action: 'deny', reason: `claude-sessions: ${reason}` }), continued: false }
  }
}

import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { enforceLock, LOCKED_TOOLS, parseWorkspaceLock, preToolUseReply, WORKSPACE_LOCK_PATH, type HookReplier } from '@claude-sessions/core'

/** The nearest directory at or above `dir` holding `.git`, or null. */
function gitRoot(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d
    if (dirname(d) === d) return null
  }
}

/**
 * `locks.enforce`: a PreToolUse Edit/Write/MultiEdit/NotebookEdit by a session that does not
 * hold the fresh workspace lock of the file's checkout, held by another, is denied; the reason
 * names the holder and suggests a worktree.
 */
export function lockEnforcer(now: () => number = Date.now): HookReplier {
  return (session, event, _at, replay, payload) => {
    if (replay || event.event !== 'PreToolUse' || event.toolName === null || !LOCKED_TOOLS.includes(event.toolName)) return null
    const input = (payload as { tool_input?: { file_path?: unknown; notebook_path?: unknown } } | null)?.tool_input
    const target = typeof input?.file_path === 'string' ? input.file_path : typeof input?.notebook_path === 'string' ? input.notebook_path : null
    const base = event.cwd ?? (session.workingDir || null)
    const dir = target !== null && isAbsolute(target) ? dirname(target) : base
    if (dir === null || !isAbsolute(dir)) return null
    const root = gitRoot(dir)
    if (root === null) return null
    let text: string
    try {
      text = readFileSync(join(root, WORKSPACE_LOCK_PATH), 'utf8')
    } catch {
      return null
    }
    const reason = enforceLock(parseWorkspaceLock(text).lock, session.id, event.toolName, now(), { repo: basename(root) })
    return reason === null ? null : { reply: preToolUseReply({ action: 'deny', reason: `claude-sessions: ${reason}` }), continued: false }
  }
}

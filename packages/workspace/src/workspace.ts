import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WORKSPACE_LOCK_PATH } from '@claude-sessions/core'
import { findGitCheckout, type GitCheckout } from './git-root.js'

/** A git checkout and the place of its workspace lock. */
export interface Workspace extends GitCheckout {
  /** `<root>/.claude/workspace.lock` */
  path: string
}

/** The workspace of the checkout holding `start` (see `findGitCheckout` for the rules); null outside git. */
export function findWorkspace(start: string): Workspace | null {
  const checkout = findGitCheckout(start)
  return checkout === null ? null : { ...checkout, path: join(checkout.root, WORKSPACE_LOCK_PATH) }
}

/** The workspace of `dir` and its lock file's text as it is now (null when there is none or it can't be read); null outside git. */
export function readWorkspaceLock(dir: string): (Workspace & { text: string | null }) | null {
  const ws = findWorkspace(dir)
  if (ws === null) return null
  let text: string | null
  try {
    text = readFileSync(ws.path, 'utf8')
  } catch {
    text = null
  }
  return { ...ws, text }
}

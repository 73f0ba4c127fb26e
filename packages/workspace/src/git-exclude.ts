import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { WORKSPACE_LOCK_PATH } from '@claude-sessions/core'
import { commonGitDir, type GitCheckout } from './git-root.js'

/** Keeps the lock and its temp files out of `git status` via the repository's `info/exclude` (best effort). */
export function excludeFromGit(checkout: GitCheckout): void {
  if (checkout.gitDir === null) return
  try {
    const exclude = join(commonGitDir(checkout.gitDir), 'info', 'exclude')
    const pattern = `/${WORKSPACE_LOCK_PATH}*`
    let text = ''
    try {
      text = readFileSync(exclude, 'utf8')
    } catch {
      mkdirSync(dirname(exclude), { recursive: true })
    }
    if (text.split('\n').some((line) => line.trim() === pattern)) return
    appendFileSync(exclude, `${text === '' || text.endsWith('\n') ? '' : '\n'}# claude-sessions workspace lock (sm lock)\n${pattern}\n`)
  } catch {
    // not ours to insist on
  }
}

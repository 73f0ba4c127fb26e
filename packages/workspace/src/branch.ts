import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GitCheckout } from './git-root.js'

/** The branch from `HEAD` without running git; `detached@<sha>` for a detached HEAD; else `git rev-parse`. */
export async function currentBranch(checkout: GitCheckout): Promise<string> {
  if (checkout.gitDir !== null) {
    try {
      const head = readFileSync(join(checkout.gitDir, 'HEAD'), 'utf8').trim()
      const ref = /^ref:\s*(\S+)$/.exec(head)
      if (ref) return ref[1]!.replace(/^refs\/heads\//, '')
      if (/^[0-9a-f]{40,64}$/.test(head)) return `detached@${head.slice(0, 8)}`
    } catch {
      // fall through to git
    }
  }
  return new Promise((done) => {
    execFile('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: checkout.root, timeout: 3000 }, (error, stdout) => {
      done(error ? 'unknown' : String(stdout).trim() || 'unknown')
    })
  })
}

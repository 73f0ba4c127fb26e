import type { RepoIdentity } from '../awareness/repo.js'

/**
 * Tells which repository a directory belongs to: its git root and remote (`sm who`). The server's
 * adapter reads `.git` and the git config without running git, and caches answers briefly.
 */
export interface RepoInspector {
  identity(dir: string): RepoIdentity
}

import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { noRepo, primaryRemote, type RepoIdentity, type RepoInspector } from '@claude-sessions/core'
import { commonGitDir, findGitCheckout, physicalPath } from './git-root.js'

export interface FsRepoInspectorOptions {
  /** How long an answer is reused; default 30 s. */
  ttlMs?: number
  /** Directories remembered at most; the oldest go first. */
  maxEntries?: number
  now?: () => number
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * The repository of a directory, read from the file system without running git: the git root is
 * the one `findGitCheckout` finds (symlinks resolved; `.git` a directory, or a file pointing
 * elsewhere, as in linked worktrees and submodules); the common git directory is the one
 * `commondir` names (worktrees share their main repository's), else the git directory; the
 * remote is `origin`'s URL in its `config`, else the first remote's. Answers are cached per
 * directory for `ttlMs`.
 */
export class FsRepoInspector implements RepoInspector {
  private readonly cache = new Map<string, { at: number; identity: RepoIdentity }>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor(options: FsRepoInspectorOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000
    this.maxEntries = options.maxEntries ?? 1000
    this.now = options.now ?? Date.now
  }

  identity(dir: string): RepoIdentity {
    if (!isAbsolute(dir)) return noRepo(dir)
    const now = this.now()
    const known = this.cache.get(dir)
    if (known !== undefined && now - known.at < this.ttlMs) return known.identity
    const identity = inspect(dir)
    this.cache.delete(dir)
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!)
    this.cache.set(dir, { at: now, identity })
    return identity
  }
}

function inspect(start: string): RepoIdentity {
  if (!isDir(start)) return noRepo(resolve(start))
  const dir = physicalPath(start)
  const checkout = findGitCheckout(dir)
  if (checkout === null) return noRepo(dir)
  if (checkout.gitDir === null) return { dir, root: checkout.root, remote: null, commonDir: null }
  const commonDir = physicalPath(commonGitDir(checkout.gitDir))
  const config = read(join(commonDir, 'config'))
  return { dir, root: checkout.root, remote: config === null ? null : primaryRemote(config), commonDir }
}

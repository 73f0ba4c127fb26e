import { readFileSync, realpathSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { noRepo, primaryRemote, type RepoIdentity, type RepoInspector } from '@claude-sessions/core'

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

const real = (path: string): string => {
  try {
    return realpathSync(path)
  } catch {
    return resolve(path)
  }
}

const kindOf = (path: string): 'dir' | 'file' | null => {
  try {
    const s = statSync(path)
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null
  } catch {
    return null
  }
}

/** `gitdir: <path>` of a linked worktree's (or submodule's) `.git` file, relative to the file's directory. */
function gitDirFromFile(dotGit: string): string | null {
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(read(dotGit) ?? '')
  return m ? resolve(dirname(dotGit), m[1]!) : null
}

/**
 * The repository of a directory, read from the file system without running git: the git root is
 * the nearest directory up holding `.git` (a directory, or a file pointing elsewhere, as in linked
 * worktrees and submodules); the common git directory is the one `commondir` names (worktrees
 * share their main repository's), else the git directory; the remote is `origin`'s URL in its
 * `config`, else the first remote's. Answers are cached per directory for `ttlMs`.
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
  if (kindOf(start) !== 'dir') return noRepo(resolve(start))
  const dir = real(start)
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git')
    const kind = kindOf(dotGit)
    const gitDir = kind === 'dir' ? dotGit : kind === 'file' ? gitDirFromFile(dotGit) : null
    if (gitDir !== null) {
      const common = read(join(gitDir, 'commondir'))?.trim()
      const commonDir = real(common ? resolve(gitDir, common) : gitDir)
      const config = read(join(commonDir, 'config'))
      return { dir, root: d, remote: config === null ? null : primaryRemote(config), commonDir }
    }
    if (dirname(d) === d) return noRepo(dir)
  }
}

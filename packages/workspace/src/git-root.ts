import { readFileSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

/** A git checkout found from a directory inside it. */
export interface GitCheckout {
  /** The git root: the directory holding `.git` (a directory, or a file in worktrees and submodules). */
  root: string
  /** The git directory (`.git`, or where a `.git` file points), when it can be found. */
  gitDir: string | null
}

/**
 * The physical path of `path`: symlinks resolved, as git itself sees a directory (its own cwd is
 * always physical). A part that does not exist yet (a file about to be written in a new
 * directory) is kept as it is, under the resolved path of its nearest existing ancestor.
 */
export function physicalPath(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync(absolute)
  } catch {
    const parent = dirname(absolute)
    return parent === absolute ? absolute : join(physicalPath(parent), basename(absolute))
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

/** `gitdir: <path>` of a worktree's or submodule's `.git` file, relative to the file's directory. */
export function gitDirFromFile(dotGit: string): string | null {
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))
    return m ? resolve(dirname(dotGit), m[1]!) : null
  } catch {
    return null
  }
}

/**
 * The one git-root walker of the project (`sm lock`, lock enforcement, the repo inspector).
 *
 * The rules:
 * - symlinks: the walk starts from the physical path of `start` (`physicalPath`), never the path
 *   as typed. A checkout reached through a symlink therefore has the same root, whichever path is
 *   used, and a symlink into the middle of a checkout finds that checkout's root, as git does.
 * - the root is the nearest directory at or above holding `.git`, as a directory or a file
 *   (symlinks to either followed). A `.git` file is a root even when its `gitdir:` line can't be
 *   read (`gitDir` is then null): git stops there too, it does not look further up.
 *
 * Null outside any git checkout.
 */
export function findGitCheckout(start: string): GitCheckout | null {
  for (let dir = physicalPath(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git')
    const kind = kindOf(dotGit)
    if (kind === 'dir') return { root: dir, gitDir: dotGit }
    if (kind === 'file') return { root: dir, gitDir: gitDirFromFile(dotGit) }
    if (dirname(dir) === dir) return null
  }
}

/** The common git directory: the one `commondir` names (linked worktrees share their main repository's), else `gitDir`. */
export function commonGitDir(gitDir: string): string {
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim()
    return common ? resolve(gitDir, common) : gitDir
  } catch {
    return gitDir
  }
}

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { currentBranch } from './branch.js'
import { findGitCheckout, physicalPath } from './git-root.js'
import { createExclusive, ensureLockDir } from './lock-file.js'
import { FsRepoInspector } from './repo-inspector.js'
import { findWorkspace, readWorkspaceLock } from './workspace.js'

// One git root for everyone, with real git in temp directories: what `sm lock` locks
// (findWorkspace), what lock enforcement and `sm status` read (readWorkspaceLock) and what the
// awareness commands compare (FsRepoInspector) are the same checkout, and the one git names.

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

let base: string
/** The main checkout, a linked worktree of it, symlinks to each and one into the middle of the main checkout. */
const dirs = { main: '', worktree: '', linkToMain: '', linkToWorktree: '', linkToSrc: '', plain: '' }

beforeAll(() => {
  // the temp dir itself may be reached through a symlink (macOS): the expected roots are physical
  base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-workspace-')))
  dirs.main = join(base, 'app')
  mkdirSync(join(dirs.main, 'src', 'deep'), { recursive: true })
  git(dirs.main, 'init', '-q', '-b', 'main')
  writeFileSync(join(dirs.main, 'src', 'deep', 'a.ts'), 'a')
  git(dirs.main, 'add', '.')
  git(dirs.main, 'commit', '-q', '-m', 'init')
  dirs.worktree = join(base, 'app-feature')
  git(dirs.main, 'worktree', 'add', '-q', dirs.worktree, '-b', 'feature/x')
  dirs.linkToMain = join(base, 'link-to-app')
  symlinkSync(dirs.main, dirs.linkToMain)
  dirs.linkToWorktree = join(base, 'link-to-app-feature')
  symlinkSync(dirs.worktree, dirs.linkToWorktree)
  dirs.linkToSrc = join(base, 'link-to-app-src')
  symlinkSync(join(dirs.main, 'src'), dirs.linkToSrc)
  dirs.plain = join(base, 'plain')
  mkdirSync(dirs.plain)
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** The root each of the three users finds from `dir`. */
function roots(dir: string): { lock: string | null; enforcement: string | null; inspector: string | null } {
  return {
    lock: findWorkspace(dir)?.root ?? null,
    enforcement: readWorkspaceLock(dir)?.root ?? null,
    inspector: new FsRepoInspector().identity(dir).root,
  }
}

const agreeOn = (root: string | null) => ({ lock: root, enforcement: root, inspector: root })

describe('one git root for sm lock, lock enforcement and the repo inspector', () => {
  it('a plain checkout: its top directory, from the top and from a subdirectory, as git says', () => {
    for (const dir of [dirs.main, join(dirs.main, 'src', 'deep')]) {
      expect(roots(dir), dir).toEqual(agreeOn(dirs.main))
      expect(git(dir, 'rev-parse', '--show-toplevel')).toBe(dirs.main)
    }
  })

  it('the checkout reached through a symlink: the same physical root as the real path, as git says', () => {
    for (const dir of [dirs.linkToMain, join(dirs.linkToMain, 'src', 'deep')]) {
      expect(roots(dir), dir).toEqual(agreeOn(dirs.main))
      expect(git(dir, 'rev-parse', '--show-toplevel')).toBe(dirs.main)
    }
    // a symlink into the middle of the checkout: no `.git` on the way up the link's own path,
    // yet git, and so all three, find the checkout it points into
    expect(roots(dirs.linkToSrc)).toEqual(agreeOn(dirs.main))
    expect(git(dirs.linkToSrc, 'rev-parse', '--show-toplevel')).toBe(dirs.main)
  })

  it('a linked worktree (a .git file): its own top directory, directly or through a symlink, as git says', () => {
    for (const dir of [dirs.worktree, join(dirs.worktree, 'src', 'deep'), dirs.linkToWorktree, join(dirs.linkToWorktree, 'src')]) {
      expect(roots(dir), dir).toEqual(agreeOn(dirs.worktree))
      expect(git(dir, 'rev-parse', '--show-toplevel')).toBe(dirs.worktree)
    }
    const checkout = findGitCheckout(dirs.linkToWorktree)!
    expect(checkout.gitDir).toBe(realpathSync(git(dirs.worktree, 'rev-parse', '--absolute-git-dir')))
    expect(new FsRepoInspector().identity(dirs.linkToWorktree).commonDir).toBe(join(dirs.main, '.git'))
  })

  it('outside git: none of the three finds a root', () => {
    expect(roots(dirs.plain)).toEqual(agreeOn(null))
  })

  it('a lock taken through the symlink is the one enforcement reads through the real path, and the other way round; the worktree has its own', async () => {
    const viaLink = findWorkspace(dirs.linkToMain)!
    expect(viaLink.path).toBe(join(dirs.main, '.claude', 'workspace.lock'))
    ensureLockDir(viaLink.path)
    expect(createExclusive(viaLink.path, '{"session":"aaaa1111"}\n')).toBe(true)
    expect(readWorkspaceLock(join(dirs.main, 'src', 'deep'))?.text).toBe('{"session":"aaaa1111"}\n')
    expect(readWorkspaceLock(dirs.linkToSrc)?.text).toBe('{"session":"aaaa1111"}\n')
    // a second take through the real path finds it there
    expect(createExclusive(findWorkspace(dirs.main)!.path, '{"session":"bbbb2222"}\n')).toBe(false)
    expect(readFileSync(join(dirs.main, '.claude', 'workspace.lock'), 'utf8')).toBe('{"session":"aaaa1111"}\n')
    expect(readWorkspaceLock(dirs.linkToWorktree)).toMatchObject({ root: dirs.worktree, text: null })
    expect(await currentBranch(findWorkspace(dirs.linkToWorktree)!)).toBe('feature/x')
    expect(await currentBranch(findWorkspace(dirs.linkToMain)!)).toBe('main')
  })

  it('a file about to be written in a directory that does not exist yet belongs to the checkout above it', () => {
    const fresh = join(dirs.linkToMain, 'new', 'dir')
    expect(physicalPath(fresh)).toBe(join(dirs.main, 'new', 'dir'))
    // (the inspector answers for working directories, which exist: a missing one is no repository)
    expect(roots(fresh)).toEqual({ lock: dirs.main, enforcement: dirs.main, inspector: null })
  })
})

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sameRepo } from '@claude-sessions/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsRepoInspector } from './repo-inspector.js'

let base: string
const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function repo(name: string, remotes: [string, string][] = []): string {
  const dir = join(base, name)
  mkdirSync(dir)
  git(dir, 'init', '-q', '-b', 'main')
  for (const [remote, url] of remotes) git(dir, 'remote', 'add', remote, url)
  writeFileSync(join(dir, 'README'), name)
  git(dir, 'add', 'README')
  git(dir, 'commit', '-q', '-m', 'init')
  return dir
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'sm-repo-inspector-')))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('FsRepoInspector (real git repositories)', () => {
  it('finds the git root from a subdirectory and the origin remote', () => {
    const app = repo('app', [
      ['upstream', 'https://github.com/up/app.git'],
      ['origin', 'git@github.com:me/app.git'],
    ])
    mkdirSync(join(app, 'src', 'deep'), { recursive: true })
    const id = new FsRepoInspector().identity(join(app, 'src', 'deep'))
    expect(id).toEqual({ dir: join(app, 'src', 'deep'), root: app, remote: 'git@github.com:me/app.git', commonDir: join(app, '.git') })
  })

  it('the first remote when there is no origin; none at all; outside git; a missing or relative dir', () => {
    const lib = repo('lib', [['fork', 'https://example.com/lib']])
    const inspector = new FsRepoInspector()
    expect(inspector.identity(lib).remote).toBe('https://example.com/lib')
    const local = repo('local')
    expect(inspector.identity(local)).toMatchObject({ root: local, remote: null })
    const plain = join(base, 'plain')
    mkdirSync(plain)
    expect(inspector.identity(plain)).toEqual({ dir: plain, root: null, remote: null, commonDir: null })
    expect(inspector.identity(join(base, 'missing'))).toEqual({ dir: join(base, 'missing'), root: null, remote: null, commonDir: null })
    expect(inspector.identity('relative/dir')).toMatchObject({ root: null, remote: null })
    expect(inspector.identity('')).toMatchObject({ root: null, remote: null })
  })

  it('a linked worktree: its own root, the main repository common dir and remote; matches the main checkout', () => {
    const main = repo('wtmain', [['origin', 'https://github.com/me/wt.git']])
    const wt = join(base, 'wtmain-feature')
    git(main, 'worktree', 'add', '-q', wt, '-b', 'feature')
    const inspector = new FsRepoInspector()
    const a = inspector.identity(main)
    const b = inspector.identity(wt)
    expect(b).toEqual({ dir: wt, root: wt, remote: 'https://github.com/me/wt.git', commonDir: join(main, '.git') })
    expect(sameRepo(a, b)).toBe(true)
    // without a remote the common dir still ties them together
    const bare = repo('noremote')
    const bareWt = join(base, 'noremote-wt')
    git(bare, 'worktree', 'add', '-q', bareWt, '-b', 'x')
    expect(sameRepo(inspector.identity(bare), inspector.identity(bareWt))).toBe(true)
    expect(sameRepo(inspector.identity(bare), a)).toBe(false)
  })

  it('separate clones over SSH and HTTPS are the same repository; different remotes are not', () => {
    const inspector = new FsRepoInspector()
    const ssh = repo('clone-ssh', [['origin', 'ssh://git@github.com:22/Acme/Tool.git']])
    const https = repo('clone-https', [['origin', 'https://github.com/acme/tool']])
    const other = repo('clone-other', [['origin', 'https://github.com/acme/other']])
    expect(sameRepo(inspector.identity(ssh), inspector.identity(https))).toBe(true)
    expect(sameRepo(inspector.identity(ssh), inspector.identity(other))).toBe(false)
  })

  it('resolves symlinks so that two paths to one checkout match', () => {
    const target = repo('linked')
    const link = join(base, 'link-to-linked')
    symlinkSync(target, link)
    const id = new FsRepoInspector().identity(link)
    expect(id).toMatchObject({ dir: target, root: target })
  })

  it('caches per directory for the TTL, then reads again', () => {
    const dir = repo('cached', [['origin', 'https://example.com/one']])
    let now = 0
    const inspector = new FsRepoInspector({ ttlMs: 30_000, now: () => now })
    expect(inspector.identity(dir).remote).toBe('https://example.com/one')
    git(dir, 'remote', 'set-url', 'origin', 'https://example.com/two')
    now = 29_999
    expect(inspector.identity(dir).remote).toBe('https://example.com/one')
    now = 30_000
    expect(inspector.identity(dir).remote).toBe('https://example.com/two')
  })

  it('keeps at most maxEntries directories', () => {
    const inspector = new FsRepoInspector({ maxEntries: 2 })
    for (const name of ['c1', 'c2', 'c3']) mkdirSync(join(base, name))
    for (const name of ['c1', 'c2', 'c3']) inspector.identity(join(base, name))
    expect((inspector as unknown as { cache: Map<string, unknown> }).cache.size).toBe(2)
  })
})

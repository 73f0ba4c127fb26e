import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectResolver } from './project.js'

const root = mkdtempSync(join(tmpdir(), 'sm-project-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('projectResolver', () => {
  it('names the git root for a directory inside a repository (a .git dir, or a worktree .git file)', () => {
    mkdirSync(join(root, 'repo/.git'), { recursive: true })
    mkdirSync(join(root, 'repo/src/deep'), { recursive: true })
    mkdirSync(join(root, 'wt/pkg'), { recursive: true })
    writeFileSync(join(root, 'wt/.git'), 'gitdir: /elsewhere\n')
    const projectOf = projectResolver()
    expect(projectOf(join(root, 'repo/src/deep'))).toBe('repo')
    expect(projectOf(join(root, 'repo'))).toBe('repo')
    expect(projectOf(join(root, 'wt/pkg'))).toBe('wt')
  })

  it('falls back to the last component outside a repository; nothing for empty or relative paths', () => {
    mkdirSync(join(root, 'plain/sub'), { recursive: true })
    const projectOf = projectResolver()
    expect(projectOf(join(root, 'plain/sub'))).toBe('sub')
    expect(projectOf(null)).toBeNull()
    expect(projectOf('')).toBeNull()
    expect(projectOf('relative/dir')).toBeNull()
  })

  it('asks the file system once per directory', () => {
    let calls = 0
    const projectOf = projectResolver((p) => {
      calls++
      return p === '/a/.git'
    })
    expect(projectOf('/a/b/c')).toBe('a')
    const first = calls
    expect(projectOf('/a/b/c')).toBe('a')
    expect(calls).toBe(first)
  })
})

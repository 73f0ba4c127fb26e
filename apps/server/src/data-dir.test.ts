import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionsError } from '@claude-sessions/core'
import { afterAll, describe, expect, it } from 'vitest'
import { ensurePrivateDataDir } from './data-dir.js'

const root = mkdtempSync(join(tmpdir(), 'sm-data-dir-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const modeOf = (path: string) => statSync(path).mode & 0o7777

const refusal = (path: string): string => {
  try {
    ensurePrivateDataDir(path)
  } catch (error) {
    expect(SessionsError.is(error, 'invalid_input')).toBe(true)
    return (error as Error).message
  }
  throw new Error(`expected ${path} to be refused`)
}

describe('ensurePrivateDataDir', () => {
  it('creates a missing dir (and its parents) with mode 0700', () => {
    const dir = join(root, 'new', 'nested', 'data')
    expect(ensurePrivateDataDir(dir)).toEqual({ created: true, tightenedFrom: null })
    expect(statSync(dir).isDirectory()).toBe(true)
    expect(modeOf(dir)).toBe(0o700)
  })

  it.each([0o755, 0o750, 0o777, 0o701, 0o2775, 0o1777])('tightens an existing dir of ours with mode %o to 0700, keeping what is in it', (mode) => {
    const dir = join(root, `open-${mode.toString(8)}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'sessions.db'), 'data')
    chmodSync(dir, mode)
    expect(modeOf(dir)).toBe(mode)
    expect(ensurePrivateDataDir(dir)).toEqual({ created: false, tightenedFrom: mode })
    expect(modeOf(dir)).toBe(0o700)
    expect(statSync(join(dir, 'sessions.db')).size).toBe(4)
  })

  it('leaves a private dir as it is (0700, or tighter like 0500)', () => {
    for (const mode of [0o700, 0o500]) {
      const dir = join(root, `private-${mode.toString(8)}`)
      mkdirSync(dir)
      chmodSync(dir, mode)
      expect(ensurePrivateDataDir(dir)).toEqual({ created: false, tightenedFrom: null })
      expect(modeOf(dir)).toBe(mode)
    }
  })

  it('follows a symlink to a dir of ours and tightens the dir itself', () => {
    const target = join(root, 'target')
    mkdirSync(target, { mode: 0o755 })
    chmodSync(target, 0o755)
    const link = join(root, 'link')
    symlinkSync(target, link)
    expect(ensurePrivateDataDir(link)).toEqual({ created: false, tightenedFrom: 0o755 })
    expect(modeOf(target)).toBe(0o700)
  })

  it('refuses a path that is a file, naming it, and changes nothing', () => {
    const file = join(root, 'a-file')
    writeFileSync(file, 'x', { mode: 0o644 })
    expect(refusal(file)).toBe(`data dir ${file}: it exists and is not a directory`)
    expect(modeOf(file)).toBe(0o644)
    expect(refusal(join(file, 'below'))).toMatch(new RegExp(`^data dir ${file}/below: `))
  })

  it("refuses a dir that belongs to another user, and doesn't touch its mode", () => {
    // as root, a dir given away to another uid; as anyone else, / (root's)
    let dir = '/'
    if (process.getuid!() === 0) {
      dir = join(root, 'not-ours')
      mkdirSync(dir)
      chmodSync(dir, 0o755)
      chownSync(dir, 4242, 4242)
    }
    const before = modeOf(dir)
    expect(refusal(dir)).toMatch(/it belongs to uid \d+, not to this user \(uid \d+\); use a directory of your own$/)
    expect(modeOf(dir)).toBe(before)
  })
})

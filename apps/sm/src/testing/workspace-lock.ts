/**
 * The workspace lock file in the tests of `sm lock`, and the races on it that both tiers run:
 * lock.unit.test.ts with `sm` in-process, where one event loop interleaves the calls at their
 * awaits but the file system steps never overlap, and lock.test.ts with the built binary, where
 * separate processes race for link(2) and O_EXCL.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

export const lockFile = (repo: string): string => join(repo, '.claude', 'workspace.lock')
export const readLock = (repo: string): Record<string, unknown> => JSON.parse(readFileSync(lockFile(repo), 'utf8')) as Record<string, unknown>
export const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString()

export function writeLock(repo: string, lock: object): void {
  mkdirSync(join(repo, '.claude'), { recursive: true })
  writeFileSync(lockFile(repo), `${JSON.stringify(lock)}\n`)
}

/** `sm <args>` as managed session `id` in `cwd`: its exit code and what it wrote. */
export type RunAs = (args: string[], id: string, cwd: string) => Promise<{ status: number | null; stdout: string; stderr: string }>

/** Sessions locking one checkout at once: exactly one wins, fresh or over a stale lock. */
export function lockRaces(run: RunAs, newRepo: () => string): void {
  it('two, or eight, sessions locking at the same moment: exactly one wins', async () => {
    // races are caught by chance, so a few rounds
    for (const count of [2, 8, 8]) {
      const dir = newRepo()
      const ids = Array.from({ length: count }, (_, i) => `c0ffee${String(i).padStart(2, '0')}`)
      const results = await Promise.all(ids.map((id) => run(['lock', `task of ${id}`], id, dir)))
      const winners = results.flatMap((r, i) => (r.status === 0 ? [ids[i]!] : []))
      expect(winners, results.map((r) => r.stderr).join('')).toHaveLength(1)
      expect(results.filter((r) => r.status === 1)).toHaveLength(count - 1)
      for (const r of results.filter((r) => r.status === 1)) expect(r.stderr).toContain(`workspace locked by ${winners[0]}`)
      expect(readLock(dir)).toMatchObject({ session: winners[0], task: `task of ${winners[0]}` })
      expect(readdirSync(join(dir, '.claude'))).toEqual(['workspace.lock'])
    }
  }, 60_000)

  it('several sessions taking over the same stale lock at once: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = newRepo()
      writeLock(dir, { session: 'bbbb2222', task: 'abandoned', branch: 'main', started: minutesAgo(45) })
      const ids = Array.from({ length: 6 }, (_, i) => `5a1e00${String(i).padStart(2, '0')}`)
      const results = await Promise.all(ids.map((id) => run(['lock', `task of ${id}`], id, dir)))
      const winners = results.flatMap((r, i) => (r.status === 0 ? [ids[i]!] : []))
      expect(winners, results.map((r) => r.stderr).join('')).toHaveLength(1)
      expect(results[ids.indexOf(winners[0]!)]!.stdout).toMatch(/^took over the stale lock of bbbb2222/)
      expect(readLock(dir)).toMatchObject({ session: winners[0] })
      expect(readdirSync(join(dir, '.claude'))).toEqual(['workspace.lock'])
    }
  }, 60_000)
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aToolEvent } from '@claude-sessions/core/testing'
import { openSqliteStore } from '@claude-sessions/store-sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { startRetention } from './retention.js'

const DAY = 86_400_000
const now = Date.parse('2026-11-25T12:00:00Z')
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'sm-retention-'))
  dirs.push(dir)
  return openSqliteStore({ path: join(dir, 'sessions.db'), checkpointIntervalMs: 0 })
}

describe('audit retention', () => {
  it('deletes rows older than the retention period in small steps, yielding to the event loop between them', async () => {
    const s = store()
    for (let i = 0; i < 10_000; i++) s.toolAudit.append(aToolEvent({ at: now - 40 * DAY + i, toolUseId: `old-${i}` }))
    for (let i = 0; i < 10; i++) s.toolAudit.append(aToolEvent({ at: now - 29 * DAY + i, toolUseId: `kept-${i}` }))
    s.flush()
    const deleted: number[] = []
    const job = startRetention({ store: s.toolAudit, retentionMs: 30 * DAY, now: () => now, intervalMs: 3_600_000, onDeleted: (n) => deleted.push(n), onError: (e) => { throw e } })
    // other work queued meanwhile runs before the sweep ends: the sweep yields between steps
    let interleaved = 0
    const sweep = job.runNow()
    const tick = () => {
      interleaved++
      if (interleaved < 1000) setImmediate(tick)
    }
    setImmediate(tick)
    let ticksBeforeEnd = 0
    void sweep.then(() => (ticksBeforeEnd = interleaved))
    expect(await sweep).toBe(10_000)
    // five steps of 2000: the queued work ran between them
    expect(ticksBeforeEnd).toBeGreaterThanOrEqual(3)
    job.stop()
    expect(deleted).toEqual([10_000])
    const left = s.toolAudit.list()
    expect(left).toHaveLength(10)
    expect(left.every((e) => e.toolUseId!.startsWith('kept-'))).toBe(true)
    s.close()
  })

  it('reports a failing store to onError and keeps running', async () => {
    const errors: unknown[] = []
    let calls = 0
    const job = startRetention({
      store: {
        deleteBefore: () => {
          calls++
          throw new Error('disk I/O error')
        },
      },
      retentionMs: DAY,
      now: () => now,
      intervalMs: 3_600_000,
      onDeleted: () => undefined,
      onError: (e) => errors.push(e),
    })
    expect(await job.runNow()).toBe(0)
    expect(await job.runNow()).toBe(0)
    job.stop()
    expect(calls).toBe(2)
    expect(errors).toHaveLength(2)
  })
})

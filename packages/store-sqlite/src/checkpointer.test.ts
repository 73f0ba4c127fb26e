import { statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useTempStores } from './test-support.js'

const { open, dbPath } = useTempStores()

const anEvent = (i: number) => ({
  sessionId: 'a1b2c3d4',
  claudeSessionId: 'c-1',
  event: 'PreToolUse',
  at: i,
  toolName: 'Bash',
  toolUseId: `t${i}`,
  notificationType: null,
  raw: JSON.stringify({ i, pad: 'x'.repeat(500) }),
  rawSize: 520,
})

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('background checkpoints', () => {
  it('copy the WAL into the database file off the event loop', async () => {
    const path = dbPath()
    const store = open({ path, checkpointIntervalMs: 50 })
    const before = statSync(path).size
    for (let i = 0; i < 3000; i++) store.events.append(anEvent(i))
    store.flush()
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000)
    // the main connection never checkpoints (wal_autocheckpoint = 0): only the worker grows the file
    await until(() => statSync(path).size > before + 1_000_000)
    expect(store.events.count()).toBe(3000)
    await store.stopCheckpoints()
  })

  it('close leaves no WAL behind and the data intact', async () => {
    const path = dbPath()
    const store = open({ path, checkpointIntervalMs: 10_000 })
    for (let i = 0; i < 500; i++) store.events.append(anEvent(i))
    store.close()
    expect(statSync(path).size).toBeGreaterThan(250_000)
    expect(open({ path, checkpointIntervalMs: 0 }).events.count()).toBe(500)
  })
})

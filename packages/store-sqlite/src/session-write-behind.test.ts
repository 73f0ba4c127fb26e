import { aSession } from '@claude-sessions/core/testing'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { useTempStores } from './test-support.js'

const { open, dbPath } = useTempStores()

const stateOnDisk = (path: string, id: string): string | undefined => {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('select state from sessions where id = ?').get(id) as { state: string } | undefined)?.state
  } finally {
    db.close()
  }
}
const nextTurn = () => new Promise((r) => setImmediate(r))

describe('session updates written behind', () => {
  it('an update is read back at once, and on disk after the turn, in one write', async () => {
    const path = dbPath()
    const store = open({ path })
    const s = aSession()
    store.sessions.insert(s, 'h')
    for (const state of ['working', 'idle', 'working'] as const) store.sessions.update({ ...s, state })
    expect(store.sessions.get(s.id)?.state).toBe('working')
    expect(stateOnDisk(path, s.id)).toBe('starting')
    await nextTurn()
    expect(stateOnDisk(path, s.id)).toBe('working')
  })

  it('lists and lookups by Claude id see pending updates', () => {
    const store = open({ path: dbPath() })
    const s = aSession()
    store.sessions.insert(s, null)
    store.sessions.update({ ...s, claudeSessionId: 'c-9', state: 'stopped', stoppedAt: 5 })
    expect(store.sessions.findByClaudeSessionId('c-9')?.id).toBe(s.id)
    expect(store.sessions.list()).toEqual([])
    expect(store.sessions.list({ includeStopped: true })[0]?.state).toBe('stopped')
  })

  it('close writes pending updates', () => {
    const path = dbPath()
    const store = open({ path })
    const s = aSession()
    store.sessions.insert(s, null)
    store.sessions.update({ ...s, state: 'idle' })
    store.close()
    expect(stateOnDisk(path, s.id)).toBe('idle')
    const reopened = open({ path })
    expect(reopened.sessions.get(s.id)?.state).toBe('idle')
  })

  it('a rename or a revival that could clash is checked at once', () => {
    const store = open({ path: dbPath() })
    store.sessions.insert(aSession({ id: '00000001', name: 'taken' }), null)
    const stopped = aSession({ id: '00000002', name: 'taken', state: 'stopped', stoppedAt: 1 })
    store.sessions.insert(stopped, null)
    store.sessions.update({ ...stopped, lastTool: 'Bash' }) // still stopped: written behind
    expect(() => store.sessions.update({ ...stopped, state: 'idle', stoppedAt: null })).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    )
    expect(store.sessions.get('00000002')).toMatchObject({ state: 'stopped', lastTool: 'Bash' })
  })

  it('unknown sessions still fail to update', () => {
    const store = open({ path: dbPath() })
    expect(() => store.sessions.update(aSession({ id: '0000000f' }))).toThrow(expect.objectContaining({ code: 'session_not_found' }))
  })
})

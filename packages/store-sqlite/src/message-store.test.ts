import { aNewMessage, aNewWatch, aSession, messageStoreContract, watchStoreContract } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { onDisk, useTempStores } from './test-support.js'

const { open: openStore, dbPath } = useTempStores()

// No checkpoint worker: it can outlive `close` and race the temp dir's removal (ENOTEMPTY).
const open = (options: Parameters<typeof openStore>[0]) => openStore({ checkpointIntervalMs: 0, ...options })

messageStoreContract('SQLite messages', () => open({ path: dbPath() }).messages)
watchStoreContract('SQLite watches', () => open({ path: dbPath() }).watches)
messageStoreContract('SQLite messages, in memory', () => open({ path: ':memory:' }).messages)
watchStoreContract('SQLite watches, in memory', () => open({ path: ':memory:' }).watches)

describe('SQLite messages and watches', () => {
  it('keeps queued messages and active watches across close and reopen, and keeps counting ids up', () => {
    const path = dbPath()
    const first = open({ path })
    const a = first.messages.insert(aNewMessage({ text: 'first ✓', mode: 'important' }))
    const b = first.messages.insert(aNewMessage({ recipientId: 'bbbbbbbb', senderId: null, senderName: null, text: 'x'.repeat(100_000) }))
    const c = first.messages.insert(aNewMessage({ text: 'third' }))
    first.messages.markDelivered(c.id, 'stop_hook', 5)
    const w1 = first.watches.insert(aNewWatch())
    const w2 = first.watches.insert(aNewWatch({ targetId: 'bbbbbbbb' }))
    first.watches.fire(w2.id, 'completed', 6)
    first.close()

    const second = open({ path })
    expect(second.messages.queued('a1b2c3d4')).toEqual([a])
    expect(second.messages.queued('bbbbbbbb')).toEqual([b])
    expect(second.messages.get(c.id)).toEqual({ ...c, status: 'delivered', via: 'stop_hook', deliveredAt: 5 })
    expect([...second.messages.recipientsWithQueued()].sort()).toEqual(['a1b2c3d4', 'bbbbbbbb'])
    expect(second.watches.active()).toEqual([w1])
    expect(second.messages.markDelivered(c.id, 'typed', 7)).toBe(false)
    expect(second.watches.fire(w2.id, 'timeout', 7)).toBe(false)
    expect(second.messages.insert(aNewMessage()).id).toBeGreaterThan(c.id)
    expect(second.watches.insert(aNewWatch()).id).toBeGreaterThan(w2.id)
  })

  it('has a message, and its settling, in the file before the call returns', () => {
    const path = dbPath()
    const store = open({ path })
    const m = store.messages.insert(aNewMessage({ text: 'durable ✓' }))
    // no await: nothing could have been written on a later turn of the event loop
    expect(onDisk(path, 'SELECT id, recipient_id, text, status FROM messages')).toEqual([
      { id: m.id, recipient_id: 'a1b2c3d4', text: 'durable ✓', status: 'queued' },
    ])
    expect(store.messages.markFailed(m.id, 'no input line', 9)).toBe(true)
    expect(onDisk(path, 'SELECT status, error, delivered_at, via FROM messages WHERE id = ?', m.id)).toEqual([
      { status: 'failed', error: 'no input line', delivered_at: 9, via: null },
    ])
  })

  it('has a watch, and its firing, in the file before the call returns', () => {
    const path = dbPath()
    const store = open({ path })
    const w = store.watches.insert(aNewWatch({ quietMs: 1500 }))
    expect(onDisk(path, 'SELECT id, target_id, quiet_ms, outcome, fired_at FROM watches')).toEqual([
      { id: w.id, target_id: 'a1b2c3d4', quiet_ms: 1500, outcome: null, fired_at: null },
    ])
    expect(store.watches.fire(w.id, 'timeout', 42)).toBe(true)
    expect(onDisk(path, 'SELECT outcome, fired_at FROM watches')).toEqual([{ outcome: 'timeout', fired_at: 42 }])
  })

  it('sees written-behind session updates and messages side by side, both after a reopen', () => {
    const path = dbPath()
    const first = open({ path })
    const m = first.messages.insert(aNewMessage())
    const s = aSession({ spawnPrompt: 'do it ✓' })
    first.sessions.insert(s, null)
    first.sessions.update({ ...s, currentTask: 'task ✓', state: 'working' })
    first.close()
    const second = open({ path })
    expect(second.sessions.get('a1b2c3d4')).toMatchObject({ spawnPrompt: 'do it ✓', currentTask: 'task ✓', state: 'working' })
    expect(second.messages.queued('a1b2c3d4')).toEqual([m])
  })

  it('delivers a message once even when two connections race to mark it', () => {
    const path = dbPath()
    const one = open({ path })
    const two = open({ path })
    const m = one.messages.insert(aNewMessage())
    expect(two.messages.markDelivered(m.id, 'typed', 1)).toBe(true)
    expect(one.messages.markDelivered(m.id, 'stop_hook', 2)).toBe(false)
    expect(one.messages.markFailed(m.id, 'late', 3)).toBe(false)
    expect(one.messages.get(m.id)).toMatchObject({ status: 'delivered', via: 'typed', deliveredAt: 1, error: null })
  })

  it('reads queues and active watches through their partial indexes, in id order', () => {
    const path = dbPath()
    open({ path }).messages.insert(aNewMessage())
    const plan = (query: string) =>
      onDisk<{ detail: string }>(path, `EXPLAIN QUERY PLAN ${query}`)
        .map((r) => r.detail)
        .join('; ')
    // the queue reads name their index; the active watches find theirs
    const queued = `SELECT * FROM messages INDEXED BY messages_queued_idx WHERE recipient_id = 'x' AND status = 'queued' ORDER BY id`
    expect(plan(queued)).toMatch(/USING INDEX messages_queued_idx/)
    expect(plan(queued)).not.toContain('TEMP B-TREE')
    expect(plan(`select * from "watches" where "watches"."outcome" IS NULL order by "watches"."id" asc`)).toMatch(
      /INDEX watches_active_idx/,
    )
  })
})

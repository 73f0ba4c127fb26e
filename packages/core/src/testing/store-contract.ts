import { describe, expect, it } from 'vitest'
import type { EventStore, SessionStore } from '../ports/session-store.js'
import type { NewStoredEvent } from '../events/stored-event.js'
import { aSession } from './builders.js'

export interface StorePair {
  sessions: SessionStore
  events: EventStore
}

const anEvent = (overrides: Partial<NewStoredEvent> = {}): NewStoredEvent => ({
  sessionId: 'a1b2c3d4',
  claudeSessionId: 'c-1',
  event: 'PreToolUse',
  at: 1_700_000_000_500,
  toolName: 'Bash',
  toolUseId: 'toolu_1',
  notificationType: null,
  raw: '{"session_id":"c-1"}',
  rawSize: 20,
  ...overrides,
})

/** The behaviour every SessionStore/EventStore pair must have. */
export function storeContract(label: string, make: () => StorePair | Promise<StorePair>): void {
  describe(`${label} (store contract)`, () => {
    it('inserts and reads a session back unchanged', async () => {
      const { sessions } = await make()
      const s = aSession({ name: 'alpha', lastMessage: 'héllo ✓', backgroundTasks: 2, parentId: 'ffffffff' })
      sessions.insert(s, 'hash-1')
      expect(sessions.get(s.id)).toEqual(s)
      expect(sessions.tokenHash(s.id)).toBe('hash-1')
      expect(sessions.get('00000000')).toBeUndefined()
      expect(sessions.tokenHash('00000000')).toBeNull()
    })

    it("keeps a session's policy profile through insert and update", async () => {
      const { sessions } = await make()
      const s = aSession({ policy: 'strict' })
      sessions.insert(s, null)
      expect(sessions.get(s.id)?.policy).toBe('strict')
      expect(sessions.list()[0]?.policy).toBe('strict')
      sessions.update({ ...s, policy: 'lenient' })
      expect(sessions.get(s.id)?.policy).toBe('lenient')
      expect(sessions.list()[0]?.policy).toBe('lenient')
      sessions.update({ ...s, policy: null })
      expect(sessions.get(s.id)?.policy).toBeNull()
      expect(sessions.list()[0]?.policy).toBeNull()
    })

    it("keeps a session's spawn prompt and current task through insert, update and list", async () => {
      const { sessions } = await make()
      const prompt = 'fix the tests; rm -rf $(x) `y` \'"\n✓ 日本語 🚀\n' + 'p'.repeat(20_000)
      const s = aSession({ spawnPrompt: prompt, currentTask: 'reading ✓' })
      sessions.insert(s, null)
      expect(sessions.get(s.id)).toEqual(s)
      expect(sessions.list()[0]).toEqual(s)
      sessions.update({ ...s, state: 'working', currentTask: 'writing "tests"\n' })
      expect(sessions.get(s.id)).toMatchObject({ spawnPrompt: prompt, currentTask: 'writing "tests"\n' })
      expect(sessions.list()[0]).toMatchObject({ spawnPrompt: prompt, currentTask: 'writing "tests"\n' })
      sessions.update({ ...s, name: 'renamed', currentTask: null })
      expect(sessions.get(s.id)).toMatchObject({ name: 'renamed', spawnPrompt: prompt, currentTask: null })
      expect(sessions.list()[0]?.currentTask).toBeNull()
      const plain = aSession({ id: '0000000e', createdAt: s.createdAt + 1 })
      sessions.insert(plain, null)
      expect(sessions.get(plain.id)).toMatchObject({ spawnPrompt: null, currentTask: null })
      expect(sessions.list()[1]).toEqual(plain)
    })

    it('lists live sessions by creation time, stopped ones only when asked', async () => {
      const { sessions } = await make()
      sessions.insert(aSession({ id: '00000002', createdAt: 2 }), null)
      sessions.insert(aSession({ id: '00000001', createdAt: 1 }), null)
      sessions.insert(aSession({ id: '00000003', createdAt: 3, state: 'stopped', stoppedAt: 4 }), null)
      expect(sessions.list().map((s) => s.id)).toEqual(['00000001', '00000002'])
      expect(sessions.list({ includeStopped: true }).map((s) => s.id)).toEqual(['00000001', '00000002', '00000003'])
    })

    it('updates a session', async () => {
      const { sessions } = await make()
      const s = aSession()
      sessions.insert(s, null)
      const next = { ...s, state: 'working' as const, lastTool: 'Bash', claudeSessionId: 'c-2' }
      sessions.update(next)
      expect(sessions.get(s.id)).toEqual(next)
      expect(sessions.findByClaudeSessionId('c-2')?.id).toBe(s.id)
    })

    it('refuses a name a live session holds, allows one a stopped session held', async () => {
      const { sessions } = await make()
      sessions.insert(aSession({ id: '00000001', name: 'dup' }), null)
      expect(() => sessions.insert(aSession({ id: '00000002', name: 'dup' }), null)).toThrow(
        expect.objectContaining({ code: 'name_taken' }),
      )
      const other = aSession({ id: '00000003', name: 'other' })
      sessions.insert(other, null)
      expect(() => sessions.update({ ...other, name: 'dup' })).toThrow(expect.objectContaining({ code: 'name_taken' }))
      expect(sessions.get('00000003')?.name).toBe('other')
      sessions.update({ ...aSession({ id: '00000001', name: 'dup' }), state: 'stopped', stoppedAt: 5 })
      sessions.insert(aSession({ id: '00000004', name: 'dup' }), null)
      expect(sessions.get('00000004')?.name).toBe('dup')
    })

    it('fails to update an unknown session', async () => {
      const { sessions } = await make()
      expect(() => sessions.update(aSession({ id: '0000000f' }))).toThrow(
        expect.objectContaining({ code: 'session_not_found' }),
      )
    })

    it('appends events and lists them oldest first, with limit and afterId', async () => {
      const { events } = await make()
      for (let i = 0; i < 5; i++) events.append(anEvent({ at: 1000 + i, toolUseId: `t${i}` }))
      events.append(anEvent({ sessionId: 'ffffffff' }))
      const all = events.list('a1b2c3d4')
      expect(all.map((e) => e.toolUseId)).toEqual(['t0', 't1', 't2', 't3', 't4'])
      expect(all[0]).toMatchObject({ event: 'PreToolUse', claudeSessionId: 'c-1', raw: '{"session_id":"c-1"}', rawSize: 20 })
      expect(events.list('a1b2c3d4', { limit: 2 }).map((e) => e.toolUseId)).toEqual(['t3', 't4'])
      expect(events.list('a1b2c3d4', { afterId: all[2]!.id }).map((e) => e.toolUseId)).toEqual(['t3', 't4'])
      expect(events.count()).toBe(6)
    })

    it('records an event with a dedupe key once', async () => {
      const { events } = await make()
      events.append(anEvent({ dedupeKey: 'spool-1' }))
      events.append(anEvent({ dedupeKey: 'spool-1' }))
      events.append(anEvent({ dedupeKey: null }))
      events.append(anEvent({ dedupeKey: null }))
      expect(events.count()).toBe(3)
      expect(events.hasDedupeKey('spool-1')).toBe(true)
      expect(events.hasDedupeKey('spool-2')).toBe(false)
    })
  })
}

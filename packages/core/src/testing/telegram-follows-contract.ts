import { describe, expect, it } from 'vitest'
import type { TelegramFollowStore, TelegramHeldStore } from '../ports/telegram-store.js'
import { T0, CHAT, aHeldNotification } from './telegram-builders.js'

/** The behaviour every TelegramFollowStore must have. */
export function telegramFollowsContract(label: string, make: () => TelegramFollowStore | Promise<TelegramFollowStore>): void {
  describe(`${label} (telegram follows contract)`, () => {
    it('adds a follow once; adding it again changes nothing', async () => {
      const store = await make()
      expect(store.followers('a1b2c3d4')).toEqual([])
      expect(store.following(424242)).toEqual([])
      expect(store.add(424242, 'a1b2c3d4', T0)).toBe(true)
      expect(store.add(424242, 'a1b2c3d4', T0 + 5)).toBe(false)
      expect(store.followers('a1b2c3d4')).toEqual([424242])
      expect(store.following(424242)).toEqual(['a1b2c3d4'])
      expect(store.followers('A1B2C3D4')).toEqual([])
    })

    it('lists followers and followed sessions oldest first, equal times in the order added', async () => {
      const store = await make()
      store.add(3, 's1', T0 + 20)
      store.add(1, 's1', T0 + 10)
      store.add(Number.MAX_SAFE_INTEGER, 's1', T0 + 10)
      store.add(CHAT, 's1', T0)
      store.add(1, 's3', T0 + 30)
      store.add(1, 's2', T0)
      store.add(1, 's0', T0 + 30)
      // the first add's time stays: a second add does not move it
      store.add(CHAT, 's1', T0 + 99)
      expect(store.followers('s1')).toEqual([CHAT, 1, Number.MAX_SAFE_INTEGER, 3])
      expect(store.following(1)).toEqual(['s2', 's1', 's3', 's0'])
      expect(store.following(CHAT)).toEqual(['s1'])
    })

    it('removes one follow; following again counts from the new time', async () => {
      const store = await make()
      store.add(1, 's1', T0)
      store.add(2, 's1', T0 + 1)
      store.add(1, 's2', T0 + 2)
      expect(store.remove(1, 's1')).toBe(true)
      expect(store.remove(1, 's1')).toBe(false)
      expect(store.remove(9, 's2')).toBe(false)
      expect(store.followers('s1')).toEqual([2])
      expect(store.following(1)).toEqual(['s2'])
      expect(store.add(1, 's1', T0 + 3)).toBe(true)
      expect(store.followers('s1')).toEqual([2, 1])
      expect(store.following(1)).toEqual(['s2', 's1'])
    })

    it("removes every follow of a session, and only that session's", async () => {
      const store = await make()
      store.add(1, 's1', T0)
      store.add(2, 's1', T0)
      store.add(1, 's2', T0)
      expect(store.removeSession('s1')).toBe(2)
      expect(store.removeSession('s1')).toBe(0)
      expect(store.removeSession('nobody')).toBe(0)
      expect(store.followers('s1')).toEqual([])
      expect(store.following(1)).toEqual(['s2'])
      expect(store.following(2)).toEqual([])
      expect(store.add(2, 's1', T0 + 1)).toBe(true)
    })

    it('hands out copies', async () => {
      const store = await make()
      store.add(1, 's1', T0)
      store.followers('s1').push(2)
      store.following(1).push('s2')
      expect(store.followers('s1')).toEqual([1])
      expect(store.following(1)).toEqual(['s1'])
    })
  })
}

/** The behaviour every TelegramHeldStore must have. */
export function telegramHeldContract(label: string, make: () => TelegramHeldStore | Promise<TelegramHeldStore>): void {
  describe(`${label} (telegram held notifications contract)`, () => {
    it('stores each notification as written, with an id; ids increase', async () => {
      const store = await make()
      expect(store.list()).toEqual([])
      const a = store.add(aHeldNotification())
      const b = store.add(aHeldNotification({ kind: 'error', summary: 'Error: x', createdAt: T0 + 5 }))
      expect(b).toBeGreaterThan(a)
      expect(store.list()).toEqual([
        { ...aHeldNotification(), id: a },
        { ...aHeldNotification({ kind: 'error', summary: 'Error: x', createdAt: T0 + 5 }), id: b },
      ])
    })

    it('keeps every field as written: no name, several pieces, long and odd text', async () => {
      const store = await make()
      const n = aHeldNotification({
        sessionId: 'c-0f3b9c2e-external',
        session: { id: 'c-0f3b9c2e-external', name: null, workingDir: '/tmp/ñame "quoted" \\ ✓' },
        kind: 'flagged',
        summary: 'Flagged:\n  rm -rf $(x) \'; DROP TABLE x; --',
        messages: [
          { text: 'x'.repeat(5000), html: '<i>' + 'x'.repeat(5000) + '</i>' },
          { text: '', html: '' },
          { text: '👍 "a" < b', html: '👍 &quot;a&quot; &lt; b' },
        ],
        createdAt: Number.MAX_SAFE_INTEGER,
      })
      const id = store.add(n)
      expect(store.list()).toEqual([{ ...n, id }])
    })

    it('ignores an id given to add', async () => {
      const store = await make()
      const a = store.add(aHeldNotification())
      const b = store.add(aHeldNotification({ id: a }))
      expect(b).not.toBe(a)
      expect(store.list().map((n) => n.id)).toEqual([a, b])
    })

    it('lists oldest first: in the order added, sessions mixed', async () => {
      const store = await make()
      const ids = [
        store.add(aHeldNotification({ sessionId: 's2', summary: 'one' })),
        store.add(aHeldNotification({ sessionId: 's1', summary: 'two' })),
        store.add(aHeldNotification({ sessionId: 's2', summary: 'three' })),
      ]
      expect(store.list().map((n) => [n.id, n.sessionId, n.summary])).toEqual([
        [ids[0], 's2', 'one'],
        [ids[1], 's1', 'two'],
        [ids[2], 's2', 'three'],
      ])
    })

    it("removes a session's notifications, and only that session's; ids are not reused", async () => {
      const store = await make()
      const a = store.add(aHeldNotification({ sessionId: 's1' }))
      store.add(aHeldNotification({ sessionId: 's2' }))
      const c = store.add(aHeldNotification({ sessionId: 's1' }))
      expect(store.removeSession('s2')).toBe(1)
      expect(store.removeSession('s2')).toBe(0)
      expect(store.removeSession('S1')).toBe(0)
      expect(store.removeSession('nobody')).toBe(0)
      expect(store.list().map((n) => n.id)).toEqual([a, c])
      expect(store.removeSession('s1')).toBe(2)
      expect(store.list()).toEqual([])
      expect(store.add(aHeldNotification({ sessionId: 's1' }))).toBeGreaterThan(c)
    })

    it('hands out copies', async () => {
      const store = await make()
      const n = aHeldNotification()
      store.add(n)
      n.summary = 'changed'
      n.session.name = 'changed'
      n.messages[0]!.text = 'changed'
      n.messages.push({ text: 'more', html: 'more' })
      const listed = store.list()[0]!
      listed.summary = 'changed too'
      listed.session.workingDir = '/changed'
      listed.messages[0]!.html = 'changed'
      expect(store.list()).toEqual([{ ...aHeldNotification(), id: listed.id }])
    })
  })
}

import { describe, expect, it } from 'vitest'
import type { TelegramMessageKeys, TelegramOperation, TelegramOutbox } from '../ports/telegram-store.js'
import { T0, CHAT, aSendOperation, aNewOutboxEntry } from './telegram-builders.js'

/** The behaviour every TelegramOutbox must have. */
export function telegramOutboxContract(label: string, make: () => TelegramOutbox | Promise<TelegramOutbox>): void {
  describe(`${label} (telegram outbox contract)`, () => {
    it('stores each operation pending, due at creation unless told otherwise; ids increase', async () => {
      const store = await make()
      const a = store.enqueue(aNewOutboxEntry())
      expect(a).toEqual({
        id: a.id,
        lane: `topic:${CHAT}:a1b2c3d4`,
        operation: aSendOperation(),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        lastError: null,
        createdAt: T0,
        updatedAt: T0,
      })
      const b = store.enqueue(aNewOutboxEntry({ nextAttemptAt: T0 + 50 }))
      expect(b.id).toBeGreaterThan(a.id)
      expect(b.nextAttemptAt).toBe(T0 + 50)
      expect(store.get(a.id)).toEqual(a)
      expect(store.get(b.id + 100)).toBeUndefined()
    })

    it('keeps every kind of operation as written', async () => {
      const store = await make()
      const ops: TelegramOperation[] = [
        { kind: 'create_topic', chatId: CHAT, sessionId: 'c-0f3b9c2e-external' },
        { kind: 'edit_topic', chatId: CHAT, sessionId: 's', name: 'ñame; rm -rf $(x) ✓ [s]' },
        { kind: 'close_topic', chatId: CHAT, sessionId: 's', mode: 'delete' },
        { kind: 'send_message', chatId: 5, threadId: 9, text: 'x'.repeat(5000), replyToMessageId: 3 },
        { kind: 'edit_message', chatId: CHAT, messageId: 12, text: 'a < b', html: 'a &lt; b' },
        {
          kind: 'send_message',
          chatId: CHAT,
          sessionId: 's',
          text: 'allow?',
          buttons: [[{ text: 'Allow ✓', data: 'perm:s:allow' }, { text: 'Deny', data: 'perm:s:deny' }], [{ text: '"quoted" \\ ', data: 'q:"x" ✓' }]],
          key: 'perm:s:1',
          pin: true,
        },
        { kind: 'edit_message', chatId: CHAT, key: 'perm:s:1', text: 'allowed', html: '<b>allowed</b>', buttons: null },
        { kind: 'edit_message', chatId: CHAT, key: 'card:s', text: 'card', buttons: [[{ text: 'Stop', data: 'stop:s' }]] },
        { kind: 'react', chatId: CHAT, messageId: Number.MAX_SAFE_INTEGER, emoji: '👍' },
      ]
      const stored = ops.map((operation, i) => store.enqueue(aNewOutboxEntry({ lane: `l${i}`, operation })))
      expect(stored.map((e) => store.get(e.id)?.operation)).toEqual(ops)
    })

    it('runs only lane heads: the oldest open entry of each lane, when pending and due', async () => {
      const store = await make()
      const a1 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const b1 = store.enqueue(aNewOutboxEntry({ lane: 'b', nextAttemptAt: T0 + 100 }))
      const a2 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const c1 = store.enqueue(aNewOutboxEntry({ lane: 'c' }))
      expect(store.due(T0).map((e) => e.id)).toEqual([a1.id, c1.id])
      expect(store.due(T0 + 100).map((e) => e.id)).toEqual([a1.id, b1.id, c1.id])
      expect(store.due(T0 + 100, 2).map((e) => e.id)).toEqual([a1.id, b1.id])
      expect(store.nextDueAt()).toBe(T0)
      // an attempt in flight holds its lane
      expect(store.startAttempt(a1.id, T0 + 1)).toMatchObject({ status: 'sending', attempts: 1, updatedAt: T0 + 1 })
      expect(store.due(T0 + 100).map((e) => e.id)).toEqual([b1.id, c1.id])
      expect(store.complete(a1.id, T0 + 2)).toBe(true)
      expect(store.due(T0 + 100).map((e) => e.id)).toEqual([b1.id, a2.id, c1.id])
      store.startAttempt(c1.id, T0 + 3)
      store.fail(c1.id, 'bad request', T0 + 4)
      store.startAttempt(a2.id, T0 + 5)
      expect(store.nextDueAt()).toBe(T0 + 100)
      store.complete(a2.id, T0 + 6)
      store.startAttempt(b1.id, T0 + 7)
      expect(store.nextDueAt()).toBeNull()
      expect(store.due(T0 + 1000)).toEqual([])
    })

    it('a retry puts the entry back in its place, due later, keeping the lane behind it', async () => {
      const store = await make()
      const a1 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const a2 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      store.startAttempt(a1.id, T0)
      expect(store.retryAt(a1.id, T0 + 5_000, '429: retry after 5', T0 + 1)).toBe(true)
      expect(store.get(a1.id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 5_000, lastError: '429: retry after 5' })
      expect(store.due(T0 + 4_999)).toEqual([])
      expect(store.nextDueAt()).toBe(T0 + 5_000)
      expect(store.due(T0 + 5_000).map((e) => e.id)).toEqual([a1.id])
      expect(store.retryAt(a1.id, T0, 'not sending', T0)).toBe(false)
      store.startAttempt(a1.id, T0 + 5_000)
      expect(store.get(a1.id)?.attempts).toBe(2)
      store.complete(a1.id, T0 + 5_001)
      expect(store.due(T0 + 5_001).map((e) => e.id)).toEqual([a2.id])
    })

    it('settles an entry once', async () => {
      const store = await make()
      const a = store.enqueue(aNewOutboxEntry())
      const b = store.enqueue(aNewOutboxEntry({ lane: 'b' }))
      expect(store.complete(a.id, T0 + 1)).toBe(true)
      expect(store.complete(a.id, T0 + 2)).toBe(false)
      expect(store.fail(a.id, 'late', T0 + 2)).toBe(false)
      expect(store.startAttempt(a.id, T0 + 2)).toBeUndefined()
      expect(store.get(a.id)).toMatchObject({ status: 'done', updatedAt: T0 + 1, lastError: null })
      expect(store.fail(b.id, 'message thread not found', T0 + 3)).toBe(true)
      expect(store.complete(b.id, T0 + 4)).toBe(false)
      expect(store.get(b.id)).toMatchObject({ status: 'failed', lastError: 'message thread not found', updatedAt: T0 + 3 })
      expect(store.complete(b.id + 100, T0)).toBe(false)
      expect(store.startAttempt(b.id + 100, T0)).toBeUndefined()
    })

    it('after a restart, entries left sending are pending again and due at once', async () => {
      const store = await make()
      const a = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const b = store.enqueue(aNewOutboxEntry({ lane: 'b' }))
      store.enqueue(aNewOutboxEntry({ lane: 'c' }))
      store.startAttempt(a.id, T0)
      store.startAttempt(b.id, T0)
      store.complete(b.id, T0 + 1)
      const requeued = store.requeueInterrupted(T0 + 10)
      expect(requeued.map((e) => e.id)).toEqual([a.id])
      expect(requeued[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 10 })
      expect(store.requeueInterrupted(T0 + 20)).toEqual([])
    })

    it('lists entries oldest first by lane and status; limit keeps the newest; prunes settled ones', async () => {
      const store = await make()
      const a1 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const b1 = store.enqueue(aNewOutboxEntry({ lane: 'b' }))
      const a2 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      const a3 = store.enqueue(aNewOutboxEntry({ lane: 'a' }))
      store.complete(a1.id, T0 + 1)
      store.fail(b1.id, 'x', T0 + 5)
      const ids = (f?: Parameters<TelegramOutbox['list']>[0]) => store.list(f).map((e) => e.id)
      expect(ids()).toEqual([a1.id, b1.id, a2.id, a3.id])
      expect(ids({ lane: 'a' })).toEqual([a1.id, a2.id, a3.id])
      expect(ids({ status: 'pending' })).toEqual([a2.id, a3.id])
      expect(ids({ lane: 'a', status: 'done' })).toEqual([a1.id])
      expect(ids({ limit: 2 })).toEqual([a2.id, a3.id])
      expect(store.pruneSettled(T0 + 2)).toBe(1)
      expect(ids()).toEqual([b1.id, a2.id, a3.id])
      expect(store.pruneSettled(T0 + 100)).toBe(1)
      expect(ids()).toEqual([a2.id, a3.id])
    })

    it('hands out copies', async () => {
      const store = await make()
      const a = store.enqueue(aNewOutboxEntry())
      a.status = 'done'
      ;(a.operation as { text: string }).text = 'changed'
      ;(store.get(a.id)!.operation as { text: string }).text = 'changed too'
      store.list()[0]!.attempts = 9
      expect(store.get(a.id)).toMatchObject({ status: 'pending', attempts: 0, operation: aSendOperation() })
      const buttons = [[{ text: 'Yes', data: 'y' }]]
      const b = store.enqueue(aNewOutboxEntry({ operation: aSendOperation({ buttons }) }))
      buttons[0]![0]!.text = 'changed'
      ;(store.get(b.id)!.operation as { buttons: typeof buttons }).buttons[0]![0]!.data = 'changed'
      expect(store.get(b.id)?.operation).toEqual(aSendOperation({ buttons: [[{ text: 'Yes', data: 'y' }]] }))
    })
  })
}

/** The behaviour every TelegramMessageKeys must have. */
export function telegramMessageKeysContract(label: string, make: () => TelegramMessageKeys | Promise<TelegramMessageKeys>): void {
  describe(`${label} (telegram message keys contract)`, () => {
    it('records a message under a key; a second set replaces it', async () => {
      const store = await make()
      expect(store.get('perm:a1b2c3d4:1')).toBeUndefined()
      store.set('perm:a1b2c3d4:1', { chatId: CHAT, messageId: 41 }, T0)
      store.set('card ✓ "x"', { chatId: 5, messageId: Number.MAX_SAFE_INTEGER }, T0)
      expect(store.get('perm:a1b2c3d4:1')).toEqual({ chatId: CHAT, messageId: 41 })
      expect(store.get('card ✓ "x"')).toEqual({ chatId: 5, messageId: Number.MAX_SAFE_INTEGER })
      store.set('perm:a1b2c3d4:1', { chatId: CHAT, messageId: 42 }, T0 + 1)
      expect(store.get('perm:a1b2c3d4:1')).toEqual({ chatId: CHAT, messageId: 42 })
      expect(store.get('PERM:a1b2c3d4:1')).toBeUndefined()
    })

    it('prunes keys set before a time; setting again renews a key', async () => {
      const store = await make()
      store.set('old', { chatId: CHAT, messageId: 1 }, T0)
      store.set('renewed', { chatId: CHAT, messageId: 2 }, T0)
      store.set('fresh', { chatId: CHAT, messageId: 3 }, T0 + 100)
      store.set('renewed', { chatId: CHAT, messageId: 4 }, T0 + 100)
      expect(store.prune(T0 + 100)).toBe(1)
      expect(store.get('old')).toBeUndefined()
      expect(store.get('renewed')).toEqual({ chatId: CHAT, messageId: 4 })
      expect(store.prune(T0 + 100)).toBe(0)
      expect(store.prune(T0 + 101)).toBe(2)
      expect(store.get('fresh')).toBeUndefined()
    })

    it('take removes a key and returns what it held, once', async () => {
      const store = await make()
      store.set('delivered:17', { chatId: CHAT, messageId: 88 }, T0)
      store.set('delivered:18', { chatId: CHAT, messageId: 89 }, T0)
      expect(store.take('delivered:17')).toEqual({ chatId: CHAT, messageId: 88 })
      expect(store.take('delivered:17')).toBeUndefined()
      expect(store.get('delivered:17')).toBeUndefined()
      expect(store.get('delivered:18')).toEqual({ chatId: CHAT, messageId: 89 })
      expect(store.take('never set')).toBeUndefined()
      expect(store.prune(T0 + 1)).toBe(1)
    })

    it('hands out copies', async () => {
      const store = await make()
      const ref = { chatId: CHAT, messageId: 7 }
      store.set('k', ref, T0)
      ref.messageId = 8
      store.get('k')!.messageId = 9
      expect(store.get('k')).toEqual({ chatId: CHAT, messageId: 7 })
    })
  })
}

import { describe, expect, it } from 'vitest'
import { MESSAGE_MAX_CHARS, type DeliveryVia, type Message, type NewMessage } from '../messages/message.js'
import type { MessageStore, NewWatch, WatchOutcome, WatchStore } from '../ports/message-store.js'

export const aNewMessage = (overrides: Partial<NewMessage> = {}): NewMessage => ({
  recipientId: 'a1b2c3d4',
  senderId: 'ffffffff',
  senderName: 'parent',
  text: 'hello',
  mode: 'sequential',
  createdAt: 1_700_000_000_000,
  ...overrides,
})

export const aNewWatch = (overrides: Partial<NewWatch> = {}): NewWatch => ({
  targetId: 'a1b2c3d4',
  watcherId: 'ffffffff',
  quietMs: 3_000,
  deadline: 1_700_000_600_000,
  createdAt: 1_700_000_000_000,
  ...overrides,
})

/** What a freshly inserted message must read back as. */
const queuedAs = (m: NewMessage, id: number): Message => ({
  ...m,
  id,
  status: 'queued',
  deliveredAt: null,
  via: null,
  error: null,
  typingSince: null,
})

/** The behaviour every MessageStore must have. */
export function messageStoreContract(label: string, make: () => MessageStore | Promise<MessageStore>): void {
  describe(`${label} (message store contract)`, () => {
    it('returns each inserted message queued, with an id; ids increase and get reads it back', async () => {
      const store = await make()
      const first = store.insert(aNewMessage())
      expect(first).toEqual(queuedAs(aNewMessage(), first.id))
      expect(Number.isInteger(first.id) && first.id > 0).toBe(true)
      const second = store.insert(aNewMessage({ createdAt: 1 }))
      const third = store.insert(aNewMessage({ recipientId: 'eeeeeeee' }))
      expect(second.id).toBeGreaterThan(first.id)
      expect(third.id).toBeGreaterThan(second.id)
      expect(store.get(first.id)).toEqual(first)
      expect(store.get(third.id)).toEqual(third)
      expect(store.get(third.id + 1000)).toBeUndefined()
    })

    it('keeps every field as written: unicode, shell characters, a 100 000-char text, null sender, each mode', async () => {
      const store = await make()
      const cases: NewMessage[] = [
        aNewMessage({ text: '; rm -rf $(x) `y` \'"\n\t✓ héllo 日本語 🚀', senderName: 'ñame ✓', mode: 'urgent' }),
        aNewMessage({ text: 'x'.repeat(MESSAGE_MAX_CHARS - 1) + '✓', mode: 'important' }),
        aNewMessage({ senderId: null, senderName: null, text: '/compact', createdAt: 0 }),
        aNewMessage({ recipientId: 'c-0f3b9c2e-external', text: '', createdAt: Number.MAX_SAFE_INTEGER }),
      ]
      const inserted = cases.map((m) => store.insert(m))
      inserted.forEach((m, i) => expect(m).toEqual(queuedAs(cases[i]!, m.id)))
      for (const m of inserted) expect(store.get(m.id)).toEqual(m)
      expect(store.get(inserted[1]!.id)!.text).toHaveLength(MESSAGE_MAX_CHARS)
      expect(store.list()).toEqual(inserted)
    })

    it("gives a recipient's queued messages oldest first, nobody else's and none settled", async () => {
      const store = await make()
      expect(store.queued('a1b2c3d4')).toEqual([])
      const a1 = store.insert(aNewMessage({ text: 'a1', createdAt: 30 }))
      store.insert(aNewMessage({ recipientId: 'bbbbbbbb', text: 'b1' }))
      const a2 = store.insert(aNewMessage({ text: 'a2', createdAt: 10, mode: 'important' }))
      const a3 = store.insert(aNewMessage({ text: 'a3', createdAt: 20 }))
      const a4 = store.insert(aNewMessage({ text: 'a4', createdAt: 40 }))
      expect(store.queued('a1b2c3d4')).toEqual([a1, a2, a3, a4])
      expect(store.markDelivered(a2.id, 'tool_hook', 50)).toBe(true)
      expect(store.markFailed(a4.id, 'no input line', 51)).toBe(true)
      expect(store.queued('a1b2c3d4').map((m) => m.text)).toEqual(['a1', 'a3'])
      expect(store.queued('bbbbbbbb').map((m) => m.text)).toEqual(['b1'])
      expect(store.queued('cccccccc')).toEqual([])
    })

    it('marks a queued message delivered once: a second mark returns false and changes nothing', async () => {
      const store = await make()
      const m = store.insert(aNewMessage())
      expect(store.markDelivered(m.id, 'stop_hook', 1_700_000_000_100)).toBe(true)
      const delivered = { ...m, status: 'delivered', via: 'stop_hook', deliveredAt: 1_700_000_000_100 }
      expect(store.get(m.id)).toEqual(delivered)
      expect(store.markDelivered(m.id, 'typed', 1_700_000_000_200)).toBe(false)
      expect(store.markFailed(m.id, 'too late', 1_700_000_000_300)).toBe(false)
      expect(store.get(m.id)).toEqual(delivered)
      expect(store.queued(m.recipientId)).toEqual([])
    })

    it('marks a queued message failed once, its time in deliveredAt; later marks return false and change nothing', async () => {
      const store = await make()
      const m = store.insert(aNewMessage())
      expect(store.markFailed(m.id, 'delivery_failed: no confirmation ✓', 1_700_000_000_100)).toBe(true)
      const failed = { ...m, status: 'failed', error: 'delivery_failed: no confirmation ✓', deliveredAt: 1_700_000_000_100, via: null }
      expect(store.get(m.id)).toEqual(failed)
      expect(store.markFailed(m.id, 'again', 1_700_000_000_200)).toBe(false)
      expect(store.markDelivered(m.id, 'typed', 1_700_000_000_300)).toBe(false)
      expect(store.get(m.id)).toEqual(failed)
      expect(store.queued(m.recipientId)).toEqual([])
    })

    it('records when typing began: still queued, with typingSince; settling clears it; a settled message refuses it', async () => {
      const store = await make()
      const a = store.insert(aNewMessage({ text: 'a' }))
      const b = store.insert(aNewMessage({ text: 'b' }))
      expect(store.markTyping(a.id, 1_700_000_000_050)).toBe(true)
      expect(store.get(a.id)).toEqual({ ...a, typingSince: 1_700_000_000_050 })
      expect(store.queued(a.recipientId)).toEqual([{ ...a, typingSince: 1_700_000_000_050 }, b])
      expect(store.list({ status: 'queued' }).map((m) => m.typingSince)).toEqual([1_700_000_000_050, null])
      // a second attempt moves the time on
      expect(store.markTyping(a.id, 1_700_000_000_060)).toBe(true)
      expect(store.get(a.id)!.typingSince).toBe(1_700_000_000_060)
      expect(store.markDelivered(a.id, 'typed', 1_700_000_000_070)).toBe(true)
      expect(store.get(a.id)).toEqual({ ...a, status: 'delivered', via: 'typed', deliveredAt: 1_700_000_000_070, typingSince: null })
      expect(store.markTyping(a.id, 1_700_000_000_080)).toBe(false)
      expect(store.markTyping(b.id, 5)).toBe(true)
      expect(store.markFailed(b.id, 'gone', 6)).toBe(true)
      expect(store.get(b.id)).toEqual({ ...b, status: 'failed', error: 'gone', deliveredAt: 6, typingSince: null })
      expect(store.markTyping(b.id + 1000, 7)).toBe(false)
    })

    it('refuses to mark a message that does not exist, changing nothing', async () => {
      const store = await make()
      const m = store.insert(aNewMessage())
      expect(store.markDelivered(m.id + 1000, 'typed', 5)).toBe(false)
      expect(store.markFailed(m.id + 1000, 'nope', 5)).toBe(false)
      expect(store.get(m.id + 1000)).toBeUndefined()
      expect(store.list()).toEqual([m])
    })

    it('keeps every delivery route', async () => {
      const store = await make()
      const vias: DeliveryVia[] = ['typed', 'stop_hook', 'tool_hook', 'interrupt']
      const ids = vias.map((via, i) => {
        const m = store.insert(aNewMessage({ text: via }))
        expect(store.markDelivered(m.id, via, 100 + i)).toBe(true)
        return m.id
      })
      expect(ids.map((id) => store.get(id)?.via)).toEqual(vias)
      expect(ids.map((id) => store.get(id)?.deliveredAt)).toEqual([100, 101, 102, 103])
    })

    it('lists recipients with queued messages, each once', async () => {
      const store = await make()
      expect(store.recipientsWithQueued()).toEqual([])
      store.insert(aNewMessage({ recipientId: 'bbbbbbbb' }))
      store.insert(aNewMessage({ recipientId: 'aaaaaaaa' }))
      store.insert(aNewMessage({ recipientId: 'bbbbbbbb' }))
      const c = store.insert(aNewMessage({ recipientId: 'cccccccc' }))
      const d1 = store.insert(aNewMessage({ recipientId: 'dddddddd' }))
      const d2 = store.insert(aNewMessage({ recipientId: 'dddddddd' }))
      expect([...store.recipientsWithQueued()].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd'])
      store.markDelivered(c.id, 'typed', 1)
      store.markFailed(d1.id, 'gone', 1)
      expect([...store.recipientsWithQueued()].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb', 'dddddddd'])
      store.markDelivered(d2.id, 'typed', 2)
      expect([...store.recipientsWithQueued()].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb'])
    })

    it('lists messages oldest first, filtered by recipient, sender and status; limit keeps the newest', async () => {
      const store = await make()
      const r1s1 = store.insert(aNewMessage({ recipientId: 'r1', senderId: 's1', text: '1' }))
      const r2s1 = store.insert(aNewMessage({ recipientId: 'r2', senderId: 's1', text: '2' }))
      const r1op = store.insert(aNewMessage({ recipientId: 'r1', senderId: null, senderName: null, text: '3' }))
      const r1s2 = store.insert(aNewMessage({ recipientId: 'r1', senderId: 's2', text: '4' }))
      const r2s2 = store.insert(aNewMessage({ recipientId: 'r2', senderId: 's2', text: '5' }))
      store.markDelivered(r1s1.id, 'typed', 10)
      store.markFailed(r2s2.id, 'boom', 11)
      const texts = (f?: Parameters<MessageStore['list']>[0]) => store.list(f).map((m) => m.text)
      expect(texts()).toEqual(['1', '2', '3', '4', '5'])
      expect(texts({})).toEqual(['1', '2', '3', '4', '5'])
      expect(texts({ recipientId: 'r1' })).toEqual(['1', '3', '4'])
      expect(texts({ senderId: 's1' })).toEqual(['1', '2'])
      expect(texts({ senderId: 's2' })).toEqual(['4', '5'])
      expect(texts({ status: 'queued' })).toEqual(['2', '3', '4'])
      expect(texts({ status: 'delivered' })).toEqual(['1'])
      expect(texts({ status: 'failed' })).toEqual(['5'])
      expect(texts({ recipientId: 'r1', status: 'queued' })).toEqual(['3', '4'])
      expect(texts({ recipientId: 'r2', senderId: 's2' })).toEqual(['5'])
      expect(texts({ recipientId: 'r1', senderId: 's1', status: 'queued' })).toEqual([])
      expect(texts({ recipientId: 'nobody' })).toEqual([])
      expect(texts({ limit: 2 })).toEqual(['4', '5'])
      expect(texts({ limit: 1 })).toEqual(['5'])
      expect(texts({ limit: 50 })).toEqual(['1', '2', '3', '4', '5'])
      expect(texts({ recipientId: 'r1', limit: 2 })).toEqual(['3', '4'])
      expect(texts({ status: 'queued', limit: 2 })).toEqual(['3', '4'])
      expect(texts({ senderId: 's1', status: 'queued', limit: 5 })).toEqual(['2'])
      expect(store.list({ recipientId: 'r1' })).toEqual([
        { ...r1s1, status: 'delivered', via: 'typed', deliveredAt: 10 },
        r1op,
        r1s2,
      ])
      expect(store.list({ senderId: 's1' })[1]).toEqual(r2s1)
    })

    it('hands out copies: changing a returned message changes nothing stored', async () => {
      const store = await make()
      const m = store.insert(aNewMessage())
      m.text = 'changed'
      m.status = 'delivered'
      store.get(m.id)!.text = 'changed too'
      store.list()[0]!.status = 'failed'
      store.queued(m.recipientId)[0]!.mode = 'urgent'
      expect(store.get(m.id)).toEqual(queuedAs(aNewMessage(), m.id))
    })
  })
}

/** The behaviour every WatchStore must have. */
export function watchStoreContract(label: string, make: () => WatchStore | Promise<WatchStore>): void {
  describe(`${label} (watch store contract)`, () => {
    it('returns each inserted watch unfired, with an id; ids increase', async () => {
      const store = await make()
      expect(store.active()).toEqual([])
      const first = store.insert(aNewWatch())
      expect(first).toEqual({ ...aNewWatch(), id: first.id, outcome: null, firedAt: null })
      expect(Number.isInteger(first.id) && first.id > 0).toBe(true)
      const second = store.insert(aNewWatch({ targetId: 'bbbbbbbb' }))
      expect(second.id).toBeGreaterThan(first.id)
    })

    it('keeps every field as written', async () => {
      const store = await make()
      const w = aNewWatch({
        targetId: 'c-0f3b9c2e-external ✓',
        watcherId: 'eeeeeeee',
        quietMs: 0,
        deadline: Number.MAX_SAFE_INTEGER,
        createdAt: 0,
      })
      const inserted = store.insert(w)
      expect(store.active()).toEqual([{ ...w, id: inserted.id, outcome: null, firedAt: null }])
    })

    it('lists watches not fired yet, oldest first', async () => {
      const store = await make()
      const a = store.insert(aNewWatch({ targetId: 'aaaaaaaa', createdAt: 30, deadline: 5 }))
      const b = store.insert(aNewWatch({ targetId: 'bbbbbbbb', createdAt: 10, deadline: 9 }))
      const c = store.insert(aNewWatch({ targetId: 'cccccccc', createdAt: 20, deadline: 1 }))
      expect(store.active()).toEqual([a, b, c])
      expect(store.fire(b.id, 'completed', 40)).toBe(true)
      expect(store.active()).toEqual([a, c])
      const d = store.insert(aNewWatch({ targetId: 'dddddddd' }))
      expect(store.active()).toEqual([a, c, d])
    })

    it('fires a watch once: a second fire returns false and changes nothing', async () => {
      const store = await make()
      const w = store.insert(aNewWatch())
      const other = store.insert(aNewWatch({ targetId: 'bbbbbbbb' }))
      expect(store.fire(w.id, 'exited', 100)).toBe(true)
      expect(store.fire(w.id, 'timeout', 200)).toBe(false)
      expect(store.fire(w.id, 'exited', 300)).toBe(false)
      expect(store.active()).toEqual([other])
      expect(store.fire(other.id + 1000, 'completed', 100)).toBe(false)
      expect(store.active()).toEqual([other])
    })

    it('takes every outcome', async () => {
      const store = await make()
      const outcomes: WatchOutcome[] = ['completed', 'exited', 'timeout']
      for (const outcome of outcomes) {
        const w = store.insert(aNewWatch({ targetId: outcome }))
        expect(store.fire(w.id, outcome, 1)).toBe(true)
      }
      expect(store.active()).toEqual([])
    })

    it('hands out copies: changing a returned watch changes nothing stored', async () => {
      const store = await make()
      const w = store.insert(aNewWatch())
      w.outcome = 'completed'
      store.active()[0]!.deadline = 1
      expect(store.active()).toEqual([{ ...aNewWatch(), id: w.id, outcome: null, firedAt: null }])
    })
  })
}

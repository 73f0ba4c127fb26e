import { describe, expect, it } from 'vitest'
import type {
  HeldNotification,
  NewOutboxEntry,
  TelegramAccessStore,
  TelegramFollowStore,
  TelegramHeldStore,
  TelegramMessageKeys,
  TelegramOperation,
  TelegramOutbox,
  TelegramTopicStore,
  TelegramUser,
} from '../ports/telegram-store.js'

const T0 = 1_700_000_000_000
const CHAT = -1001234567890

export const aTelegramUser = (overrides: Partial<TelegramUser> = {}): TelegramUser => ({
  userId: 424242,
  username: 'alice',
  addedAt: T0,
  ...overrides,
})

export const aSendOperation = (overrides: Partial<Extract<TelegramOperation, { kind: 'send_message' }>> = {}): TelegramOperation => ({
  kind: 'send_message',
  chatId: CHAT,
  sessionId: 'a1b2c3d4',
  text: 'hello <b> & ✓',
  html: 'hello &lt;b&gt; &amp; ✓',
  ...overrides,
})

export const aNewOutboxEntry = (overrides: Partial<NewOutboxEntry> = {}): NewOutboxEntry => ({
  lane: `topic:${CHAT}:a1b2c3d4`,
  operation: aSendOperation(),
  createdAt: T0,
  ...overrides,
})

export const aHeldNotification = (overrides: Partial<HeldNotification> = {}): HeldNotification => ({
  sessionId: 'a1b2c3d4',
  session: { id: 'a1b2c3d4', name: 'night-owl', workingDir: '/work/night-owl' },
  kind: 'turn_ended',
  summary: 'Response: done <b> & ✓',
  messages: [{ text: 'done <b> & ✓', html: 'done &lt;b&gt; &amp; ✓' }],
  createdAt: T0,
  ...overrides,
})

/** The behaviour every TelegramAccessStore must have. */
export function telegramAccessContract(label: string, make: () => TelegramAccessStore | Promise<TelegramAccessStore>): void {
  describe(`${label} (telegram access contract)`, () => {
    it('adds a user once, lists users oldest first, removes them', async () => {
      const store = await make()
      expect(store.users()).toEqual([])
      expect(store.isAllowed(424242)).toBe(false)
      expect(store.addUser(aTelegramUser())).toBe(true)
      expect(store.addUser(aTelegramUser({ username: 'other', addedAt: T0 + 5 }))).toBe(false)
      expect(store.addUser(aTelegramUser({ userId: 7, username: null, addedAt: T0 + 1 }))).toBe(true)
      expect(store.isAllowed(424242)).toBe(true)
      expect(store.users()).toEqual([aTelegramUser(), aTelegramUser({ userId: 7, username: null, addedAt: T0 + 1 })])
      expect(store.removeUser(424242)).toBe(true)
      expect(store.removeUser(424242)).toBe(false)
      expect(store.isAllowed(424242)).toBe(false)
      expect(store.users().map((u) => u.userId)).toEqual([7])
    })

    it('keeps user ids up to 2^53 - 1', async () => {
      const store = await make()
      store.addUser(aTelegramUser({ userId: Number.MAX_SAFE_INTEGER, username: 'ñame ✓' }))
      expect(store.isAllowed(Number.MAX_SAFE_INTEGER)).toBe(true)
      expect(store.users()[0]).toEqual(aTelegramUser({ userId: Number.MAX_SAFE_INTEGER, username: 'ñame ✓' }))
    })

    it('redeems a valid code once and adds the user; a second use is `used`', async () => {
      const store = await make()
      store.addPairingCode({ codeHash: 'h1', createdAt: T0, expiresAt: T0 + 600_000 })
      expect(store.redeemPairingCode('h1', aTelegramUser({ addedAt: T0 + 10 }), T0 + 10)).toBe('paired')
      expect(store.isAllowed(424242)).toBe(true)
      expect(store.users()).toEqual([aTelegramUser({ addedAt: T0 + 10 })])
      expect(store.redeemPairingCode('h1', aTelegramUser({ userId: 9 }), T0 + 20)).toBe('used')
      expect(store.isAllowed(9)).toBe(false)
    })

    it('refuses unknown and expired codes, adding nobody', async () => {
      const store = await make()
      store.addPairingCode({ codeHash: 'h1', createdAt: T0, expiresAt: T0 + 600_000 })
      expect(store.redeemPairingCode('nope', aTelegramUser(), T0 + 1)).toBe('unknown')
      expect(store.redeemPairingCode('h1', aTelegramUser(), T0 + 600_000)).toBe('expired')
      expect(store.redeemPairingCode('h1', aTelegramUser(), T0 + 700_000)).toBe('expired')
      expect(store.users()).toEqual([])
    })

    it('refuses a code hash that exists already', async () => {
      const store = await make()
      store.addPairingCode({ codeHash: 'h1', createdAt: T0, expiresAt: T0 + 1 })
      expect(() => store.addPairingCode({ codeHash: 'h1', createdAt: T0, expiresAt: T0 + 2 })).toThrow()
    })

    it('pairs an already added user without a second row', async () => {
      const store = await make()
      store.addUser(aTelegramUser())
      store.addPairingCode({ codeHash: 'h1', createdAt: T0, expiresAt: T0 + 600_000 })
      expect(store.redeemPairingCode('h1', aTelegramUser({ addedAt: T0 + 5 }), T0 + 5)).toBe('paired')
      expect(store.users()).toEqual([aTelegramUser()])
    })

    it('prunes codes that expired before a time, used or not', async () => {
      const store = await make()
      store.addPairingCode({ codeHash: 'old', createdAt: T0, expiresAt: T0 + 10 })
      store.addPairingCode({ codeHash: 'used', createdAt: T0, expiresAt: T0 + 20 })
      store.addPairingCode({ codeHash: 'fresh', createdAt: T0, expiresAt: T0 + 600_000 })
      store.redeemPairingCode('used', aTelegramUser(), T0 + 1)
      expect(store.prunePairingCodes(T0 + 100)).toBe(2)
      expect(store.redeemPairingCode('old', aTelegramUser({ userId: 5 }), T0)).toBe('unknown')
      expect(store.redeemPairingCode('fresh', aTelegramUser({ userId: 5 }), T0 + 200)).toBe('paired')
    })
  })
}

/** The behaviour every TelegramTopicStore must have. */
export function telegramTopicContract(label: string, make: () => TelegramTopicStore | Promise<TelegramTopicStore>): void {
  const reserveArgs = (sessionId = 'a1b2c3d4', name = 'worker [a1b2c3d4]', at = T0) => ({ chatId: CHAT, sessionId, name, at })

  describe(`${label} (telegram topic contract)`, () => {
    it('reserves one row per (chat, session): a second reserve returns it unchanged', async () => {
      const store = await make()
      const first = store.reserve(reserveArgs())
      expect(first.created).toBe(true)
      expect(first.topic).toEqual({
        chatId: CHAT,
        sessionId: 'a1b2c3d4',
        threadId: null,
        name: 'worker [a1b2c3d4]',
        status: 'reserved',
        statusMessageId: null,
        createAttempts: 0,
        error: null,
        createdAt: T0,
        updatedAt: T0,
      })
      const again = store.reserve(reserveArgs('a1b2c3d4', 'other name', T0 + 5))
      expect(again).toEqual({ topic: first.topic, created: false })
      expect(store.list()).toEqual([first.topic])
      // another chat is another topic
      expect(store.reserve({ ...reserveArgs(), chatId: 42 }).created).toBe(true)
      expect(store.list()).toHaveLength(2)
    })

    it('walks reserved -> creating -> open, counting attempts; each step only from its state', async () => {
      const store = await make()
      store.reserve(reserveArgs())
      expect(store.confirmCreated(CHAT, 'a1b2c3d4', 77, T0 + 1)).toBe(false)
      const creating = store.beginCreate(CHAT, 'a1b2c3d4', T0 + 2)
      expect(creating).toMatchObject({ status: 'creating', createAttempts: 1, updatedAt: T0 + 2 })
      expect(store.beginCreate(CHAT, 'a1b2c3d4', T0 + 3)).toBeUndefined()
      expect(store.confirmCreated(CHAT, 'a1b2c3d4', 77, T0 + 4)).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({ status: 'open', threadId: 77, createAttempts: 1, updatedAt: T0 + 4 })
      expect(store.byThread(CHAT, 77)?.sessionId).toBe('a1b2c3d4')
      expect(store.byThread(CHAT, 78)).toBeUndefined()
      expect(store.byThread(42, 77)).toBeUndefined()
      expect(store.confirmCreated(CHAT, 'a1b2c3d4', 79, T0 + 5)).toBe(false)
      expect(store.beginCreate(CHAT, 'nobody', T0)).toBeUndefined()
    })

    it('goes back to reserved only from creating or failed, keeping the attempt count', async () => {
      const store = await make()
      store.reserve(reserveArgs())
      expect(store.retryCreate(CHAT, 'a1b2c3d4', T0 + 1)).toBe(false)
      store.beginCreate(CHAT, 'a1b2c3d4', T0 + 2)
      expect(store.retryCreate(CHAT, 'a1b2c3d4', T0 + 3, '429: too many requests')).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({ status: 'reserved', createAttempts: 1, error: '429: too many requests' })
      store.beginCreate(CHAT, 'a1b2c3d4', T0 + 4)
      expect(store.setStatus(CHAT, 'a1b2c3d4', 'failed', T0 + 5, 'interrupted')).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({ status: 'failed', createAttempts: 2, error: 'interrupted' })
      expect(store.retryCreate(CHAT, 'a1b2c3d4', T0 + 6)).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({ status: 'reserved', error: null })
      store.beginCreate(CHAT, 'a1b2c3d4', T0 + 7)
      store.confirmCreated(CHAT, 'a1b2c3d4', 5, T0 + 8)
      expect(store.retryCreate(CHAT, 'a1b2c3d4', T0 + 9)).toBe(false)
    })

    it('sets status, name and status card; false for a topic that does not exist', async () => {
      const store = await make()
      store.reserve(reserveArgs())
      expect(store.rename(CHAT, 'a1b2c3d4', 'renamed ✓ [a1b2c3d4]', T0 + 1)).toBe(true)
      expect(store.setStatusMessage(CHAT, 'a1b2c3d4', 991, T0 + 2)).toBe(true)
      expect(store.setStatus(CHAT, 'a1b2c3d4', 'closed', T0 + 3)).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({
        name: 'renamed ✓ [a1b2c3d4]',
        statusMessageId: 991,
        status: 'closed',
        error: null,
        updatedAt: T0 + 3,
      })
      expect(store.setStatusMessage(CHAT, 'a1b2c3d4', null, T0 + 4)).toBe(true)
      expect(store.get(CHAT, 'a1b2c3d4')?.statusMessageId).toBeNull()
      expect(store.rename(CHAT, 'nobody', 'x', T0)).toBe(false)
      expect(store.setStatusMessage(CHAT, 'nobody', 1, T0)).toBe(false)
      expect(store.setStatus(CHAT, 'nobody', 'closed', T0)).toBe(false)
      expect(store.get(CHAT, 'nobody')).toBeUndefined()
    })

    it('never gives one thread to two topics of a chat', async () => {
      const store = await make()
      store.reserve(reserveArgs('s1'))
      store.reserve(reserveArgs('s2'))
      store.beginCreate(CHAT, 's1', T0)
      store.beginCreate(CHAT, 's2', T0)
      expect(store.confirmCreated(CHAT, 's1', 10, T0)).toBe(true)
      expect(() => store.confirmCreated(CHAT, 's2', 10, T0)).toThrow()
      expect(store.get(CHAT, 's2')?.status).toBe('creating')
    })

    it('lists topics in insertion order, filtered by chat, session and status', async () => {
      const store = await make()
      store.reserve(reserveArgs('s1'))
      store.reserve(reserveArgs('s2'))
      store.reserve({ ...reserveArgs('s3'), chatId: 42 })
      store.beginCreate(CHAT, 's2', T0)
      const ids = (f?: Parameters<TelegramTopicStore['list']>[0]) => store.list(f).map((t) => t.sessionId)
      expect(ids()).toEqual(['s1', 's2', 's3'])
      expect(ids({ chatId: CHAT })).toEqual(['s1', 's2'])
      expect(ids({ status: 'reserved' })).toEqual(['s1', 's3'])
      expect(ids({ status: 'creating' })).toEqual(['s2'])
      expect(ids({ sessionId: 's3' })).toEqual(['s3'])
      expect(ids({ chatId: 42, status: 'creating' })).toEqual([])
    })

    it('hands out copies', async () => {
      const store = await make()
      const { topic } = store.reserve(reserveArgs())
      topic.status = 'open'
      store.get(CHAT, 'a1b2c3d4')!.name = 'changed'
      store.list()[0]!.threadId = 5
      expect(store.get(CHAT, 'a1b2c3d4')).toMatchObject({ status: 'reserved', name: 'worker [a1b2c3d4]', threadId: null })
    })
  })
}

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

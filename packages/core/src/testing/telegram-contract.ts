// The Telegram stores' contracts: access and topics here; the outbox and message keys, follows and held notifications beside.
import { describe, expect, it } from 'vitest'
import type { TelegramAccessStore, TelegramTopicStore } from '../ports/telegram-store.js'
import { T0, CHAT, aTelegramUser } from './telegram-builders.js'

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

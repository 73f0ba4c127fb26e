import { aHeldNotification, aNewOutboxEntry, aSendOperation, aTelegramUser, telegramAccessContract, telegramFollowsContract, telegramHeldContract, telegramMessageKeysContract, telegramOutboxContract, telegramTopicContract } from '@claude-sessions/core/telegram/testing'
import { describe, expect, it } from 'vitest'
import { onDisk, useTempStores } from './test-support.js'

const { open: openStore, dbPath } = useTempStores()
const open = (options: Parameters<typeof openStore>[0]) => openStore({ checkpointIntervalMs: 0, ...options })

telegramAccessContract('SQLite telegram access', () => open({ path: dbPath() }).telegram.access)
telegramTopicContract('SQLite telegram topics', () => open({ path: dbPath() }).telegram.topics)
telegramOutboxContract('SQLite telegram outbox', () => open({ path: dbPath() }).telegram.outbox)
telegramOutboxContract('SQLite telegram outbox, in memory', () => open({ path: ':memory:' }).telegram.outbox)
telegramMessageKeysContract('SQLite telegram message keys', () => open({ path: dbPath() }).telegram.messageKeys)
telegramFollowsContract('SQLite telegram follows', () => open({ path: dbPath() }).telegram.follows)
telegramHeldContract('SQLite telegram held notifications', () => open({ path: dbPath() }).telegram.held)

const CHAT = -1001234567890

describe('SQLite telegram stores', () => {
  it('keeps users, topics and the outbox across close and reopen', () => {
    const path = dbPath()
    const first = open({ path })
    first.telegram.access.addUser(aTelegramUser())
    first.telegram.access.addPairingCode({ codeHash: 'h', createdAt: 1, expiresAt: 2_000_000_000_000 })
    first.telegram.topics.reserve({ chatId: CHAT, sessionId: 's1', name: 'one [s1]', at: 1 })
    first.telegram.topics.beginCreate(CHAT, 's1', 2)
    first.telegram.topics.confirmCreated(CHAT, 's1', 33, 3)
    first.telegram.topics.reserve({ chatId: CHAT, sessionId: 's2', name: 'two [s2]', at: 4 })
    const a = first.telegram.outbox.enqueue(aNewOutboxEntry({ lane: 'a' }))
    const b = first.telegram.outbox.enqueue(aNewOutboxEntry({ lane: 'b' }))
    first.telegram.outbox.startAttempt(a.id, 5)
    first.telegram.outbox.startAttempt(b.id, 5)
    first.telegram.outbox.complete(b.id, 6)
    first.close()

    const second = open({ path })
    expect(second.telegram.access.isAllowed(aTelegramUser().userId)).toBe(true)
    expect(second.telegram.access.redeemPairingCode('h', aTelegramUser({ userId: 5 }), 10)).toBe('paired')
    expect(second.telegram.topics.reserve({ chatId: CHAT, sessionId: 's1', name: 'x', at: 9 })).toMatchObject({
      created: false,
      topic: { status: 'open', threadId: 33, name: 'one [s1]' },
    })
    expect(second.telegram.topics.byThread(CHAT, 33)?.sessionId).toBe('s1')
    expect(second.telegram.topics.list({ status: 'reserved' }).map((t) => t.sessionId)).toEqual(['s2'])
    // the attempt in flight when the process went away runs again
    expect(second.telegram.outbox.requeueInterrupted(20).map((e) => e.id)).toEqual([a.id])
    expect(second.telegram.outbox.due(20).map((e) => e.id)).toEqual([a.id])
    expect(second.telegram.outbox.get(b.id)?.status).toBe('done')
    expect(second.telegram.outbox.enqueue(aNewOutboxEntry()).id).toBeGreaterThan(b.id)
  })

  it('has an enqueued operation, and its settling, in the file before the call returns', () => {
    const path = dbPath()
    const store = open({ path })
    const e = store.telegram.outbox.enqueue(aNewOutboxEntry({ lane: 'topic:x' }))
    expect(onDisk(path, 'SELECT id, lane, kind, status FROM telegram_outbox')).toEqual([
      { id: e.id, lane: 'topic:x', kind: 'send_message', status: 'pending' },
    ])
    store.telegram.outbox.startAttempt(e.id, 5)
    store.telegram.outbox.fail(e.id, 'Bad Request: message thread not found', 6)
    expect(onDisk(path, 'SELECT status, attempts, last_error FROM telegram_outbox')).toEqual([
      { status: 'failed', attempts: 1, last_error: 'Bad Request: message thread not found' },
    ])
  })

  it('keeps message keys and keyboard operations across close and reopen', () => {
    const path = dbPath()
    const first = open({ path })
    first.telegram.messageKeys.set('perm:s1:1', { chatId: CHAT, messageId: 77 }, 1)
    const operation = aSendOperation({ buttons: [[{ text: 'Allow', data: 'perm:s1:allow' }]], key: 'perm:s1:1', pin: true })
    const e = first.telegram.outbox.enqueue(aNewOutboxEntry({ operation }))
    expect(onDisk(path, 'SELECT key, chat_id, message_id, created_at FROM telegram_message_keys')).toEqual([
      { key: 'perm:s1:1', chat_id: CHAT, message_id: 77, created_at: 1 },
    ])
    first.close()
    const second = open({ path })
    expect(second.telegram.messageKeys.get('perm:s1:1')).toEqual({ chatId: CHAT, messageId: 77 })
    expect(second.telegram.outbox.get(e.id)?.operation).toEqual(operation)
  })

  it('keeps private follows across close and reopen, in their order', () => {
    const path = dbPath()
    const first = open({ path })
    expect(first.telegram.follows.add(111, 'b2b2b2b2', 2)).toBe(true)
    expect(first.telegram.follows.add(222, 'b2b2b2b2', 1)).toBe(true)
    expect(first.telegram.follows.add(111, 'a1a1a1a1', 3)).toBe(true)
    expect(onDisk(path, 'SELECT chat_id, session_id, created_at FROM telegram_follows ORDER BY created_at')).toEqual([
      { chat_id: 222, session_id: 'b2b2b2b2', created_at: 1 },
      { chat_id: 111, session_id: 'b2b2b2b2', created_at: 2 },
      { chat_id: 111, session_id: 'a1a1a1a1', created_at: 3 },
    ])
    first.close()
    const second = open({ path })
    expect(second.telegram.follows.followers('b2b2b2b2')).toEqual([222, 111])
    expect(second.telegram.follows.following(111)).toEqual(['b2b2b2b2', 'a1a1a1a1'])
    expect(second.telegram.follows.add(111, 'b2b2b2b2', 9)).toBe(false)
    expect(second.telegram.follows.removeSession('b2b2b2b2')).toBe(2)
    second.close()
    expect(open({ path }).telegram.follows.following(111)).toEqual(['a1a1a1a1'])
  })

  it('finds the followers of a session through its index', () => {
    const path = dbPath()
    open({ path }).telegram.follows.add(111, 's', 1)
    const plan = onDisk<{ detail: string }>(path, `EXPLAIN QUERY PLAN SELECT chat_id FROM telegram_follows WHERE session_id = 's'`)
      .map((r) => r.detail)
      .join('; ')
    expect(plan).toMatch(/telegram_follows_session_idx/)
  })

  it('keeps held notifications across close and reopen, in their order, until their digest', () => {
    const path = dbPath()
    const first = open({ path })
    const a = first.telegram.held.add(aHeldNotification({ sessionId: 's1', summary: 'first', createdAt: 1 }))
    const b = first.telegram.held.add(aHeldNotification({ sessionId: 's2', kind: 'error', summary: 'second', createdAt: 2 }))
    const c = first.telegram.held.add(aHeldNotification({ sessionId: 's1', summary: 'third', createdAt: 3 }))
    expect(onDisk(path, 'SELECT id, session_id, kind, summary, created_at FROM telegram_held ORDER BY id')).toEqual([
      { id: a, session_id: 's1', kind: 'turn_ended', summary: 'first', created_at: 1 },
      { id: b, session_id: 's2', kind: 'error', summary: 'second', created_at: 2 },
      { id: c, session_id: 's1', kind: 'turn_ended', summary: 'third', created_at: 3 },
    ])
    first.close()
    const second = open({ path })
    expect(second.telegram.held.list()).toEqual([
      { ...aHeldNotification({ sessionId: 's1', summary: 'first', createdAt: 1 }), id: a },
      { ...aHeldNotification({ sessionId: 's2', kind: 'error', summary: 'second', createdAt: 2 }), id: b },
      { ...aHeldNotification({ sessionId: 's1', summary: 'third', createdAt: 3 }), id: c },
    ])
    expect(second.telegram.held.removeSession('s1')).toBe(2)
    second.close()
    const third = open({ path })
    expect(third.telegram.held.list().map((n) => n.id)).toEqual([b])
    // removed ids are not handed out again, even after a reopen
    expect(third.telegram.held.add(aHeldNotification())).toBeGreaterThan(c)
  })

  it("finds a session's held notifications through its index", () => {
    const path = dbPath()
    open({ path }).telegram.held.add(aHeldNotification())
    const plan = onDisk<{ detail: string }>(path, `EXPLAIN QUERY PLAN DELETE FROM telegram_held WHERE session_id = 's'`)
      .map((r) => r.detail)
      .join('; ')
    expect(plan).toMatch(/telegram_held_session_idx/)
  })

  it('reserves a topic once even from two connections racing', () => {
    const path = dbPath()
    const one = open({ path })
    const two = open({ path })
    expect(one.telegram.topics.reserve({ chatId: CHAT, sessionId: 's', name: 'a', at: 1 }).created).toBe(true)
    expect(two.telegram.topics.reserve({ chatId: CHAT, sessionId: 's', name: 'b', at: 2 }).created).toBe(false)
    expect(two.telegram.topics.beginCreate(CHAT, 's', 3)).toBeDefined()
    expect(one.telegram.topics.beginCreate(CHAT, 's', 4)).toBeUndefined()
    expect(onDisk(path, 'SELECT count(*) AS n FROM telegram_topics')).toEqual([{ n: 1 }])
  })

  it('finds lane heads through the index of open entries', () => {
    const path = dbPath()
    open({ path }).telegram.outbox.enqueue(aNewOutboxEntry())
    const plan = onDisk<{ detail: string }>(
      path,
      `EXPLAIN QUERY PLAN SELECT min(i.id) FROM telegram_outbox i INDEXED BY telegram_outbox_open_idx
       WHERE i.lane = 'x' AND i.status IN ('pending', 'sending')`,
    )
      .map((r) => r.detail)
      .join('; ')
    expect(plan).toMatch(/telegram_outbox_open_idx/)
  })
})

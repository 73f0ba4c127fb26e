import type { TelegramStores } from '@claude-sessions/core/telegram'
import { aSession } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { CHAT, MemoryLogger, eventually, testConfig, useTelegram } from '../test-support.js'
import { topicLane } from './topics.js'

const t = useTelegram()
const S = aSession({ id: 'a1b2c3d4', name: 'worker' })

const drained = (stores: TelegramStores) =>
  eventually(() => stores.outbox.list({ status: 'pending' }).length === 0 && stores.outbox.list({ status: 'sending' }).length === 0, 10_000, 'outbox drained')

describe('topic lifecycle', () => {
  it('makes one topic named `<name> [<id>]` per session, however often it is asked', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.onSessionStarted(S)
    service.onSessionStarted(S)
    service.start()
    service.onSessionStarted(S)
    service.notifyTurnEnded(S, 'hi')
    await drained(stores)
    service.onSessionStarted(S)
    await drained(stores)
    expect(fake.callsTo('createForumTopic').map((c) => c.params)).toEqual([{ chat_id: CHAT, name: 'worker [a1b2c3d4]' }])
    expect(stores.topics.get(CHAT, S.id)).toMatchObject({ status: 'open', name: 'worker [a1b2c3d4]', createAttempts: 1 })
    expect(fake.callsTo('sendMessage')[0]!.params['message_thread_id']).toBe(stores.topics.get(CHAT, S.id)!.threadId)
  })

  it('renames the topic; a rename before creation just creates it with the new name', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.onSessionStarted(S)
    service.onSessionRenamed({ ...S, name: 'first name' })
    service.start()
    await drained(stores)
    service.onSessionRenamed({ ...S, name: 'second ✓ <name>' })
    service.onSessionRenamed({ ...S, name: 'second ✓ <name>' })
    await drained(stores)
    expect(fake.callsTo('createForumTopic').map((c) => c.params['name'])).toEqual(['first name [a1b2c3d4]'])
    expect(fake.callsTo('editForumTopic').map((c) => c.params['name'])).toEqual(['second ✓ <name> [a1b2c3d4]'])
    expect([...fake.topics.values()][0]!.name).toBe('second ✓ <name> [a1b2c3d4]')
  })

  it.each([
    ['close', 'closeForumTopic', 'closed'],
    ['delete', 'deleteForumTopic', 'deleted'],
    ['keep', undefined, 'open'],
  ] as const)('on stop (%s): says goodbye in the topic, then %s', async (topicOnStop, call, status) => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake, { topicOnStop }), stores)
    service.onSessionStarted(S)
    service.start()
    await drained(stores)
    const threadId = stores.topics.get(CHAT, S.id)!.threadId
    service.onSessionStopped(S)
    await drained(stores)
    const actions = fake.actions().map((c) => c.method)
    expect(actions).toEqual(['createForumTopic', 'sendMessage', ...(call ? [call] : [])])
    expect(fake.callsTo('sendMessage')[0]!.params).toMatchObject({ message_thread_id: threadId, parse_mode: 'HTML' })
    expect(String(fake.callsTo('sendMessage')[0]!.params['text'])).toMatch(/^<b>Session stopped\.<\/b>\nworker \[a1b2c3d4\] has ended\.$/)
    expect(stores.topics.get(CHAT, S.id)?.status).toBe(status)
    // a second stop does nothing more
    service.onSessionStopped(S)
    await drained(stores)
    expect(fake.actions().map((c) => c.method)).toEqual(actions.concat(topicOnStop === 'keep' ? ['sendMessage'] : []))
  })

  it('takes a topic deleted by hand as closed already when the session stops', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.onSessionStarted(S)
    service.start()
    await drained(stores)
    fake.topics.get(stores.topics.get(CHAT, S.id)!.threadId!)!.deleted = true
    service.onSessionStopped(S)
    await drained(stores)
    expect(fake.callsTo('closeForumTopic')).toHaveLength(0) // the goodbye found the thread gone
    expect(stores.topics.get(CHAT, S.id)?.status).toBe('deleted')
    expect(stores.outbox.list({ status: 'failed' }).map((e) => e.operation.kind)).toEqual(['send_message'])
  })

  it('in a chat that is not a forum: the topic fails once, and messages go to the chat with the session named', async () => {
    const fake = await t.fake()
    fake.notForums.add(CHAT)
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.notifyTurnEnded(S, 'result <ok>')
    service.start()
    await drained(stores)
    service.notifyTurnEnded(S, 'second')
    await drained(stores)
    expect(fake.callsTo('createForumTopic')).toHaveLength(1)
    expect(stores.topics.get(CHAT, S.id)).toMatchObject({ status: 'failed', error: '400: Bad Request: the chat is not a forum' })
    expect(fake.callsTo('sendMessage').map((c) => [c.params['message_thread_id'], c.params['text']])).toEqual([
      [undefined, '<b>worker [a1b2c3d4]</b>\nresult &lt;ok&gt;'],
      [undefined, '<b>worker [a1b2c3d4]</b>\nsecond'],
    ])
  })
})

describe('topic creation is idempotent across crashes (the same stores)', () => {
  it('20 restarts of a server whose session starts each time create one topic', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    for (let i = 0; i < 20; i++) {
      const store = t.storesAt(path)
      const service = t.service(testConfig(fake), store.telegram)
      service.onSessionStarted(S)
      service.start()
      if (i % 2 === 0) await drained(store.telegram) // and every other one dies before the worker ran
      await service.stop()
      store.close()
    }
    const store = t.storesAt(path)
    await drained(store.telegram)
    expect(fake.callsTo('createForumTopic')).toHaveLength(1)
    expect(store.telegram.topics.list()).toHaveLength(1)
    expect(store.telegram.topics.get(CHAT, S.id)).toMatchObject({ status: 'open', createAttempts: 1 })
  })

  it('a crash after reserving, before Telegram was asked: the restart creates the topic, once', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const crashed = t.storesAt(path)
    // what onSessionStarted wrote before the process died (the worker never ran)
    crashed.telegram.topics.reserve({ chatId: CHAT, sessionId: S.id, name: 'worker [a1b2c3d4]', at: Date.now() })
    crashed.telegram.outbox.enqueue({ lane: topicLane(CHAT, S.id), operation: { kind: 'create_topic', chatId: CHAT, sessionId: S.id }, createdAt: Date.now() })
    // and a second session whose creation was never even queued
    crashed.telegram.topics.reserve({ chatId: CHAT, sessionId: 'bbbbbbbb', name: 'other [bbbbbbbb]', at: Date.now() })
    crashed.close()

    const store = t.storesAt(path)
    const service = t.service(testConfig(fake), store.telegram)
    service.onSessionStarted(S)
    service.start()
    await drained(store.telegram)
    expect(fake.callsTo('createForumTopic').map((c) => c.params['name']).sort()).toEqual(['other [bbbbbbbb]', 'worker [a1b2c3d4]'])
    expect(store.telegram.topics.list().map((t) => t.status)).toEqual(['open', 'open'])
  })

  it('a crash while createForumTopic was in flight: never asked again (no duplicate); messages go to the main chat', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const crashed = t.storesAt(path)
    // what a process killed during createForumTopic leaves: the row `creating`, the operation `sending`
    crashed.telegram.topics.reserve({ chatId: CHAT, sessionId: S.id, name: 'worker [a1b2c3d4]', at: Date.now() })
    const op = crashed.telegram.outbox.enqueue({ lane: topicLane(CHAT, S.id), operation: { kind: 'create_topic', chatId: CHAT, sessionId: S.id }, createdAt: Date.now() })
    crashed.telegram.outbox.startAttempt(op.id, Date.now())
    crashed.telegram.topics.beginCreate(CHAT, S.id, Date.now())
    crashed.close()

    for (let restart = 0; restart < 3; restart++) {
      const store = t.storesAt(path)
      const logger = new MemoryLogger()
      const service = t.service(testConfig(fake), store.telegram, logger)
      service.onSessionStarted(S)
      service.notifyTurnEnded(S, `turn ${restart}`)
      service.start()
      await drained(store.telegram)
      await service.stop()
      store.close()
      if (restart === 0) expect(logger.find('creation interrupted')).toHaveLength(1)
    }
    expect(fake.callsTo('createForumTopic')).toHaveLength(0)
    expect(fake.callsTo('sendMessage').map((c) => [c.params['message_thread_id'], c.params['text']])).toEqual([
      [undefined, '<b>worker [a1b2c3d4]</b>\nturn 0'],
      [undefined, '<b>worker [a1b2c3d4]</b>\nturn 1'],
      [undefined, '<b>worker [a1b2c3d4]</b>\nturn 2'],
    ])
    const store = t.storesAt(path)
    expect(store.telegram.topics.get(CHAT, S.id)).toMatchObject({ status: 'failed', createAttempts: 1 })
    expect(store.telegram.topics.get(CHAT, S.id)?.error).toMatch(/interrupted/)
  })

  it('a stop that has to abort createForumTopic in flight: not asked again on the next start', async () => {
    const fake = await t.fake()
    fake.hangNext('createForumTopic')
    const path = t.storePath()
    const first = t.storesAt(path)
    const a = t.service(testConfig(fake, { outbox: { stopGraceMs: 100 } }), first.telegram)
    a.onSessionStarted(S)
    a.start()
    await eventually(() => fake.callsTo('createForumTopic').length === 1)
    await a.stop()
    expect(first.telegram.topics.get(CHAT, S.id)?.status).toBe('failed')
    first.close()

    const second = t.storesAt(path)
    const b = t.service(testConfig(fake), second.telegram)
    b.onSessionStarted(S)
    b.start()
    await drained(second.telegram)
    expect(fake.callsTo('createForumTopic')).toHaveLength(1)
    expect(second.telegram.topics.get(CHAT, S.id)?.error).toMatch(/uncertain/)
  })

  it('a definite refusal (429) leaves the topic reserved and creates it on a later attempt', async () => {
    const fake = await t.fake()
    fake.failNext('createForumTopic', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 })
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake, { maxFloodWaitSeconds: 0 }), stores)
    service.onSessionStarted(S)
    service.start()
    await eventually(() => stores.topics.get(CHAT, S.id)?.error?.startsWith('429'))
    expect(stores.topics.get(CHAT, S.id)?.status).toBe('reserved')
    await drained(stores)
    expect(fake.callsTo('createForumTopic')).toHaveLength(2)
    expect(stores.topics.get(CHAT, S.id)).toMatchObject({ status: 'open', createAttempts: 2, error: null })
    expect(fake.topics.size).toBe(1)
  })
})

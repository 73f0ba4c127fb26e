import type { TelegramStores } from '@claude-sessions/core/telegram'
import { aSession } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { CHAT, MemoryLogger, eventually, sleep, testConfig, useTelegram } from '../test-support.js'
import type { FakeBotApi } from '../testing/fake-bot-api.js'

const t = useTelegram()
const ONE = aSession({ id: 'aaaa0001', name: 'one' })
const TWO = aSession({ id: 'aaaa0002', name: 'two' })

const sentTexts = (fake: FakeBotApi, threadId?: number) =>
  fake
    .callsTo('sendMessage')
    .filter((c) => threadId === undefined || c.params['message_thread_id'] === threadId)
    .map((c) => String(c.params['text']))

const threadOf = (stores: TelegramStores, sessionId: string) => stores.topics.get(CHAT, sessionId)?.threadId ?? undefined

/** Waits until nothing is pending or in flight. */
const drained = (stores: TelegramStores) =>
  eventually(() => stores.outbox.list({ status: 'pending' }).length === 0 && stores.outbox.list({ status: 'sending' }).length === 0, 10_000, 'outbox drained')

describe('outbox worker', () => {
  it("sends each topic's messages in order, one at a time per topic, topics side by side", async () => {
    const fake = await t.fake()
    fake.latencyMs = 80
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    for (let i = 1; i <= 4; i++) {
      service.notifyTurnEnded(ONE, `one #${i}`)
      service.notifyTurnEnded(TWO, `two #${i}`)
    }
    service.start()
    await drained(stores)
    const one = threadOf(stores, ONE.id)!
    const two = threadOf(stores, TWO.id)!
    expect(sentTexts(fake, one)).toEqual(['one #1', 'one #2', 'one #3', 'one #4'])
    expect(sentTexts(fake, two)).toEqual(['two #1', 'two #2', 'two #3', 'two #4'])
    // one at a time in a topic: each call arrives after the one before was answered
    for (const thread of [one, two]) {
      const at = fake.callsTo('sendMessage').filter((c) => c.params['message_thread_id'] === thread).map((c) => c.at)
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(75)
    }
    // the two topics ran side by side
    const firstOne = fake.callsTo('sendMessage').find((c) => c.params['message_thread_id'] === one)!.at
    const firstTwo = fake.callsTo('sendMessage').find((c) => c.params['message_thread_id'] === two)!.at
    expect(Math.abs(firstOne - firstTwo)).toBeLessThan(75)
    expect(stores.outbox.list({ status: 'done' })).toHaveLength(10)
  })

  it('waits out a 429 retry_after (auto-retry) and sends the message once', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake, { maxFloodWaitSeconds: 5 }), stores)
    service.onSessionStarted(ONE)
    service.start()
    await drained(stores)
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 })
    service.notifyTurnEnded(ONE, 'after the flood')
    await drained(stores)
    const calls = fake.callsTo('sendMessage')
    expect(calls).toHaveLength(2)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950)
    expect(fake.messages.size).toBe(1)
    expect([...fake.messages.values()][0]!.text).toBe('after the flood')
    const [entry] = stores.outbox.list({ lane: `topic:${CHAT}:${ONE.id}` }).filter((e) => e.operation.kind === 'send_message')
    expect(entry).toMatchObject({ status: 'done', attempts: 1 })
  })

  it('puts a long flood wait back in the outbox, due after retry_after, while other topics go on', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const logger = new MemoryLogger()
    const service = t.service(testConfig(fake, { maxFloodWaitSeconds: 0 }), stores, logger)
    service.onSessionStarted(ONE)
    service.onSessionStarted(TWO)
    service.start()
    await drained(stores)
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 2', retry_after: 2 })
    service.notifyTurnEnded(ONE, 'flooded')
    const waiting = await eventually(() => stores.outbox.list({ status: 'pending' }).find((e) => e.lastError?.includes('429')))
    expect(waiting.nextAttemptAt - Date.now()).toBeGreaterThan(1_500)
    service.notifyTurnEnded(TWO, 'not held up')
    await eventually(() => sentTexts(fake).includes('not held up'))
    expect(sentTexts(fake).filter((x) => x === 'flooded')).toHaveLength(1) // only the refused call so far
    await drained(stores)
    const floodCalls = fake.callsTo('sendMessage').filter((c) => c.params['text'] === 'flooded')
    expect(floodCalls).toHaveLength(2)
    expect(floodCalls[1]!.at - floodCalls[0]!.at).toBeGreaterThanOrEqual(1_950)
    expect(stores.outbox.get(waiting.id)).toMatchObject({ status: 'done', attempts: 2 })
    expect(logger.find('will be retried')[0]?.obj).toMatchObject({ kind: 'send_message', retryInMs: 2_000 })
  })

  it('retries server errors with backoff until they pass', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.onSessionStarted(ONE)
    service.start()
    await drained(stores)
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 2)
    service.notifyTurnEnded(ONE, 'eventually')
    await drained(stores)
    const calls = fake.callsTo('sendMessage')
    expect(calls).toHaveLength(3)
    // 50 ms, then 100 ms (base 50, doubling)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45)
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(95)
    expect(stores.outbox.list({ status: 'done' }).at(-1)).toMatchObject({ attempts: 3, lastError: '502: Bad Gateway' })
  })

  it('gives up after max attempts when Telegram cannot be reached, never hammering it', async () => {
    const fake = await t.fake()
    const apiRoot = fake.apiRoot
    await fake.close() // nothing listens there now
    const stores = t.memoryStores()
    const logger = new MemoryLogger()
    const service = t.service(testConfig(fake, { apiRoot, outbox: { maxAttempts: 3 } }), stores, logger)
    service.notifyTurnEnded(ONE, 'lost')
    service.start()
    const failed = await eventually(() => stores.outbox.list({ status: 'failed' })[0])
    expect(failed).toMatchObject({ attempts: 3, operation: { kind: 'create_topic' } })
    expect(failed.lastError).toMatch(/^gave up after 3 attempts: .*ECONNREFUSED/)
    // the topic could not be made, so the message goes to the main chat — and fails the same way
    await eventually(() => stores.outbox.list({ status: 'failed' }).length === 2)
    expect(stores.topics.get(CHAT, ONE.id)?.status).toBe('failed')
    expect(logger.find('operation failed')).toHaveLength(2)
  })

  it('marks a message failed with the error when its topic was deleted by hand, and stops sending there', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    service.onSessionStarted(ONE)
    service.start()
    await drained(stores)
    fake.topics.get(threadOf(stores, ONE.id)!)!.deleted = true
    service.notifyTurnEnded(ONE, 'into the void')
    const failed = await eventually(() => stores.outbox.list({ status: 'failed' })[0])
    expect(failed.lastError).toBe('400: Bad Request: message thread not found')
    expect(failed.attempts).toBe(1)
    expect(stores.topics.get(CHAT, ONE.id)).toMatchObject({ status: 'deleted', error: '400: Bad Request: message thread not found' })
    const calls = fake.callsTo('sendMessage').length
    service.notifyTurnEnded(ONE, 'again')
    await sleep(200)
    expect(fake.callsTo('sendMessage')).toHaveLength(calls)
  })

  it('sends HTML with <, > and & escaped, shown exactly as written', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    const text = 'if a < b && c > d { return "<b>x</b>" } // &amp; stays ✓ 日本語'
    service.notifyTurnEnded(ONE, text)
    service.start()
    await drained(stores)
    const [call] = fake.callsTo('sendMessage')
    expect(call!.params).toMatchObject({ parse_mode: 'HTML', text: 'if a &lt; b &amp;&amp; c &gt; d { return "&lt;b&gt;x&lt;/b&gt;" } // &amp;amp; stays ✓ 日本語' })
    expect([...fake.messages.values()][0]!.shown).toBe(text)
  })

  it("falls back to plain text when Telegram can't parse the entities", async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const logger = new MemoryLogger()
    const service = t.service(testConfig(fake), stores, logger)
    service.onSessionStarted(ONE)
    service.start()
    await drained(stores)
    fake.failNext('sendMessage', { error_code: 400, description: `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 3` })
    service.notifyTurnEnded(ONE, 'a <x> & b')
    await drained(stores)
    const calls = fake.callsTo('sendMessage')
    expect(calls.map((c) => [c.params['parse_mode'], c.params['text']])).toEqual([
      ['HTML', 'a &lt;x&gt; &amp; b'],
      [undefined, 'a <x> & b'],
    ])
    expect(calls[1]!.params['message_thread_id']).toBe(threadOf(stores, ONE.id))
    expect(stores.outbox.list({ status: 'done' }).at(-1)).toMatchObject({ attempts: 1 })
    expect(logger.find('HTML rejected')).toHaveLength(1)
  })

  it('splits a long response over several messages, in order, each within 4096 characters', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const service = t.service(testConfig(fake), stores)
    const text = Array.from({ length: 300 }, (_, i) => `${i}. <${'w'.repeat(30)}> & more`).join('\n')
    expect(text.length).toBeGreaterThan(10_000)
    service.notifyTurnEnded(ONE, text)
    service.start()
    await drained(stores)
    const shown = [...fake.messages.values()].map((m) => m.shown)
    expect(shown.length).toBeGreaterThanOrEqual(3)
    for (const s of shown) expect(s.length).toBeLessThanOrEqual(4096)
    expect(shown.join('\n')).toBe(text)
  })

  it('never logs the token, whatever fails', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const logger = new MemoryLogger()
    const config = testConfig(fake, { outbox: { maxAttempts: 2 } })
    const service = t.service(config, stores, logger)
    fake.failNext('createForumTopic', { error_code: 400, description: `Bad Request: chat ${config.token} not found` })
    fake.failNext('getMe', { error_code: 401, description: `Unauthorized ${config.token}` })
    service.notifyTurnEnded(ONE, 'x')
    service.start()
    await drained(stores)
    await eventually(() => logger.find('polling failed').length > 0)
    expect(logger.lines.length).toBeGreaterThanOrEqual(2)
    expect(logger.dump()).toContain('[redacted]')
    expect(logger.dump()).not.toContain(config.token)
    expect(logger.dump()).not.toContain(config.token.split(':')[1])
  })
})

describe('outbox across restarts (the same stores)', () => {
  it('continues on the same file after a restart: every operation sent once, in order', async () => {
    const fake = await t.fake()
    fake.latencyMs = 60
    const path = t.storePath()
    const first = t.storesAt(path)
    const a = t.service(testConfig(fake), first.telegram)
    for (let i = 1; i <= 5; i++) {
      a.notifyTurnEnded(ONE, `one #${i}`)
      a.notifyTurnEnded(TWO, `two #${i}`)
    }
    a.start()
    await eventually(() => fake.callsTo('sendMessage').length >= 3)
    await a.stop()
    first.close()
    const sentBefore = fake.callsTo('sendMessage').length
    expect(sentBefore).toBeLessThan(10)

    const second = t.storesAt(path)
    const b = t.service(testConfig(fake), second.telegram)
    b.start()
    await drained(second.telegram)
    expect(fake.callsTo('createForumTopic')).toHaveLength(2)
    expect(sentTexts(fake, threadOf(second.telegram, ONE.id))).toEqual(['one #1', 'one #2', 'one #3', 'one #4', 'one #5'])
    expect(sentTexts(fake, threadOf(second.telegram, TWO.id))).toEqual(['two #1', 'two #2', 'two #3', 'two #4', 'two #5'])
    expect(second.telegram.outbox.list().every((e) => e.status === 'done' && e.attempts === 1)).toBe(true)
  })

  it('aborts an attempt still hanging at stop; the next start sends it, once', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const first = t.storesAt(path)
    const a = t.service(testConfig(fake, { outbox: { stopGraceMs: 100 } }), first.telegram)
    a.onSessionStarted(ONE)
    a.start()
    await drained(first.telegram)
    fake.hangNext('sendMessage')
    a.notifyTurnEnded(ONE, 'hanging')
    await eventually(() => fake.callsTo('sendMessage').length === 1)
    await a.stop()
    first.close()

    const second = t.storesAt(path)
    expect(second.telegram.outbox.list({ status: 'pending' })).toHaveLength(1)
    const b = t.service(testConfig(fake), second.telegram)
    b.start()
    await drained(second.telegram)
    expect(fake.callsTo('sendMessage')).toHaveLength(2)
    expect([...fake.messages.values()].map((m) => m.text)).toEqual(['hanging'])
  })

  it('runs again an attempt a crash left in flight', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const store = t.storesAt(path)
    const a = t.service(testConfig(fake), store.telegram)
    a.onSessionStarted(ONE)
    a.start()
    await drained(store.telegram)
    await a.stop()
    // what a process killed during sendMessage leaves behind
    const entry = store.telegram.outbox.enqueue({
      lane: `topic:${CHAT}:${ONE.id}`,
      operation: { kind: 'send_message', chatId: CHAT, sessionId: ONE.id, text: 'in flight' },
      createdAt: Date.now(),
    })
    store.telegram.outbox.startAttempt(entry.id, Date.now())
    store.close()

    const again = t.storesAt(path)
    const b = t.service(testConfig(fake), again.telegram)
    b.start()
    await drained(again.telegram)
    expect(sentTexts(fake)).toEqual(['in flight'])
    expect(again.telegram.outbox.get(entry.id)).toMatchObject({ status: 'done', attempts: 2 })
  })
})

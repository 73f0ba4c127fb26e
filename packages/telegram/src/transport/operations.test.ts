import type { TelegramOperation, TelegramStores } from '@claude-sessions/core/telegram'
import { afterEach, describe, expect, it } from 'vitest'
import { createBot } from './bot.js'
import { OperationExecutor } from './operations.js'
import { OutboxWorker } from './outbox-worker.js'
import { ALICE, CHAT, MemoryLogger, SkippingClock, eventually, testConfig, useTelegram } from '../test-support.js'
import type { FakeBotApi } from '../testing/fake-bot-api.js'

const t = useTelegram()
const LANE = `chat:${CHAT}`
const ALLOW_DENY = [[{ text: 'Allow ✓', data: 'perm:aaaa0001:allow' }, { text: 'Deny', data: 'perm:aaaa0001:deny' }]]

/** The executor and a worker on `stores` against `fake`, as the service wires them; stopped after the test. */
const running: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of running.splice(0)) await stop()
})

function startWorker(fake: FakeBotApi, stores: TelegramStores, logger = new MemoryLogger()) {
  const config = testConfig(fake)
  const { bot, destroy } = createBot(config)
  const clock = new SkippingClock()
  const redact = (text: string) => text
  const executor = new OperationExecutor({ api: bot.api, topics: stores.topics, messageKeys: stores.messageKeys, clock, logger, redact })
  const worker = new OutboxWorker({ outbox: stores.outbox, executor, clock, logger, redact, options: config.outbox })
  worker.start()
  running.push(async () => {
    await worker.stop()
    destroy()
  })
  /** Enqueues `ops` in order (in `lane`) and wakes the worker; returns the entry ids. */
  const run = (lane: string, ...ops: TelegramOperation[]) => {
    const ids = ops.map((operation) => stores.outbox.enqueue({ lane, operation, createdAt: clock.now() }).id)
    worker.kick()
    return ids
  }
  const settled = (id: number) =>
    eventually(
      () => {
        const entry = stores.outbox.get(id)
        return entry?.status === 'done' || entry?.status === 'failed' ? entry : undefined
      },
      8_000,
      `entry ${id} settled`,
    )
  return { run, settled, logger, stop: () => worker.stop() }
}

/** Fresh Telegram stores, kept for a restart (test-support storesAt). */
const savedStores = () => t.storesAt(t.storePath()).telegram

const send = (overrides: Partial<Extract<TelegramOperation, { kind: 'send_message' }>> = {}): TelegramOperation => ({
  kind: 'send_message',
  chatId: CHAT,
  text: 'allow rm -rf build?',
  html: 'allow <code>rm -rf build</code>?',
  ...overrides,
})

const edit = (overrides: Partial<Extract<TelegramOperation, { kind: 'edit_message' }>> = {}): TelegramOperation => ({
  kind: 'edit_message',
  chatId: CHAT,
  key: 'perm:1',
  text: 'allowed',
  ...overrides,
})

const onlyMessage = (fake: FakeBotApi) => {
  expect(fake.messages.size).toBe(1)
  return [...fake.messages.values()][0]!
}

describe('outbox operations: keyboards, keys, pins, reactions', () => {
  it('sends inline buttons, visible on the message, and records the message under its key', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [id] = w.run(LANE, send({ buttons: ALLOW_DENY, key: 'perm:1' }))
    expect(await w.settled(id!)).toMatchObject({ status: 'done', attempts: 1 })
    const m = onlyMessage(fake)
    expect(m).toMatchObject({ shown: 'allow rm -rf build?', parseMode: 'HTML', buttons: ALLOW_DENY, pinned: false })
    expect(fake.callsTo('sendMessage')[0]!.params['reply_markup']).toEqual({
      inline_keyboard: [[{ text: 'Allow ✓', callback_data: 'perm:aaaa0001:allow' }, { text: 'Deny', callback_data: 'perm:aaaa0001:deny' }]],
    })
    expect(stores.messageKeys.get('perm:1')).toEqual({ chatId: CHAT, messageId: m.messageId })
  })

  it('edits by key: sets the text and buttons, removes them with null, and drops them when absent', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent] = w.run(LANE, send({ buttons: ALLOW_DENY, key: 'perm:1' }))
    await w.settled(sent!)
    const m = onlyMessage(fake)

    const [retitled] = w.run(LANE, edit({ text: 'still waiting', buttons: [[{ text: 'Stop', data: 'stop:aaaa0001' }]] }))
    expect(await w.settled(retitled!)).toMatchObject({ status: 'done' })
    expect(m).toMatchObject({ shown: 'still waiting', buttons: [[{ text: 'Stop', data: 'stop:aaaa0001' }]] })

    const [removed] = w.run(LANE, edit({ text: 'allowed', html: '<b>allowed</b>', buttons: null }))
    expect(await w.settled(removed!)).toMatchObject({ status: 'done' })
    expect(m).toMatchObject({ shown: 'allowed', parseMode: 'HTML', buttons: undefined })
    expect(fake.callsTo('editMessageText').at(-1)!.params).toMatchObject({ message_id: m.messageId, reply_markup: { inline_keyboard: [] } })

    // the same content again: "message is not modified" counts as done
    const [same] = w.run(LANE, edit({ text: 'allowed', html: '<b>allowed</b>', buttons: null }))
    expect(await w.settled(same!)).toMatchObject({ status: 'done', attempts: 1 })

    const [set, absent] = w.run(LANE, edit({ text: 'again', buttons: ALLOW_DENY }), edit({ text: 'plain', messageId: m.messageId, key: undefined }))
    await w.settled(set!)
    expect(await w.settled(absent!)).toMatchObject({ status: 'done' })
    expect(m).toMatchObject({ shown: 'plain', buttons: undefined })
    expect(fake.callsTo('editMessageText').at(-1)!.params['reply_markup']).toBeUndefined()
  })

  it('runs an edit by key queued behind its send in the same lane, before the send was answered', async () => {
    const fake = await t.fake()
    fake.latencyMs = 150
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent, edited] = w.run(LANE, send({ buttons: ALLOW_DENY, key: 'perm:1' }), edit({ text: 'denied', buttons: null }))
    expect(await w.settled(edited!)).toMatchObject({ status: 'done', attempts: 1 })
    expect(stores.outbox.get(sent!)?.status).toBe('done')
    expect(onlyMessage(fake)).toMatchObject({ shown: 'denied', buttons: undefined })
  })

  it('retries an edit by key from another lane until its message is sent', async () => {
    const fake = await t.fake()
    fake.latencyMs = 150
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [edited] = w.run('other', edit({ text: 'denied' }))
    const [sent] = w.run(LANE, send({ key: 'perm:1' }))
    const done = await w.settled(edited!)
    expect(done).toMatchObject({ status: 'done', lastError: 'message not sent yet (key perm:1)' })
    expect(done.attempts).toBeGreaterThan(1)
    expect(stores.outbox.get(sent!)?.status).toBe('done')
    expect(onlyMessage(fake).shown).toBe('denied')
  })

  it('fails an edit that names no message, or both a message id and a key', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [neither, both] = w.run(LANE, edit({ key: undefined }), edit({ messageId: 5 }))
    expect(await w.settled(neither!)).toMatchObject({ status: 'failed', lastError: 'edit_message needs exactly one of messageId and key' })
    expect(await w.settled(both!)).toMatchObject({ status: 'failed' })
    expect(fake.callsTo('editMessageText')).toEqual([])
  })

  it('pins a sent message silently; a failed pin is logged and the send still counts', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [pinned] = w.run(LANE, send({ text: 'status card', html: undefined, pin: true }))
    expect(await w.settled(pinned!)).toMatchObject({ status: 'done' })
    const card = onlyMessage(fake)
    expect(card.pinned).toBe(true)
    expect(fake.callsTo('pinChatMessage')[0]!.params).toMatchObject({ chat_id: CHAT, message_id: card.messageId, disable_notification: true })

    fake.failNext('pinChatMessage', { error_code: 400, description: 'Bad Request: not enough rights to manage pinned messages in the chat' })
    const [unpinned] = w.run(LANE, send({ text: 'second card', html: undefined, pin: true, key: 'card' }))
    expect(await w.settled(unpinned!)).toMatchObject({ status: 'done', attempts: 1 })
    const second = fake.messages.get(stores.messageKeys.get('card')!.messageId)!
    expect(second).toMatchObject({ shown: 'second card', pinned: false })
    expect(fake.callsTo('sendMessage')).toHaveLength(2)
    expect(w.logger.find('could not pin')[0]?.obj).toMatchObject({ messageId: second.messageId, error: expect.stringContaining('not enough rights') })
  })

  it('reacts to a message; an unknown message fails with Telegram’s error', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent] = w.run(LANE, send({ key: 'perm:1' }))
    await w.settled(sent!)
    const m = onlyMessage(fake)
    const [reacted] = w.run(LANE, { kind: 'react', chatId: CHAT, messageId: m.messageId, emoji: '👍' })
    expect(await w.settled(reacted!)).toMatchObject({ status: 'done' })
    expect(m.reactions).toEqual(['👍'])
    expect(fake.callsTo('setMessageReaction')[0]!.params).toMatchObject({ reaction: [{ type: 'emoji', emoji: '👍' }] })
    const [lost] = w.run(LANE, { kind: 'react', chatId: CHAT, messageId: 99_999, emoji: '👀' })
    expect(await w.settled(lost!)).toMatchObject({ status: 'failed', lastError: '400: Bad Request: message to react not found' })
  })

  it('keeps the buttons when Telegram rejects the HTML and the plain text is sent instead', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent] = w.run(LANE, send({ html: 'allow <b>rm', buttons: ALLOW_DENY, key: 'perm:1' }))
    expect(await w.settled(sent!)).toMatchObject({ status: 'done' })
    const m = onlyMessage(fake)
    expect(m).toMatchObject({ shown: 'allow rm -rf build?', parseMode: undefined, buttons: ALLOW_DENY })
    expect(fake.callsTo('sendMessage')).toHaveLength(2)

    const stop = [[{ text: 'Stop', data: 'stop:aaaa0001' }]]
    const [edited] = w.run(LANE, edit({ text: 'a < b', html: 'a < b', buttons: stop }))
    expect(await w.settled(edited!)).toMatchObject({ status: 'done' })
    expect(m).toMatchObject({ shown: 'a < b', parseMode: undefined, buttons: stop })
  })

  it('fails, without calling Telegram, a button whose callback data is over 64 bytes', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent] = w.run(LANE, send({ buttons: [[{ text: 'Long', data: 'ü'.repeat(33) }]] }))
    expect(await w.settled(sent!)).toMatchObject({ status: 'failed', lastError: 'button "Long": callback data must be 1 to 64 bytes, is 66' })
    expect(fake.callsTo('sendMessage')).toEqual([])
  })

  it('finds a key recorded before a restart, in the same stores', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const first = startWorker(fake, t.storesAt(path).telegram)
    const [sent] = first.run(LANE, send({ buttons: ALLOW_DENY, key: 'perm:1', pin: true }))
    await first.settled(sent!)
    await first.stop()
    const stores = t.storesAt(path).telegram
    expect(stores.outbox.get(sent!)?.operation).toEqual(send({ buttons: ALLOW_DENY, key: 'perm:1', pin: true }))
    const second = startWorker(fake, stores)
    const [edited] = second.run(LANE, edit({ text: 'expired', buttons: null }))
    expect(await second.settled(edited!)).toMatchObject({ status: 'done' })
    expect(onlyMessage(fake)).toMatchObject({ shown: 'expired', buttons: undefined, pinned: true })
  })
})

describe('fake Bot API: button presses', () => {
  it('injects a callback_query for a button of a message it holds', async () => {
    const fake = await t.fake()
    const stores = savedStores()
    const w = startWorker(fake, stores)
    const [sent] = w.run(LANE, send({ buttons: ALLOW_DENY }))
    await w.settled(sent!)
    const m = onlyMessage(fake)
    const updateId = fake.pressButton(ALICE, CHAT, m.messageId, 'perm:aaaa0001:allow')
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/getUpdates`, { method: 'POST' })
    const { result } = (await res.json()) as { result: Array<Record<string, unknown>> }
    expect(result).toEqual([
      {
        update_id: updateId,
        callback_query: {
          id: expect.any(String),
          from: { is_bot: false, first_name: 'user', ...ALICE },
          chat_instance: expect.any(String),
          data: 'perm:aaaa0001:allow',
          message: expect.objectContaining({ message_id: m.messageId, chat: expect.objectContaining({ id: CHAT }), text: 'allow rm -rf build?' }),
        },
      },
    ])
  })
})

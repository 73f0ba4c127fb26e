import { aSession } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { pairArgument } from './access.js'
import { ALICE, CHAT, MALLORY, MemoryLogger, SkippingClock, eventually, testConfig, useTelegram } from '../test-support.js'
import { FAKE_BOT } from '../testing/fake-bot-api.js'

const t = useTelegram()
const BOB = { id: 222, username: 'bob' }

/** A service with one open session topic; returns what the tests need. */
async function running(overrides: Parameters<typeof testConfig>[1] = {}, clock?: SkippingClock) {
  const fake = await t.fake()
  const logger = new MemoryLogger()
  const stores = t.memoryStores()
  const service = t.service(testConfig(fake, overrides), stores, logger, clock)
  const texts: string[] = []
  service.onTopicText((m) => void texts.push(`${m.sessionId}:${m.from.id}:${m.text}`))
  service.onSessionStarted(aSession({ id: 'a1b2c3d4', name: 'worker' }))
  service.start()
  const topic = await eventually(() => (stores.topics.get(CHAT, 'a1b2c3d4')?.status === 'open' ? stores.topics.get(CHAT, 'a1b2c3d4') : undefined))
  return { fake, logger, stores, service, texts, threadId: topic.threadId! }
}

/** Waits until `user`'s button press (a barrier: same chat, handled in order) was answered. */
async function barrier(fake: Awaited<ReturnType<typeof t.fake>>, chatId = CHAT) {
  const n = fake.callsTo('answerCallbackQuery').length
  fake.pressButton(ALICE, chatId, 'barrier')
  await eventually(() => fake.callsTo('answerCallbackQuery').length > n, 8_000, 'barrier answered')
}

describe('access: deny by default', () => {
  it("ignores a stranger's text, command, private message and button press: no API call, one log line each", async () => {
    const { fake, logger, texts, threadId } = await running()
    const before = fake.actions().length
    fake.sendText(MALLORY, CHAT, 'rm -rf /', threadId)
    fake.sendText(MALLORY, CHAT, '/status')
    fake.sendText(MALLORY, CHAT, '/kill a1b2c3d4', threadId)
    fake.pressButton(MALLORY, CHAT, 'perm:a1b2c3d4:allow')
    fake.sendText(MALLORY, MALLORY.id, 'hello bot')
    const denied = await eventually(() => {
      const lines = logger.find('not allowed')
      return lines.length === 5 ? lines : undefined
    })
    await barrier(fake)
    expect(fake.actions().slice(before).map((c) => c.method)).toEqual(['answerCallbackQuery'])
    expect(texts).toEqual([])
    // chats are handled concurrently: the private message may come anywhere
    expect(denied.map((l) => [l.level, l.obj['userId'], l.obj['chatId'], l.obj['update']]).sort()).toEqual(
      [
        ['warn', MALLORY.id, CHAT, 'message'],
        ['warn', MALLORY.id, CHAT, 'message'],
        ['warn', MALLORY.id, CHAT, 'message'],
        ['warn', MALLORY.id, CHAT, 'callback_query'],
        ['warn', MALLORY.id, MALLORY.id, 'message'],
      ].sort(),
    )
    // nothing of what they wrote reaches the logs
    expect(logger.dump()).not.toContain('rm -rf')
  })

  it("hands an allowed user's text in a session topic to onTopicText, but not commands or text outside topics", async () => {
    const { fake, texts, threadId } = await running()
    fake.sendText(ALICE, CHAT, 'please continue ✓ <b>&', threadId)
    fake.sendText(ALICE, CHAT, '/status', threadId)
    fake.sendText(ALICE, CHAT, 'in general')
    fake.sendText(ALICE, CHAT, 'in a topic of no session', 99_999)
    await barrier(fake)
    expect(texts).toEqual(['a1b2c3d4:111:please continue ✓ <b>&'])
  })

  it('ignores every update from another chat, even from an allowed user', async () => {
    const { fake, logger, texts } = await running()
    const before = fake.actions().length
    fake.sendText(ALICE, -100999, 'hello from elsewhere')
    fake.pressButton(ALICE, -100999, 'x')
    await eventually(() => logger.find('another chat').length === 2)
    await barrier(fake)
    expect(fake.actions().slice(before).map((c) => c.method)).toEqual(['answerCallbackQuery'])
    expect(texts).toEqual([])
  })

  it('lets nobody in with an empty allowlist, and warns at start', async () => {
    const { fake, logger, texts, threadId } = await running({ allowedUserIds: [] })
    expect(logger.find('nobody may use the bot')).toHaveLength(1)
    const before = fake.actions().length
    fake.sendText(ALICE, CHAT, 'hello', threadId)
    fake.pressButton(ALICE, CHAT, 'x')
    await eventually(() => logger.find('not allowed').length === 2)
    expect(fake.actions().slice(before)).toEqual([])
    expect(texts).toEqual([])
  })
})

describe('access: pairing', () => {
  it('adds a stranger who sends a valid code, confirms it to them, and lets them in from then on', async () => {
    const { fake, logger, stores, service, texts, threadId } = await running()
    const { code, expiresAt } = service.issuePairingCode()
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    expect(expiresAt - Date.now()).toBeGreaterThan(590_000)
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(600_000)
    fake.sendText(BOB, BOB.id, `/pair ${code.toLowerCase().replace('-', ' ')}`)
    await eventually(() => fake.callsTo('sendMessage').some((c) => c.params['chat_id'] === BOB.id))
    expect(service.isAllowed(BOB.id)).toBe(true)
    expect(stores.access.users().map((u) => [u.userId, u.username])).toEqual([[BOB.id, 'bob']])
    expect(fake.callsTo('sendMessage').find((c) => c.params['chat_id'] === BOB.id)?.params['text']).toMatch(/Paired/)
    expect(logger.find('user paired')).toHaveLength(1)
    expect(logger.dump()).not.toContain(code)
    fake.sendText(BOB, CHAT, 'now I may', threadId)
    await eventually(() => texts.length === 1)
    expect(texts).toEqual([`a1b2c3d4:${BOB.id}:now I may`])
  })

  it('refuses a used code: the second user gets no answer', async () => {
    const { fake, logger, service } = await running()
    const { code } = service.issuePairingCode()
    fake.sendText(BOB, BOB.id, `/pair ${code}`)
    await eventually(() => fake.callsTo('sendMessage').some((c) => c.params['chat_id'] === BOB.id))
    const before = fake.actions().length
    fake.sendText(MALLORY, MALLORY.id, `/pair ${code}`)
    const refused = await eventually(() => logger.find('pairing refused')[0])
    expect(refused.obj).toMatchObject({ userId: MALLORY.id, result: 'used' })
    await barrier(fake)
    expect(fake.actions().slice(before).map((c) => c.method)).toEqual(['answerCallbackQuery'])
    expect(service.isAllowed(MALLORY.id)).toBe(false)
  })

  it('refuses an expired code (after 10 minutes) with no answer', async () => {
    const clock = new SkippingClock()
    const { fake, logger, service } = await running({}, clock)
    const { code } = service.issuePairingCode()
    clock.skip(600_001)
    const before = fake.actions().length
    fake.sendText(BOB, BOB.id, `/pair ${code}`)
    const refused = await eventually(() => logger.find('pairing refused')[0])
    expect(refused.obj).toMatchObject({ userId: BOB.id, result: 'expired' })
    await barrier(fake)
    expect(fake.actions().slice(before).map((c) => c.method)).toEqual(['answerCallbackQuery'])
    expect(service.isAllowed(BOB.id)).toBe(false)
    // the skipped domain time did not fool the polling watchdog
    expect(service.stallRestarts).toBe(0)
  })

  it('refuses a wrong code with no answer, and stops listening after 5 attempts, even to the right code', async () => {
    const { fake, logger, service } = await running()
    const { code } = service.issuePairingCode()
    const before = fake.actions().length
    for (const wrong of ['AAAA-AAAA', 'nonsense!', '', 'BBBB-BBBB', 'CCCC-CCCC']) fake.sendText(MALLORY, MALLORY.id, `/pair ${wrong}`)
    fake.sendText(MALLORY, MALLORY.id, `/pair ${code}`)
    await eventually(() => logger.find('pairing refused').length === 6)
    expect(logger.find('pairing refused').map((l) => l.obj['result'])).toEqual(['unknown', 'malformed', 'malformed', 'unknown', 'unknown', 'rate_limited'])
    await barrier(fake)
    expect(fake.actions().slice(before).map((c) => c.method)).toEqual(['answerCallbackQuery'])
    expect(service.isAllowed(MALLORY.id)).toBe(false)
    // the code is still good for someone else
    fake.sendText(BOB, BOB.id, `/pair ${code}`)
    await eventually(() => service.isAllowed(BOB.id))
  })

  it('takes /pair only as the whole command, addressed to this bot', () => {
    expect(pairArgument('/pair ABCD-EFGH', FAKE_BOT.username)).toBe('ABCD-EFGH')
    expect(pairArgument(`/pair@${FAKE_BOT.username} x`, FAKE_BOT.username)).toBe('x')
    expect(pairArgument('/PAIR   ab cd  ', FAKE_BOT.username)).toBe('ab cd')
    expect(pairArgument('/pair', FAKE_BOT.username)).toBe('')
    expect(pairArgument('/pair@other_bot ABCD-EFGH', FAKE_BOT.username)).toBeUndefined()
    expect(pairArgument('/pairing ABCD', FAKE_BOT.username)).toBeUndefined()
    expect(pairArgument('please /pair ABCD', FAKE_BOT.username)).toBeUndefined()
    expect(pairArgument(undefined, FAKE_BOT.username)).toBeUndefined()
  })
})

describe('access: a stranger flooding the bot', () => {
  it('logs the first 20 refusals per user as warnings, the rest at debug level', async () => {
    const { fake, logger } = await running()
    for (let i = 0; i < 25; i++) fake.sendText(MALLORY, CHAT, `spam ${i}`)
    await eventually(() => logger.find('not allowed').length === 25)
    expect(logger.find('not allowed').filter((l) => l.level === 'warn')).toHaveLength(20)
    expect(logger.find('not allowed').filter((l) => l.level === 'debug')).toHaveLength(5)
    expect(fake.actions().filter((c) => c.method !== 'createForumTopic')).toEqual([])
  })
})

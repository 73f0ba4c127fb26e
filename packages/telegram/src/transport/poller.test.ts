import { aSession } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { ALICE, CHAT, MemoryLogger, eventually, testConfig, useTelegram } from '../test-support.js'
import { manualTime } from '../testing/manual-time.js'

const t = useTelegram()
const S = aSession({ id: 'a1b2c3d4', name: 'worker' })

/**
 * A running service with an open topic and a record of the texts typed in it. The poller (its
 * watchdog and restart backoff) and the fake's long polls run on `time`, which moves only when
 * the test says; everything else runs on real time.
 */
async function polling(overrides: Parameters<typeof testConfig>[1] = {}, prepare?: (fake: Awaited<ReturnType<typeof t.fake>>) => void) {
  const time = manualTime(1_000_000)
  const fake = await t.fake({ now: time.clock.now, timer: time.timer })
  prepare?.(fake)
  const stores = t.memoryStores()
  const logger = new MemoryLogger()
  const service = t.service(testConfig(fake, overrides), stores, logger, undefined, { pollerTime: { now: time.clock.now, timer: time.timer } })
  const texts: string[] = []
  service.onTopicText((m) => void texts.push(m.text))
  service.onSessionStarted(S)
  service.start()
  const threadId = await eventually(() => stores.topics.get(CHAT, S.id)?.threadId)
  return { fake, stores, logger, service, texts, threadId, time }
}

describe('long polling', () => {
  it('delivers updates in order, confirming each batch with the next offset', async () => {
    const { fake, texts, threadId } = await polling()
    for (let i = 1; i <= 5; i++) fake.sendText(ALICE, CHAT, `text ${i}`, threadId)
    await eventually(() => texts.length === 5)
    expect(texts).toEqual(['text 1', 'text 2', 'text 3', 'text 4', 'text 5'])
    await eventually(() => fake.pendingUpdates() === 0)
    const offsets = fake.callsTo('getUpdates').map((c) => c.params['offset'] as number)
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    expect(fake.callsTo('getUpdates')[0]!.params).toMatchObject({ timeout: 1, allowed_updates: ['message', 'callback_query'] })
  })

  it('restarts polling when a getUpdates call hangs, and updates flow again', async () => {
    const { fake, logger, service, texts, threadId, time } = await polling({ stallSeconds: 2 })
    fake.sendText(ALICE, CHAT, 'before', threadId)
    await eventually(() => texts.length === 1)
    // the connection goes quiet: the next long poll never answers
    await eventually(() => fake.waitingPolls() === 1)
    fake.hangNext('getUpdates')
    const hungAt = fake.callsTo('getUpdates').length
    time.advance(1_000) // the waiting poll ends empty (its 1 s timeout); the next one hangs
    await eventually(() => fake.callsTo('getUpdates').length > hungAt)
    fake.sendText(ALICE, CHAT, 'after', threadId)
    time.advance(2_500) // past the 2 s stall: the watchdog (every 500 ms) restarts polling once
    await eventually(() => texts.length === 2, 10_000)
    expect(texts).toEqual(['before', 'after'])
    expect(service.stallRestarts).toBe(1)
    expect(logger.find('no getUpdates completed; restarting polling')).toHaveLength(1)
    // the restarted poll carries on from the last offset, not from 0
    const calls = fake.callsTo('getUpdates')
    const hung = calls[hungAt]!
    expect(calls[hungAt + 1]!.params['offset']).toBe(hung.params['offset'])
    expect(hung.params['offset']).toBeGreaterThan(1)
  })

  it('restarts polling with backoff when Telegram fails, and recovers', async () => {
    const { fake, logger, texts, threadId, time } = await polling({}, (fake) => {
      fake.failNext('getUpdates', { error_code: 500, description: 'Internal Server Error' }, 2)
    })
    await eventually(() => logger.find('polling failed; restarting').length === 1)
    time.advance(1_000) // the first backoff
    await eventually(() => logger.find('polling failed; restarting').length === 2, 10_000)
    expect(logger.find('polling failed; restarting').map((l) => [l.obj['retryInMs'], l.obj['error']])).toEqual([
      [1_000, "Call to 'getUpdates' failed! (500: Internal Server Error)"],
      [2_000, "Call to 'getUpdates' failed! (500: Internal Server Error)"],
    ])
    time.advance(2_000) // the second backoff
    fake.sendText(ALICE, CHAT, 'made it', threadId)
    await eventually(() => texts.length === 1, 10_000)
    const calls = fake.callsTo('getUpdates')
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950)
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(1_950)
  })

  it('is never restarted by the watchdog while long polls complete normally', async () => {
    const { fake, service, time } = await polling({ pollTimeoutSeconds: 1, stallSeconds: 1.5 })
    // 3.5 s pass while long polls wait and end empty every second (the watchdog checks every 375 ms)
    for (let passed = 0; passed < 3_500; passed += 500) {
      await eventually(() => fake.waitingPolls() === 1)
      time.advance(500)
    }
    expect(service.stallRestarts).toBe(0)
    expect(fake.callsTo('getUpdates').length).toBeGreaterThanOrEqual(3)
  })
})

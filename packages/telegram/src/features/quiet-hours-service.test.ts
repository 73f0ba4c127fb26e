import { aSession } from '@claude-sessions/core/testing'
import { describe, expect, it } from 'vitest'
import { NOTIFICATION_KINDS } from '@claude-sessions/core'
import type { NotifierConfig } from './notify/notifier.js'
import { TelegramService } from '../telegram-service.js'
import { CHAT, eventually, SkippingClock, testConfig, useTelegram } from '../test-support.js'

const t = useTelegram()
const S = aSession({ id: 'a1b2c3d4', name: 'night-owl' })

/** Timers the test runs by hand (the quiet-hours end). */
class ManualTimers {
  private readonly pending: { at: number; work: () => void }[] = []
  constructor(private readonly clock: SkippingClock) {}
  readonly timer = (ms: number, work: () => void) => {
    const entry = { at: this.clock.now() + ms, work }
    this.pending.push(entry)
    return { cancel: () => void this.pending.splice(this.pending.indexOf(entry) >>> 0, 1) }
  }
  /** Runs every timer due by now. */
  runDue(): void {
    for (const e of [...this.pending].filter((p) => p.at <= this.clock.now())) {
      this.pending.splice(this.pending.indexOf(e), 1)
      e.work()
    }
  }
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16)

describe('quiet hours through the service (fake Bot API, stored outbox)', () => {
  it('holds non-urgent notifications, lets urgent ones through, and posts one digest when they end', async () => {
    const fake = await t.fake()
    const store = t.storesAt(t.storePath())
    const clock = new SkippingClock()
    const timers = new ManualTimers(clock)
    const now = clock.now()
    // quiet from this minute for two minutes, in UTC
    const notify: NotifierConfig = {
      enabled: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as NotifierConfig['enabled'],
      quietHours: { start: hhmm(now), end: hhmm(now + 120_000), timeZone: 'UTC', urgent: ['permission', 'question'] },
    }
    const service = new TelegramService({ config: testConfig(fake), stores: store.telegram, clock, timer: timers.timer, notify })
    try {
      service.start()
      service.onSessionStarted(S)
      service.notifyTurnEnded(S, 'first answer, written at night')
      service.notify(S, 'error', 'Error: the turn failed', 'API Error: 529')
      service.notifyTurnEnded(S, 'second answer: the latest one')
      service.notify(S, 'question', 'Question', 'Which database?\n1. Postgres\n2. SQLite')
      const threadId = await eventually(() => store.telegram.topics.get(CHAT, S.id)?.threadId)
      const texts = () => fake.botMessages().filter((m) => m.threadId === threadId).map((m) => m.shown)
      await eventually(() => texts().some((x) => x.startsWith('Question')), 8000, 'the urgent question')
      await new Promise((r) => setTimeout(r, 300))
      expect(texts().some((x) => x.includes('answer'))).toBe(false)

      clock.skip(121_000)
      timers.runDue()
      const digest = await eventually(() => texts().find((x) => x.startsWith('While you were away')), 8000, 'the digest')
      expect(digest).toContain(`(${notify.quietHours!.start}–${notify.quietHours!.end})`)
      expect(digest).toContain('Error: the turn failed')
      expect(digest.indexOf('first answer')).toBeLessThan(digest.indexOf('Error: the turn failed'))
      await eventually(() => texts().some((x) => x.includes('second answer: the latest one')), 8000, 'the latest response in full')
      // each held notification is in the digest once; nothing held is sent on its own as well
      expect(texts().filter((x) => x === 'first answer, written at night')).toEqual([])
    } finally {
      await service.stop()
    }
  })

  it('keeps held notifications across a restart: the digest after it has them all', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const clock = new SkippingClock()
    const now = clock.now()
    const notify: NotifierConfig = {
      enabled: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as NotifierConfig['enabled'],
      quietHours: { start: hhmm(now), end: hhmm(now + 120_000), timeZone: 'UTC', urgent: ['permission', 'question'] },
    }
    const firstStore = t.storesAt(path)
    const first = new TelegramService({ config: testConfig(fake), stores: firstStore.telegram, clock, timer: new ManualTimers(clock).timer, notify })
    try {
      first.start()
      first.onSessionStarted(S)
      first.notifyTurnEnded(S, 'an answer from before the restart')
      first.notify(S, 'error', 'Error: held across the restart', 'API Error: 529')
      await eventually(() => firstStore.telegram.topics.get(CHAT, S.id)?.threadId)
    } finally {
      await first.stop()
    }
    expect(firstStore.telegram.held.list()).toHaveLength(2)
    firstStore.close()

    const store = t.storesAt(path)
    const timers = new ManualTimers(clock)
    const service = new TelegramService({ config: testConfig(fake), stores: store.telegram, clock, timer: timers.timer, notify })
    try {
      service.start()
      const threadId = await eventually(() => store.telegram.topics.get(CHAT, S.id)?.threadId)
      const texts = () => fake.botMessages().filter((m) => m.threadId === threadId).map((m) => m.shown)
      clock.skip(121_000)
      timers.runDue()
      const digest = await eventually(() => texts().find((x) => x.startsWith('While you were away')), 8000, 'the digest')
      expect(digest).toContain('an answer from before the restart')
      expect(digest).toContain('Error: held across the restart')
      expect(digest.indexOf('an answer from before')).toBeLessThan(digest.indexOf('Error: held across'))
      await eventually(() => texts().includes('an answer from before the restart'), 8000, 'the latest response in full')
      await new Promise((r) => setTimeout(r, 300))
      expect(texts().filter((x) => x.startsWith('While you were away'))).toHaveLength(1)
      expect(store.telegram.held.list()).toEqual([])
    } finally {
      await service.stop()
    }
  })
})

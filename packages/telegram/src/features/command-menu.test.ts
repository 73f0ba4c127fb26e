import { describe, expect, it } from 'vitest'
import { CommandMenu } from './command-menu.js'
import { CATALOG, menuCommands } from './commands/catalog.js'
import { FakeControl } from '../testing/fake-control.js'
import { createBot } from '../transport/bot.js'
import { TelegramService } from '../telegram-service.js'
import { MemoryLogger, eventually, testConfig, useTelegram } from '../test-support.js'

const t = useTelegram()

/** A timer that runs nothing until `fire()`: retries happen when the test says. */
function manualTimer() {
  const waiting: Array<{ ms: number; work: () => void; cancelled: boolean }> = []
  return {
    waiting,
    timer: (ms: number, work: () => void) => {
      const entry = { ms, work, cancelled: false }
      waiting.push(entry)
      return { cancel: () => void (entry.cancelled = true) }
    },
    fire() {
      const next = waiting.shift()
      if (next && !next.cancelled) next.work()
    },
  }
}

describe('command menu', () => {
  it('the service sets every command of /help as the menu when it starts', async () => {
    const fake = await t.fake()
    const service = new TelegramService({ config: testConfig(fake), stores: t.memoryStores(), control: new FakeControl() })
    try {
      expect(fake.callsTo('setMyCommands')).toHaveLength(0) // nothing before start
      service.start()
      await eventually(() => fake.myCommands.length > 0)
      expect(fake.myCommands.map((c) => c.command)).toEqual(CATALOG.map((c) => c.command))
      expect(fake.myCommands.find((c) => c.command === 'output')!.description).toBe('[session] [lines] — the end of its terminal (30 lines; at most 200)')
      expect(fake.callsTo('setMyCommands')).toHaveLength(1)
      // setup calls are not among what the bot did in chats
      expect(fake.actions().some((c) => c.method === 'setMyCommands')).toBe(false)
    } finally {
      await service.stop()
    }
  })

  it('without session control (no commands) the menu is left alone', async () => {
    const fake = await t.fake()
    const service = new TelegramService({ config: testConfig(fake), stores: t.memoryStores() })
    service.start()
    await eventually(() => fake.callsTo('getUpdates').length > 0)
    await service.stop()
    expect(fake.callsTo('setMyCommands')).toHaveLength(0)
  })

  it('every entry is one Telegram accepts', () => {
    for (const c of menuCommands()) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/)
      expect(c.description.length).toBeGreaterThan(0)
      expect(c.description.length).toBeLessThanOrEqual(256)
    }
  })

  it('a failure is logged and retried after each delay, then given up', async () => {
    const fake = await t.fake()
    const { bot, destroy } = createBot(testConfig(fake))
    const logger = new MemoryLogger()
    const clock = manualTimer()
    fake.failNext('setMyCommands', { error_code: 500, description: 'Internal Server Error' }, 3)
    const menu = new CommandMenu({ api: bot.api, commands: menuCommands(), timer: clock.timer, logger, redact: (s) => s, retryDelaysMs: [10, 20] })
    try {
      menu.start()
      await eventually(() => clock.waiting.length === 1)
      expect(clock.waiting[0]!.ms).toBe(10)
      clock.fire()
      await eventually(() => clock.waiting.length === 1 && clock.waiting[0]!.ms === 20)
      clock.fire()
      await eventually(() => logger.lines.some((l) => l.msg.includes('giving up')))
      expect(menu.isSet).toBe(false)
      expect(fake.callsTo('setMyCommands')).toHaveLength(3)
      expect(logger.lines.filter((l) => l.msg.includes('will try again'))).toHaveLength(2)

      // the next start succeeds at once
      const again = new CommandMenu({ api: bot.api, commands: menuCommands(), timer: clock.timer, logger, redact: (s) => s })
      again.start()
      await eventually(() => again.isSet)
      expect(fake.myCommands).toHaveLength(CATALOG.length)
    } finally {
      menu.stop()
      destroy()
    }
  })

  it('stop cancels a waiting retry', async () => {
    const fake = await t.fake()
    const { bot, destroy } = createBot(testConfig(fake))
    const clock = manualTimer()
    fake.failNext('setMyCommands', { error_code: 502, description: 'Bad Gateway' })
    const menu = new CommandMenu({ api: bot.api, commands: menuCommands(), timer: clock.timer, logger: new MemoryLogger(), redact: (s) => s })
    try {
      menu.start()
      await eventually(() => clock.waiting.length === 1)
      menu.stop()
      clock.fire()
      expect(fake.callsTo('setMyCommands')).toHaveLength(1)
    } finally {
      destroy()
    }
  })
})

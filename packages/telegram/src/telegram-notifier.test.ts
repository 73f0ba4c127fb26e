import { aSession, notifierContract } from '@claude-sessions/core/testing'
import { telegramNotifier } from './telegram-notifier.js'
import { eventually, testConfig, useTelegram } from './test-support.js'

const t = useTelegram()

notifierContract('Telegram (fake Bot API)', async () => {
  const fake = await t.fake()
  const service = t.service(testConfig(fake), t.memoryStores())
  const session = aSession({ id: 'aaaa1111', name: 'alpha', workingDir: '/w' })
  service.onSessionStarted(session)
  service.start()
  const texts = () => [...fake.messages.values()].map((m) => m.shown)
  return {
    notifier: telegramNotifier(service),
    session,
    stoppedSession: aSession({ id: 'bbbb2222', name: 'gone', state: 'stopped', workingDir: '/w' }),
    // the session's topic: its status card and the notifications, in the order posted
    arrived: async (count) => eventually(() => (texts().filter((x) => x.includes('body of ')).length >= count ? texts() : null), 8_000, `${count} notifications`),
    close: () => undefined,
  }
})

// Run by lifecycle.test.ts in a child process, against the built package: a service that did
// real work (a topic, messages, an inbound text, an attempt hanging at stop, the throttler on)
// and was stopped must let the process exit by itself. No process.exit here on purpose.
import { inMemoryTelegramStores } from '@claude-sessions/core/telegram/testing'
import { TelegramService, resolveTelegramConfig } from '../../dist/index.js'
import { FakeBotApi } from '../../dist/testing/index.js'

const CHAT = -1001000000001
const session = { id: 'a1b2c3d4', name: 'exit', workingDir: '/' }
const until = async (check) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25))
  if (!check()) throw new Error('timed out')
}

const fake = await FakeBotApi.start()
const stores = inMemoryTelegramStores()
const config = resolveTelegramConfig({
  token: fake.token,
  chatId: CHAT,
  apiRoot: fake.apiRoot,
  allowedUserIds: [111],
  pollTimeoutSeconds: 1,
  stallSeconds: 3,
  outbox: { stopGraceMs: 200 },
})
const service = new TelegramService({ config, stores })
const texts = []
service.onTopicText((m) => void texts.push(m.text))
service.onSessionStarted(session)
service.notifyTurnEnded(session, 'hello <world>')
service.start()
await until(() => fake.messages.size === 1)
const threadId = stores.topics.get(CHAT, session.id).threadId
fake.sendText({ id: 111, username: 'alice' }, CHAT, 'typed in the topic', threadId)
await until(() => texts.length === 1)
fake.hangNext('sendMessage')
service.notifyTurnEnded(session, 'hangs at stop')
await until(() => fake.callsTo('sendMessage').length === 2)
await service.stop()
await fake.close()
process.stdout.write(JSON.stringify({ texts, sent: fake.callsTo('sendMessage').length, pending: stores.outbox.list({ status: 'pending' }).length }) + '\n')

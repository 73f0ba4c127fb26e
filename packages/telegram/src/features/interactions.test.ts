import { describe, expect, it } from 'vitest'
import { FakeControl } from '../testing/fake-control.js'
import { TelegramService } from '../telegram-service.js'
import { ALICE, CHAT, eventually, testConfig, useTelegram } from '../test-support.js'

const t = useTelegram()

/** A running service with a fake control holding two idle sessions; `alpha` has its topic. */
async function setup() {
  const fake = await t.fake()
  const stores = t.memoryStores()
  const control = new FakeControl()
  const alpha = control.add({ id: 'a1a1a1a1', name: 'alpha' })
  const beta = control.add({ id: 'b2b2b2b2', name: 'beta' })
  const service = new TelegramService({ config: testConfig(fake), stores, control })
  service.start()
  service.onSessionStarted(alpha)
  const thread = await eventually(() => stores.topics.get(CHAT, alpha.id)?.threadId)
  const bot = () => fake.botMessages()
  return { fake, stores, control, service, alpha, beta, thread, bot, stop: () => service.stop() }
}

describe('interactions: follow, send modes, confirmations', () => {
  it('/follow in the forum: buttons for sessions without a topic; a press makes its topic', async () => {
    const s = await setup()
    try {
      s.fake.sendText(ALICE, CHAT, '/follow')
      const ask = await eventually(() => s.bot().find((m) => m.shown === 'Follow which session?'))
      expect(ask.buttons!.flat().map((b) => b.text)).toEqual(['beta [b2b2b2b2]'])
      s.fake.pressButton(ALICE, CHAT, ask.messageId, ask.buttons![0]![0]!.data)
      await eventually(() => [...s.fake.topics.values()].find((x) => x.name === 'beta [b2b2b2b2]'))
      await eventually(() => s.fake.messages.get(ask.messageId)!.shown.startsWith('Following beta [b2b2b2b2] in its topic'))
      // asked again: one topic still, and nothing left to follow
      s.fake.sendText(ALICE, CHAT, '/follow beta')
      s.fake.sendText(ALICE, CHAT, '/follow')
      await eventually(() => s.bot().some((m) => m.shown === 'Every live session is followed already.'))
      expect(s.fake.callsTo('createForumTopic')).toHaveLength(2)
    } finally {
      await s.stop()
    }
  })

  it('/important and /force in a topic send with that mode and are confirmed with a reaction', async () => {
    const s = await setup()
    try {
      const important = s.fake.sendText(ALICE, CHAT, '/important check the tests too', s.thread)
      const force = s.fake.sendText(ALICE, CHAT, '/force stop now', s.thread)
      await eventually(() => s.control.callsOf('send').length === 2)
      expect(s.control.callsOf('send')).toEqual([
        ['a1a1a1a1', 'check the tests too', 'important'],
        ['a1a1a1a1', 'stop now', 'urgent'],
      ])
      await eventually(() => s.fake.messages.get(s.fake.messageIdOf(important)!)!.reactions.includes('👍'))
      await eventually(() => s.fake.messages.get(s.fake.messageIdOf(force)!)!.reactions.includes('👍'))
      s.fake.sendText(ALICE, CHAT, '/important', s.thread)
      await eventually(() => s.bot().some((m) => m.shown === 'Usage: /important <text>'))
    } finally {
      await s.stop()
    }
  })

  it('a queued message still gets its reaction when it is delivered after a restart', async () => {
    const s = await setup()
    let next: TelegramService | undefined
    try {
      s.control.sendStatus = 'queued'
      const update = s.fake.sendText(ALICE, CHAT, 'after the restart', s.thread)
      await eventually(() => s.bot().some((m) => m.shown === 'Queued: it goes in when alpha is free.'))
      await s.stop()
      next = new TelegramService({ config: testConfig(s.fake), stores: s.stores, control: s.control })
      next.start()
      next.messageDelivered(100)
      const mine = s.fake.messages.get(s.fake.messageIdOf(update)!)!
      await eventually(() => mine.reactions.includes('👍'))
      expect(s.stores.messageKeys.get('delivered:100')).toBeUndefined()
    } finally {
      await next?.stop()
    }
  })

  it('a queued message: "Queued" at once, the reaction once it is delivered', async () => {
    const s = await setup()
    try {
      s.control.sendStatus = 'queued'
      const update = s.fake.sendText(ALICE, CHAT, 'when you are free', s.thread)
      await eventually(() => s.bot().some((m) => m.shown === 'Queued: it goes in when alpha is free.'))
      const mine = s.fake.messages.get(s.fake.messageIdOf(update)!)!
      expect(mine.reactions).toEqual([])
      const [[, , mode]] = s.control.callsOf('send') as [[string, string, string]]
      expect(mode).toBe('sequential')
      s.service.messageDelivered(100)
      await eventually(() => mine.reactions.includes('👍'))
      // an unknown or already confirmed message changes nothing
      s.service.messageDelivered(100)
      s.service.messageDelivered(99999)
    } finally {
      await s.stop()
    }
  })

  it('a send that fails says why, where it was written', async () => {
    const s = await setup()
    try {
      const { SessionsError } = await import('@claude-sessions/core')
      s.control.fail('send', new SessionsError('session_stopped', 'session alpha has stopped'))
      s.fake.sendText(ALICE, CHAT, 'anyone there?', s.thread)
      await eventually(() => s.bot().some((m) => m.threadId === s.thread && m.shown === 'Not delivered: session alpha has stopped'))
    } finally {
      await s.stop()
    }
  })

  it('private chat: /follow copies notifications with [id]; a reply to one goes to that session; /unfollow stops it', async () => {
    const s = await setup()
    try {
      s.fake.sendText(ALICE, ALICE.id, '/follow beta')
      await eventually(() => s.bot().some((m) => m.chatId === ALICE.id && m.shown.startsWith('Following beta [b2b2b2b2] here')))
      s.service.notifyTurnEnded(s.beta, 'beta is done')
      const copy = await eventually(() => s.bot().find((m) => m.chatId === ALICE.id && m.shown === '[b2b2b2b2] beta is done'))
      s.fake.sendText(ALICE, ALICE.id, 'great, now the docs', undefined, copy.messageId)
      await eventually(() => s.control.callsOf('send').length === 1)
      expect(s.control.callsOf('send')[0]).toEqual(['b2b2b2b2', 'great, now the docs', 'sequential'])
      s.fake.sendText(ALICE, ALICE.id, 'not a reply')
      await eventually(() => s.bot().some((m) => m.chatId === ALICE.id && m.shown.startsWith("Reply to a session's message")))
      s.fake.sendText(ALICE, ALICE.id, '/unfollow')
      await eventually(() => s.bot().some((m) => m.chatId === ALICE.id && m.shown === 'Stopped following b2b2b2b2.'))
      s.service.notifyTurnEnded(s.beta, 'not copied any more')
      await eventually(() => s.bot().some((m) => m.shown === 'not copied any more'))
      expect(s.bot().some((m) => m.chatId === ALICE.id && m.shown.includes('not copied any more'))).toBe(false)
    } finally {
      await s.stop()
    }
  })

  it('private chat: a /follow survives a restart on the same stores', async () => {
    const fake = await t.fake()
    const path = t.storePath()
    const control = new FakeControl()
    const beta = control.add({ id: 'b2b2b2b2', name: 'beta' })
    const firstStore = t.storesAt(path)
    const first = new TelegramService({ config: testConfig(fake), stores: firstStore.telegram, control })
    try {
      first.start()
      fake.sendText(ALICE, ALICE.id, '/follow beta')
      await eventually(() => fake.botMessages().some((m) => m.chatId === ALICE.id && m.shown.startsWith('Following beta [b2b2b2b2] here')))
    } finally {
      await first.stop()
    }
    firstStore.close()

    const second = new TelegramService({ config: testConfig(fake), stores: t.storesAt(path).telegram, control })
    try {
      second.start()
      second.notifyTurnEnded(beta, 'beta is done after the restart')
      await eventually(() => fake.botMessages().some((m) => m.chatId === ALICE.id && m.shown === '[b2b2b2b2] beta is done after the restart'))
    } finally {
      await second.stop()
    }
  })
})

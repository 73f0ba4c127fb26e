import { aSession } from '@claude-sessions/core/testing'
import { inMemoryTelegramStores } from '@claude-sessions/core/telegram/testing'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../transport/logger.js'
import { TopicManager, topicLane } from './topics.js'

const CHAT = -100123
const S = aSession({ id: 'a1b2c3d4', name: 'worker' })

describe('edits of one message waiting in the outbox', () => {
  it('only the latest edit of a message stays queued; other messages and other keys are kept, in order', () => {
    const stores = inMemoryTelegramStores()
    let now = 1000
    const topics = new TopicManager({ topics: stores.topics, outbox: stores.outbox, clock: { now: () => now, sleep: async () => {} }, logger: silentLogger, chatId: CHAT, topicOnStop: 'close', kick: () => {} })
    topics.post(S, [{ text: 'card v1', html: 'card v1' }], { key: 'card:x', pin: true })
    for (const v of [2, 3, 4]) {
      now += 10
      topics.edit(S, 'card:x', { text: `card v${v}`, html: `card v${v}` })
      if (v === 3) topics.post(S, [{ text: 'a response', html: 'a response' }])
    }
    topics.edit(S, 'perm:1', { text: 'allowed', html: 'allowed' }, null)
    const queued = stores.outbox.list({ lane: topicLane(CHAT, S.id), status: 'pending' }).map((e) => {
      const op = e.operation
      return op.kind === 'send_message' || op.kind === 'edit_message' ? `${op.kind} ${op.text}` : op.kind
    })
    expect(queued).toEqual(['create_topic', 'send_message card v1', 'send_message a response', 'edit_message card v4', 'edit_message allowed'])
    expect(stores.outbox.list({ status: 'done' })).toHaveLength(2)
  })
})

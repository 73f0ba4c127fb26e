import type { TelegramTopicStore } from '@claude-sessions/core/telegram'
import { Composer, type Context } from 'grammy'
import { describeError, type TelegramLogger } from '../transport/logger.js'

/** Text an allowed user wrote in a session's topic. */
export interface TopicText {
  sessionId: string
  chatId: number
  threadId: number
  messageId: number
  text: string
  from: { id: number; username: string | null }
}

export type TopicTextHandler = (message: TopicText) => void | Promise<void>

export interface InboundDeps {
  chatId: number
  topics: TelegramTopicStore
  logger: TelegramLogger
  redact: (text: string) => string
}

/**
 * Routes what allowed users send (it runs after the access guard). Text in an open session topic
 * goes to the `onTopicText` handlers, one message at a time per chat (the bot sequentializes
 * updates per chat). Commands (`/...`) are not routed here. Button presses are answered (so the
 * client stops waiting) and otherwise ignored for now.
 */
export class Inbound {
  private readonly handlers = new Set<TopicTextHandler>()

  constructor(private readonly deps: InboundDeps) {}

  /** Registers a handler; returns its removal. */
  onTopicText(handler: TopicTextHandler): () => void {
    this.handlers.add(handler)
    return () => this.handlers.delete(handler)
  }

  composer(): Composer<Context> {
    const c = new Composer<Context>()
    c.on('message:text', (ctx) => this.topicText(ctx))
    c.on('callback_query', (ctx) => ctx.answerCallbackQuery())
    return c
  }

  private async topicText(ctx: Context): Promise<void> {
    const message = ctx.message
    if (message?.text === undefined || message.text.startsWith('/')) return
    const threadId = message.message_thread_id
    if (ctx.chat?.id !== this.deps.chatId || !message.is_topic_message || threadId === undefined) return
    const topic = this.deps.topics.byThread(this.deps.chatId, threadId)
    if (topic === undefined || topic.status !== 'open') {
      this.deps.logger.debug({ threadId }, 'telegram: text in a topic of no session')
      return
    }
    const text: TopicText = {
      sessionId: topic.sessionId,
      chatId: this.deps.chatId,
      threadId,
      messageId: message.message_id,
      text: message.text,
      from: { id: message.from.id, username: message.from.username ?? null },
    }
    for (const handler of this.handlers) {
      try {
        await handler(text)
      } catch (err) {
        this.deps.logger.error({ sessionId: topic.sessionId, error: describeError(err, this.deps.redact) }, 'telegram: topic text handler failed')
      }
    }
  }
}

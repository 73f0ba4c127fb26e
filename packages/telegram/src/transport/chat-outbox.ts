import type { Clock } from '@claude-sessions/core'
import type { TelegramOperation, TelegramOutbox } from '@claude-sessions/core/telegram'
import type { BotReply } from '../control.js'
import { chatLane } from '../state/topics.js'

/** Where an answer goes: a chat, maybe a thread (a topic), maybe as a reply to a message. */
export interface ReplyTarget {
  chatId: number
  threadId?: number | undefined
  replyTo?: number | undefined
}

/**
 * Answers to people (command replies, confirmations, reactions) through the outbox, in the lane
 * of their chat thread: persisted and retried like everything else, never sent inline.
 */
export class ChatOutbox {
  constructor(
    private readonly deps: {
      outbox: TelegramOutbox
      clock: Clock
      /** Tells the outbox worker there is work. */
      kick: () => void
    },
  ) {}

  reply(to: ReplyTarget, reply: BotReply): void {
    reply.messages.forEach((m, i) => {
      const last = i === reply.messages.length - 1
      this.enqueue(to, {
        kind: 'send_message',
        chatId: to.chatId,
        text: m.text,
        html: m.html,
        ...(to.threadId !== undefined ? { threadId: to.threadId } : {}),
        ...(i === 0 && to.replyTo !== undefined ? { replyToMessageId: to.replyTo } : {}),
        ...(last && reply.buttons !== undefined && reply.buttons.length > 0 ? { buttons: reply.buttons } : {}),
      })
    })
  }

  /** Replaces a message's text (a pressed button's message), its buttons gone unless given. */
  edit(to: ReplyTarget & { messageId: number }, reply: BotReply): void {
    const first = reply.messages[0]
    if (first === undefined) return
    this.enqueue(to, {
      kind: 'edit_message',
      chatId: to.chatId,
      messageId: to.messageId,
      text: first.text,
      html: first.html,
      buttons: reply.buttons !== undefined && reply.buttons.length > 0 ? reply.buttons : null,
    })
    if (reply.messages.length > 1) this.reply(to, { messages: reply.messages.slice(1) })
  }

  react(to: ReplyTarget & { messageId: number }, emoji: string): void {
    this.enqueue(to, { kind: 'react', chatId: to.chatId, messageId: to.messageId, emoji })
  }

  private enqueue(to: ReplyTarget, operation: TelegramOperation): void {
    this.deps.outbox.enqueue({ lane: chatLane(to.chatId, to.threadId), operation, createdAt: this.deps.clock.now() })
    this.deps.kick()
  }
}

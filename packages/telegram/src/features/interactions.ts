import { isLive, type DeliveryMode } from '@claude-sessions/core'
import { type TelegramMessageKeys, type TelegramTopicStore } from '@claude-sessions/core/telegram'
import { Composer, type Context } from 'grammy'
import { Approvals } from './approvals.js'
import { Questions } from './questions.js'
import type { ChatOutbox, ReplyTarget } from '../transport/chat-outbox.js'
import { CommandRouter } from './commands/index.js'
import type { BotReply, SessionControl } from '../control.js'
import { Follows, sessionOfMessage } from '../state/follows.js'
import { formatPlain, topicName } from './format.js'
import { describeError, type TelegramLogger } from '../transport/logger.js'

export interface InteractionsDeps {
  chatId: number
  topics: TelegramTopicStore
  control: SessionControl
  approvals: Approvals
  questions: Questions
  follows: Follows
  chat: ChatOutbox
  /** Where queued texts wait for their 👍 (so a restart keeps them). */
  messageKeys: TelegramMessageKeys
  /** Makes (or finds) the session's topic in the forum. */
  ensureTopic: (sessionId: string) => void
  logger: TelegramLogger
  redact: (text: string) => string
  now: () => number
}

/** `/name@bot args`: the command (lower case) and the rest. */
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@(\w+))?(?:\s+([\s\S]*))?$/
const SEND_MODES: Record<string, DeliveryMode> = { important: 'important', force: 'urgent' }
const DELIVERED = '👍'
/** The key of a text queued from Telegram, by the id of the message it became. */
const deliveryKey = (messageId: number) => `delivered:${messageId}`

const plain = (text: string): BotReply => ({ messages: formatPlain(text) })

/** How a person is named in "Allowed by …": @username, else first name, else id. */
export const byOf = (from: { id: number; username?: string | null | undefined; first_name?: string | undefined } | undefined): string =>
  from === undefined ? 'Telegram' : from.username ? `@${from.username}` : (from.first_name ?? String(from.id))

/**
 * What allowed users do (after the access guard): commands, button presses, text for a session
 * (in its topic, or as a reply to a `[id]` message in a private chat). Text becomes a message in
 * the session's queue; the bot reacts 👍 when it is delivered and says so when it is queued.
 */
export class Interactions {
  private readonly router: CommandRouter

  constructor(private readonly deps: InteractionsDeps) {
    this.router = new CommandRouter({ control: deps.control, now: deps.now })
  }

  composer(): Composer<Context> {
    const c = new Composer<Context>()
    c.on('message:text', async (ctx, next) => {
      const text = ctx.message.text
      const m = COMMAND.exec(text.trim())
      if (m && (m[2] === undefined || m[2].toLowerCase() === ctx.me.username.toLowerCase())) {
        return this.command(ctx, m[1]!.toLowerCase(), (m[3] ?? '').trim())
      }
      if (ctx.chat.type === 'private') return this.privateText(ctx, text)
      return next()
    })
    c.on('callback_query:data', (ctx) => this.press(ctx))
    c.on('callback_query', (ctx) => ctx.answerCallbackQuery())
    return c
  }

  /**
   * Text for a session from Telegram, as a message in `mode`; confirmed where it was written. Plain
   * text (sequential) while the session waits for answers to its questions is the answer instead.
   */
  async sendText(sessionId: string, text: string, mode: DeliveryMode, where: ReplyTarget & { messageId: number }, by = 'Telegram'): Promise<void> {
    if (mode === 'sequential' && this.deps.questions.answerText(sessionId, text, by)) return this.deps.chat.react(where, DELIVERED)
    try {
      const { messageId, status } = await this.deps.control.send(sessionId, text, mode)
      if (status === 'delivered') return this.deps.chat.react(where, DELIVERED)
      // pruned with the other message keys after 30 days if the message is never delivered
      this.deps.messageKeys.set(deliveryKey(messageId), { chatId: where.chatId, messageId: where.messageId }, this.deps.now())
      const session = this.deps.control.resolve(sessionId)
      this.deps.chat.reply({ ...where, replyTo: where.messageId }, plain(`Queued: it goes in when ${session.name ?? session.id} is free.`))
    } catch (err) {
      this.deps.chat.reply({ ...where, replyTo: where.messageId }, plain(`Not delivered: ${describeError(err, this.deps.redact)}`))
    }
  }

  /** A message sent from Telegram was delivered (a hook carried it, or it was typed). */
  delivered(messageId: number): void {
    const where = this.deps.messageKeys.take(deliveryKey(messageId))
    if (where !== undefined) this.deps.chat.react(where, DELIVERED)
  }

  private async command(ctx: Context, command: string, args: string): Promise<void> {
    const message = ctx.message!
    const where = { chatId: ctx.chat!.id, threadId: message.is_topic_message ? message.message_thread_id : undefined, messageId: message.message_id }
    const sessionId = this.sessionOf(ctx)
    const answer = (reply: BotReply) => this.deps.chat.reply({ ...where, replyTo: where.messageId }, reply)
    if (command === 'pair') return answer(plain('You are already allowed to use this bot.'))
    if (command === 'follow') return answer(this.follow(ctx.chat!.type === 'private' ? ctx.chat!.id : undefined, args))
    if (command === 'unfollow' && ctx.chat!.type === 'private') return answer(this.unfollow(ctx.chat!.id, args))
    const mode = SEND_MODES[command]
    if (mode !== undefined && sessionId !== undefined) {
      if (args === '') return answer(plain(`Usage: /${command} <text>`))
      return this.sendText(sessionId, args, mode, where)
    }
    answer(await this.router.run(command, args, this.contextOf(sessionId)))
  }

  private async privateText(ctx: Context, text: string): Promise<void> {
    const message = ctx.message!
    const sessionId = sessionOfMessage(message.reply_to_message?.text)
    const where = { chatId: ctx.chat!.id, messageId: message.message_id }
    if (sessionId === undefined) {
      this.deps.chat.reply({ ...where, replyTo: where.messageId }, plain('Reply to a session\'s message (they start with [id]) to write to it, or /follow one. /help lists the commands.'))
      return
    }
    await this.sendText(sessionId, text, 'sequential', where, byOf(ctx.from))
  }

  private async press(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery!
    const data = query.data ?? ''
    const by = byOf(query.from)
    const held = Approvals.owns(data) ? this.deps.approvals : Questions.owns(data) ? this.deps.questions : undefined
    if (held !== undefined) {
      await ctx.answerCallbackQuery({ text: held.press(data, by) }).catch((err: unknown) => this.logFailure(err))
      return
    }
    await ctx.answerCallbackQuery().catch((err: unknown) => this.logFailure(err))
    const message = query.message
    if (message === undefined) return
    const where = { chatId: message.chat.id, threadId: message.is_topic_message ? message.message_thread_id : undefined, messageId: message.message_id }
    const reply = data.startsWith('f:') ? this.follow(message.chat.type === 'private' ? message.chat.id : undefined, data.slice(2)) : await this.router.press(data, this.contextOf(this.threadSession(message.chat.id, where.threadId)))
    if (reply !== undefined) this.deps.chat.edit(where, reply)
  }

  /**
   * `/follow [session]`: in the forum, makes the session's topic; in a private chat, copies its
   * notifications there. Without a session: buttons for the live sessions not followed yet.
   */
  private follow(privateChat: number | undefined, ref: string): BotReply {
    const { control, follows } = this.deps
    if (ref === '') {
      const open = control
        .list()
        .filter((s) => (privateChat === undefined ? !this.hasTopic(s.id) : !follows.followers(s.id).includes(privateChat)))
      if (open.length === 0) return plain('Every live session is followed already.')
      return { messages: formatPlain('Follow which session?'), buttons: open.slice(0, 30).map((s) => [{ text: topicName(s), data: `f:${s.id}` }]) }
    }
    try {
      const session = control.resolve(ref)
      if (!isLive(session)) return plain(`${topicName(session)} has stopped.`)
      if (privateChat === undefined) {
        this.deps.ensureTopic(session.id)
        return plain(`Following ${topicName(session)} in its topic.`)
      }
      follows.follow(privateChat, session.id)
      return plain(`Following ${topicName(session)} here. Reply to its messages to write to it; /unfollow ${session.id} to stop.`)
    } catch (err) {
      return plain(`Can't follow: ${describeError(err, this.deps.redact)}`)
    }
  }

  private unfollow(chatId: number, ref: string): BotReply {
    const ids = ref === '' ? this.deps.follows.following(chatId) : [ref]
    const removed = ids.filter((id) => this.deps.follows.unfollow(chatId, id))
    return plain(removed.length === 0 ? 'Not following that here.' : `Stopped following ${removed.join(', ')}.`)
  }

  private hasTopic(sessionId: string): boolean {
    const status = this.deps.topics.get(this.deps.chatId, sessionId)?.status
    return status === 'open' || status === 'reserved' || status === 'creating'
  }

  /** The session a message is about: its forum topic's, or the `[id]` of the bot message it replies to. */
  private sessionOf(ctx: Context): string | undefined {
    const message = ctx.message
    if (message === undefined) return undefined
    if (ctx.chat?.type === 'private') return sessionOfMessage(message.reply_to_message?.text)
    return this.threadSession(ctx.chat!.id, message.is_topic_message ? message.message_thread_id : undefined)
  }

  private threadSession(chatId: number, threadId: number | undefined): string | undefined {
    if (chatId !== this.deps.chatId || threadId === undefined) return undefined
    return this.deps.topics.byThread(chatId, threadId)?.sessionId
  }

  private contextOf(sessionId: string | undefined): { sessionId?: string } {
    return sessionId === undefined ? {} : { sessionId }
  }

  private logFailure(err: unknown): void {
    this.deps.logger.warn({ error: describeError(err, this.deps.redact) }, 'telegram: answerCallbackQuery failed')
  }
}

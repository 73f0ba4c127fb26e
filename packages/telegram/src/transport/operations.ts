import type { Clock } from '@claude-sessions/core'
import type { OutboxEntry, TelegramButton, TelegramMessageKeys, TelegramMessageRef, TelegramOperation, TelegramTopic, TelegramTopicStore } from '@claude-sessions/core/telegram'
import type { Api } from 'grammy'
import type { InlineKeyboardMarkup, ReactionTypeEmoji } from 'grammy/types'
import { escapeHtml } from '../features/format.js'
import type { TelegramLogger } from './logger.js'
import { OperationFailure, classify, provesNotApplied } from './telegram-errors.js'

type Op<K extends TelegramOperation['kind']> = Extract<TelegramOperation, { kind: K }>

export interface ExecutorDeps {
  api: Api
  topics: TelegramTopicStore
  /** Where `send_message.key` records the sent message, and `edit_message.key` finds it. */
  messageKeys: TelegramMessageKeys
  clock: Clock
  logger: TelegramLogger
  redact: (text: string) => string
}

/** grammY types its signal as the abort-controller shim's; a native AbortSignal works the same at run time. */
type ApiSignal = Parameters<Api['sendMessage']>[3]
const asApiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal

const retry = (message: string) => new OperationFailure({ kind: 'retry', message })
const permanent = (message: string) => new OperationFailure({ kind: 'permanent', message })

/** Telegram's limit on a button's callback data. */
const MAX_CALLBACK_BYTES = 64

/** `rows` as Telegram's inline keyboard; an invalid callback data fails the operation for good. */
function keyboard(rows: TelegramButton[][]): InlineKeyboardMarkup {
  for (const b of rows.flat()) {
    const bytes = new TextEncoder().encode(b.data).length
    if (bytes < 1 || bytes > MAX_CALLBACK_BYTES) throw permanent(`button "${b.text}": callback data must be 1 to ${MAX_CALLBACK_BYTES} bytes, is ${bytes}`)
  }
  return { inline_keyboard: rows.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))) }
}

/** Where a message goes: a chat, maybe a thread, maybe with a `[session]` line first (when its topic could not be made). */
interface Target {
  chatId: number
  threadId: number | undefined
  heading: string | undefined
}

/**
 * Performs one outbox operation against the Bot API and keeps the topic map in step. Throws on
 * failure (an API error, or an OperationFailure for what it decides itself); the worker turns
 * that into retry / failed. Topic creation is at most once per reservation: the row is marked
 * `creating` (and the attempt counted) before createForumTopic is called, and an attempt whose
 * outcome is unknown (timeout, reset, abort, crash) is never repeated.
 */
export class OperationExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(entry: OutboxEntry, signal: AbortSignal): Promise<void> {
    const op = entry.operation
    switch (op.kind) {
      case 'create_topic':
        return this.createTopic(op, signal)
      case 'edit_topic':
        return this.editTopic(op, signal)
      case 'close_topic':
        return this.closeTopic(op, signal)
      case 'send_message':
        return this.sendMessage(op, signal)
      case 'edit_message':
        return this.editMessage(op, signal)
      case 'react':
        return this.react(op, signal)
    }
  }

  /** After the worker marked `entry` failed: a topic still waiting for its creation is failed too. */
  settleFailed(entry: OutboxEntry, error: string): void {
    const op = entry.operation
    if (op.kind !== 'create_topic') return
    const topic = this.deps.topics.get(op.chatId, op.sessionId)
    if (topic?.status === 'reserved') this.deps.topics.setStatus(op.chatId, op.sessionId, 'failed', this.deps.clock.now(), error)
  }

  private async createTopic(op: Op<'create_topic'>, signal: AbortSignal): Promise<void> {
    const { topics, clock, api, redact } = this.deps
    const topic = topics.get(op.chatId, op.sessionId)
    if (topic === undefined) throw permanent(`no topic reserved for session ${op.sessionId}`)
    if (topic.status === 'failed') throw permanent(`topic not created: ${topic.error ?? 'failed'}`)
    if (topic.status !== 'reserved') return // open, closed or deleted already: nothing to do
    const creating = topics.beginCreate(op.chatId, op.sessionId, clock.now())
    if (creating === undefined) return
    let threadId: number
    try {
      threadId = (await api.createForumTopic(op.chatId, creating.name, {}, asApiSignal(signal))).message_thread_id
    } catch (err) {
      const failure = classify(err, redact)
      const now = clock.now()
      if (!provesNotApplied(err)) {
        const error = `creation uncertain (${failure.message}); not retried, so no duplicate topic can appear`
        topics.setStatus(op.chatId, op.sessionId, 'failed', now, error)
        throw permanent(error)
      }
      if (failure.kind === 'retry') topics.retryCreate(op.chatId, op.sessionId, now, failure.message)
      else topics.setStatus(op.chatId, op.sessionId, 'failed', now, failure.message)
      throw err
    }
    topics.confirmCreated(op.chatId, op.sessionId, threadId, clock.now())
  }

  private async editTopic(op: Op<'edit_topic'>, signal: AbortSignal): Promise<void> {
    const topic = this.deps.topics.get(op.chatId, op.sessionId)
    // not created yet: it will be created with the name in its row; gone: nothing to rename
    if (topic?.status !== 'open' || topic.threadId === null) return
    await this.inTopic(topic, () => this.deps.api.editForumTopic(op.chatId, topic.threadId!, { name: op.name }, asApiSignal(signal)))
  }

  private async closeTopic(op: Op<'close_topic'>, signal: AbortSignal): Promise<void> {
    const { topics, clock, api, redact } = this.deps
    const topic = topics.get(op.chatId, op.sessionId)
    if (topic === undefined || topic.status === 'closed' || topic.status === 'deleted') return
    const final = op.mode === 'delete' ? 'deleted' : 'closed'
    if (topic.status !== 'open' || topic.threadId === null) {
      // never created (or failed): keep it from being created later
      topics.setStatus(op.chatId, op.sessionId, final, clock.now(), topic.error)
      return
    }
    const threadId = topic.threadId
    try {
      if (op.mode === 'delete') await api.deleteForumTopic(op.chatId, threadId, asApiSignal(signal))
      else await api.closeForumTopic(op.chatId, threadId, asApiSignal(signal))
    } catch (err) {
      const failure = classify(err, redact)
      // already closed, or already gone: the goal is reached
      if (failure.kind === 'thread_gone') return void topics.setStatus(op.chatId, op.sessionId, 'deleted', clock.now(), failure.message)
      if (failure.kind !== 'not_modified') throw err
    }
    // the row changes only once Telegram has done it
    topics.setStatus(op.chatId, op.sessionId, final, clock.now())
  }

  private async sendMessage(op: Op<'send_message'>, signal: AbortSignal): Promise<void> {
    const target = this.targetOf(op)
    const text = target.heading ? `${target.heading}\n${op.text}` : op.text
    const html = op.html === undefined ? undefined : target.heading ? `<b>${escapeHtml(target.heading)}</b>\n${op.html}` : op.html
    const other = {
      ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
      ...(op.replyToMessageId !== undefined ? { reply_parameters: { message_id: op.replyToMessageId, allow_sending_without_reply: true } } : {}),
      ...(op.buttons && op.buttons.length > 0 ? { reply_markup: keyboard(op.buttons) } : {}),
      link_preview_options: { is_disabled: true },
    }
    const send = () =>
      this.withPlainFallback(
        html,
        (h) => this.deps.api.sendMessage(target.chatId, h, { ...other, parse_mode: 'HTML' }, asApiSignal(signal)),
        () => this.deps.api.sendMessage(target.chatId, text, other, asApiSignal(signal)),
      )
    const topic = op.sessionId !== undefined ? this.deps.topics.get(op.chatId, op.sessionId) : undefined
    const sent = topic !== undefined && target.threadId !== undefined ? await this.inTopic(topic, send) : await send()
    const ref = { chatId: target.chatId, messageId: sent.message_id }
    if (op.key !== undefined) this.recordKey(op.key, ref)
    if (op.pin) await this.pin(ref, signal)
  }

  /** The message is sent whatever happens here: a store error is logged, never retried (that would send it twice). */
  private recordKey(key: string, ref: TelegramMessageRef): void {
    try {
      this.deps.messageKeys.set(key, ref, this.deps.clock.now())
    } catch (err) {
      this.deps.logger.error({ key, error: this.deps.redact(String(err)) }, 'telegram: could not record a sent message under its key')
    }
  }

  /** Pins silently; a failure is logged (the message is sent, and sending it again would not help). */
  private async pin(ref: TelegramMessageRef, signal: AbortSignal): Promise<void> {
    try {
      await this.deps.api.pinChatMessage(ref.chatId, ref.messageId, { disable_notification: true }, asApiSignal(signal))
    } catch (err) {
      this.deps.logger.warn({ ...ref, error: classify(err, this.deps.redact).message }, 'telegram: could not pin a message')
    }
  }

  private async editMessage(op: Op<'edit_message'>, signal: AbortSignal): Promise<void> {
    const { api } = this.deps
    const { chatId, messageId } = this.messageOf(op)
    // null: an empty keyboard removes it; absent: Telegram drops it anyway
    const markup = op.buttons === undefined ? {} : { reply_markup: op.buttons === null ? { inline_keyboard: [] } : keyboard(op.buttons) }
    const other = { ...markup, link_preview_options: { is_disabled: true } }
    await this.withPlainFallback(
      op.html,
      (h) => api.editMessageText(chatId, messageId, h, { ...other, parse_mode: 'HTML' }, asApiSignal(signal)),
      () => api.editMessageText(chatId, messageId, op.text, other, asApiSignal(signal)),
    )
  }

  /** The message an edit names: by id, or by the key its send recorded (not recorded yet: retried). */
  private messageOf(op: Op<'edit_message'>): TelegramMessageRef {
    if ((op.messageId === undefined) === (op.key === undefined)) throw permanent('edit_message needs exactly one of messageId and key')
    if (op.messageId !== undefined) return { chatId: op.chatId, messageId: op.messageId }
    const ref = this.deps.messageKeys.get(op.key!)
    if (ref === undefined) throw retry(`message not sent yet (key ${op.key})`)
    return ref
  }

  private async react(op: Op<'react'>, signal: AbortSignal): Promise<void> {
    // grammY lists the emoji Telegram allows; Telegram itself refuses any other (REACTION_INVALID)
    const reaction = { type: 'emoji', emoji: op.emoji } as ReactionTypeEmoji
    await this.deps.api.setMessageReaction(op.chatId, op.messageId, [reaction], {}, asApiSignal(signal))
  }

  /** Sends `html` (when there is one); if Telegram can't parse it, the plain text instead (the same keyboard and options). */
  private async withPlainFallback<T>(html: string | undefined, asHtml: (html: string) => Promise<T>, asPlain: () => Promise<T>): Promise<T> {
    if (html === undefined) return asPlain()
    try {
      return await asHtml(html)
    } catch (err) {
      const failure = classify(err, this.deps.redact)
      if (failure.kind !== 'bad_entities') throw err
      this.deps.logger.warn({ error: failure.message }, 'telegram: HTML rejected, sending plain text')
      return asPlain()
    }
  }

  /** Runs `call` in `topic`'s thread; a thread that is gone marks the topic deleted. */
  private async inTopic<T>(topic: TelegramTopic, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (err) {
      const failure = classify(err, this.deps.redact)
      if (failure.kind === 'thread_gone') {
        this.deps.topics.setStatus(topic.chatId, topic.sessionId, 'deleted', this.deps.clock.now(), failure.message)
      }
      throw err
    }
  }

  private targetOf(op: Op<'send_message'>): Target {
    if (op.sessionId === undefined) return { chatId: op.chatId, threadId: op.threadId, heading: undefined }
    const topic = this.deps.topics.get(op.chatId, op.sessionId)
    switch (topic?.status) {
      case 'open':
        return { chatId: op.chatId, threadId: topic.threadId ?? undefined, heading: undefined }
      case 'reserved':
      case 'creating':
        throw retry('waiting for the topic to be created')
      case 'closed':
      case 'deleted':
        throw permanent(`topic ${topic.status}`)
      default:
        // no topic could be made: the main chat, the session named on the first line
        return { chatId: op.chatId, threadId: undefined, heading: topic?.name ?? `[${op.sessionId}]` }
    }
  }
}

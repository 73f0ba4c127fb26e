// A fake Telegram Bot API over HTTP for tests. Over 400 lines on purpose: it is a protocol fake,
// one method per Bot API call the bot makes, and reads best as the one list of them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkHtml } from './fake-html.js'

/** One request the fake received, in arrival order (also the ones it never answered). */
export interface RecordedCall {
  method: string
  params: Record<string, unknown>
  at: number
}

/** An error answer, as the Bot API gives it. */
export interface ApiErrorReply {
  error_code: number
  description: string
  retry_after?: number
}

export interface FakeUser {
  id: number
  username?: string
  first_name?: string
}

export interface FakeTopic {
  chatId: number
  threadId: number
  name: string
  closed: boolean
  deleted: boolean
}

export interface FakeMessage {
  chatId: number
  messageId: number
  threadId: number | undefined
  text: string
  /** The text as a Telegram client shows it (HTML parsed). */
  shown: string
  parseMode: string | undefined
  pinned: boolean
  /** The inline keyboard, as rows of { text, callback data }. */
  buttons: FakeButton[][] | undefined
  /** The bot's reactions (setMessageReaction replaces them). */
  reactions: string[]
  /** Set for messages people sent (`sendText`); absent for the bot's own. */
  fromUserId?: number
}

/** An inline keyboard button with callback data. */
export interface FakeButton {
  text: string
  data: string
}

type Params = Record<string, unknown>
type Reply = { ok: true; result: unknown } | ({ ok: false } & ApiErrorReply & { parameters?: { retry_after: number } })

interface Poller {
  offset: number
  limit: number
  res: ServerResponse
  timer: { cancel(): void }
}

/** The fake's time: when calls are recorded (`RecordedCall.at`), and when an idle long poll ends. */
export interface FakeTime {
  now(): number
  timer(ms: number, work: () => void): { cancel(): void }
}

const REAL_TIME: FakeTime = {
  now: () => Date.now(),
  timer: (ms, work) => {
    const t = setTimeout(work, ms)
    return { cancel: () => clearTimeout(t) }
  },
}

export const FAKE_TOKEN = '123456:TEST-token_abcdefghijklmnop'
export const FAKE_BOT = { id: 123456, is_bot: true, first_name: 'Sessions', username: 'sessions_test_bot' }

/** Polling and the bot's own setup, left out of `actions()`. */
const SETUP_METHODS = new Set(['getUpdates', 'getMe', 'setMyCommands'])
/** What Telegram accepts as a bot command's name and description. */
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/
const MAX_COMMAND_DESCRIPTION = 256

const ok = (result: unknown): Reply => ({ ok: true, result })
const bad = (description: string, error_code = 400): Reply => ({ ok: false, error_code, description: `Bad Request: ${description}` })

/**
 * A Telegram Bot API server for tests, on 127.0.0.1 only. It implements what the adapter calls
 * (getMe, getUpdates long polling with offsets, sendMessage, editMessageText, forum topics, ...),
 * checks what Telegram checks (HTML entities, 4096 characters, threads that exist), records every
 * call, takes injected updates, and can answer the next calls of a method with an error (429 with
 * retry_after, 400 ...) or not at all. `close()` drops every connection.
 */
export class FakeBotApi {
  readonly calls: RecordedCall[] = []
  readonly topics = new Map<number, FakeTopic>()
  readonly messages = new Map<number, FakeMessage>()
  /** Chats that are not forums: createForumTopic fails there. */
  readonly notForums = new Set<number>()
  /** The command menu, as the last setMyCommands set it. */
  myCommands: Array<{ command: string; description: string }> = []
  /** Delay before answering any method but getUpdates (0: at once). */
  latencyMs = 0
  private readonly updates: Array<{ update_id: number } & Params> = []
  private readonly pollers = new Set<Poller>()
  private readonly failures = new Map<string, ApiErrorReply[]>()
  private readonly hangs = new Map<string, number>()
  private readonly hung = new Set<ServerResponse>()
  private nextUpdateId = 1
  private nextMessageId = 100
  private nextCallbackId = 1
  private readonly sentBy = new Map<number, number>()

  private constructor(
    private readonly server: Server,
    readonly apiRoot: string,
    readonly token: string,
    private readonly time: FakeTime,
  ) {}

  /** `time`: real time by default; a test's manual time makes idle long polls end only when it moves. */
  static async start(token = FAKE_TOKEN, time: FakeTime = REAL_TIME): Promise<FakeBotApi> {
    let fake: FakeBotApi | undefined
    const server = createServer((req, res) => void fake!.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = server.address() as AddressInfo
    fake = new FakeBotApi(server, `http://127.0.0.1:${port}`, token, time)
    return fake
  }

  /** Calls of `method` (every method when absent). */
  callsTo(method?: string): RecordedCall[] {
    return method === undefined ? [...this.calls] : this.calls.filter((c) => c.method === method)
  }

  /** Calls other than getUpdates, getMe and setMyCommands: what the bot did in chats. */
  actions(): RecordedCall[] {
    return this.calls.filter((c) => !SETUP_METHODS.has(c.method))
  }

  /** The next `times` calls of `method` get `reply` and do nothing else. */
  failNext(method: string, reply: ApiErrorReply, times = 1): void {
    const queue = this.failures.get(method) ?? []
    for (let i = 0; i < times; i++) queue.push(reply)
    this.failures.set(method, queue)
  }

  /** The next `times` calls of `method` are recorded and never answered (until `close`). */
  hangNext(method: string, times = 1): void {
    this.hangs.set(method, (this.hangs.get(method) ?? 0) + times)
  }

  /** Queues an update for getUpdates; returns its update_id. */
  pushUpdate(update: Params): number {
    const update_id = this.nextUpdateId++
    this.updates.push({ update_id, ...update })
    this.wakePollers()
    return update_id
  }

  /**
   * A text message from `from` in `chatId` (in topic `threadId` if given, as a reply to message
   * `replyTo` if given); returns its update_id. The message is kept in `messages` (with
   * `fromUserId`), so the bot can react to it and reply to it.
   */
  sendText(from: FakeUser, chatId: number, text: string, threadId?: number, replyTo?: number): number {
    const message_id = this.nextMessageId++
    const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined
    const replied = replyTo === undefined ? undefined : this.messages.get(replyTo)
    this.messages.set(message_id, { chatId, messageId: message_id, threadId, text, shown: text, parseMode: undefined, pinned: false, buttons: undefined, reactions: [], fromUserId: from.id })
    const updateId = this.pushUpdate({
      message: {
        message_id,
        date: Math.floor(Date.now() / 1000),
        chat: chatJson(chatId),
        from: { is_bot: false, first_name: 'user', ...from },
        text,
        ...(entities ? { entities } : {}),
        ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
        ...(replied !== undefined
          ? { reply_to_message: { message_id: replied.messageId, date: 0, chat: chatJson(chatId), text: replied.shown, ...(replied.fromUserId === undefined ? { from: { ...FAKE_BOT } } : {}) } }
          : {}),
      },
    })
    this.sentBy.set(updateId, message_id)
    return updateId
  }

  /** The message_id of the message a `sendText` update carried. */
  messageIdOf(updateId: number): number | undefined {
    return this.sentBy.get(updateId)
  }

  /** Messages the bot sent (not the people's), in order. */
  botMessages(): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.fromUserId === undefined)
  }

  /**
   * A press by `from` on a button with callback `data` of message `messageId` in `chatId` (a
   * `callback_query` update); returns its update_id. The message's thread and text come from the
   * message the fake holds, if any. The older form `(from, chatId, data, messageId = 1)` works too.
   */
  pressButton(from: FakeUser, chatId: number, messageId: number, data: string): number
  pressButton(from: FakeUser, chatId: number, data: string, messageId?: number): number
  pressButton(from: FakeUser, chatId: number, third: number | string, fourth?: string | number): number {
    const [messageId, data] = typeof third === 'number' ? [third, String(fourth)] : [typeof fourth === 'number' ? fourth : 1, third]
    const held = this.messages.get(messageId)
    const m = held?.chatId === chatId ? held : undefined
    return this.pushUpdate({
      callback_query: {
        id: String(this.nextCallbackId++),
        from: { is_bot: false, first_name: 'user', ...from },
        chat_instance: 'ci',
        data,
        message: {
          message_id: messageId,
          date: 0,
          chat: chatJson(chatId),
          text: m?.shown ?? 'buttons',
          ...(m?.threadId !== undefined ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
        },
      },
    })
  }

  /** Updates not yet confirmed by an offset. */
  pendingUpdates(): number {
    return this.updates.length
  }

  /** Long polls waiting for updates (not the hung ones). */
  waitingPolls(): number {
    return this.pollers.size
  }

  async close(): Promise<void> {
    for (const p of this.pollers) p.timer.cancel()
    this.pollers.clear()
    this.hung.clear()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '')
    const body = await readBody(req)
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
    const [, token, method] = match as unknown as [string, string, string]
    let params: Params = {}
    try {
      params = body.length > 0 ? (JSON.parse(body) as Params) : {}
    } catch {
      return send(res, 400, bad("can't parse JSON"))
    }
    this.calls.push({ method, params, at: this.time.now() })
    if (token !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' })
    const hangs = this.hangs.get(method) ?? 0
    if (hangs > 0) {
      this.hangs.set(method, hangs - 1)
      this.hung.add(res)
      return
    }
    const failure = this.failures.get(method)?.shift()
    if (failure) return send(res, failure.error_code, errorReply(failure))
    if (method === 'getUpdates') return this.getUpdates(params, res)
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs))
    const reply = this.answer(method, params)
    send(res, reply.ok ? 200 : reply.error_code, reply)
  }

  private getUpdates(params: Params, res: ServerResponse): void {
    const offset = typeof params['offset'] === 'number' ? params['offset'] : 0
    const limit = typeof params['limit'] === 'number' ? params['limit'] : 100
    const timeout = typeof params['timeout'] === 'number' ? params['timeout'] : 0
    // an offset confirms every update before it
    while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift()
    if (this.updates.length > 0 || timeout <= 0) return send(res, 200, ok(this.updates.slice(0, limit)))
    const poller: Poller = {
      offset,
      limit,
      res,
      timer: this.time.timer(timeout * 1000, () => this.release(poller)),
    }
    this.pollers.add(poller)
    res.on('close', () => {
      poller.timer.cancel()
      this.pollers.delete(poller)
    })
  }

  private release(p: Poller): void {
    if (!this.pollers.delete(p)) return
    p.timer.cancel()
    send(p.res, 200, ok(this.updates.filter((u) => u.update_id >= p.offset).slice(0, p.limit)))
  }

  private wakePollers(): void {
    for (const p of [...this.pollers]) this.release(p)
  }

  // ------------------------------------------------------------------ methods

  private answer(method: string, p: Params): Reply {
    switch (method) {
      case 'getMe':
        return ok(FAKE_BOT)
      case 'sendMessage':
        return this.sendMessage(p)
      case 'editMessageText':
        return this.editMessageText(p)
      case 'createForumTopic':
        return this.createForumTopic(p)
      case 'editForumTopic':
        return this.withTopic(p, (t) => {
          if (typeof p['name'] === 'string') {
            if (p['name'] === t.name) return bad('TOPIC_NOT_MODIFIED')
            t.name = p['name']
          }
          return ok(true)
        })
      case 'closeForumTopic':
        return this.withTopic(p, (t) => (t.closed ? bad('TOPIC_NOT_MODIFIED') : ((t.closed = true), ok(true))))
      case 'reopenForumTopic':
        return this.withTopic(p, (t) => (t.closed ? ((t.closed = false), ok(true)) : bad('TOPIC_NOT_MODIFIED')))
      case 'deleteForumTopic':
        return this.withTopic(p, (t) => ((t.deleted = true), ok(true)))
      case 'pinChatMessage': {
        const m = this.messageIn(p)
        if (!m) return bad('message to pin not found')
        m.pinned = true
        return ok(true)
      }
      case 'setMessageReaction': {
        const m = this.messageIn(p)
        if (!m) return bad('message to react not found')
        const reaction = Array.isArray(p['reaction']) ? (p['reaction'] as Array<{ type?: unknown; emoji?: unknown }>) : []
        if (reaction.some((r) => r.type !== 'emoji' || typeof r.emoji !== 'string')) return bad('REACTION_INVALID')
        m.reactions = reaction.map((r) => String(r.emoji))
        return ok(true)
      }
      case 'deleteMessage':
        return this.messages.delete(Number(p['message_id'])) ? ok(true) : bad('message to delete not found')
      case 'setMyCommands':
        return this.setMyCommands(p)
      case 'answerCallbackQuery':
      case 'sendChatAction':
        return ok(true)
      default:
        return { ok: false, error_code: 404, description: 'Not Found: method not found' }
    }
  }

  private setMyCommands(p: Params): Reply {
    const commands = p['commands']
    if (!Array.isArray(commands) || commands.length > 100) return bad('BOT_COMMANDS_TOO_MUCH')
    const menu: Array<{ command: string; description: string }> = []
    for (const c of commands as Array<Record<string, unknown>>) {
      const { command, description } = c
      if (typeof command !== 'string' || !COMMAND_NAME.test(command)) return bad('BOT_COMMAND_INVALID')
      if (typeof description !== 'string' || description.length < 1 || description.length > MAX_COMMAND_DESCRIPTION) return bad('BOT_COMMAND_DESCRIPTION_INVALID')
      menu.push({ command, description })
    }
    this.myCommands = menu
    return ok(true)
  }

  private sendMessage(p: Params): Reply {
    const chatId = Number(p['chat_id'])
    const threadId = typeof p['message_thread_id'] === 'number' ? p['message_thread_id'] : undefined
    const checked = this.checkText(p)
    if (typeof checked !== 'string') return checked
    const buttons = keyboardOf(p)
    if (buttons === 'invalid') return bad('BUTTON_DATA_INVALID')
    if (threadId !== undefined) {
      const topic = this.topics.get(threadId)
      if (!topic || topic.deleted || topic.chatId !== chatId) return bad('message thread not found')
      if (topic.closed) return bad('TOPIC_CLOSED')
    }
    const message: FakeMessage = {
      chatId,
      messageId: this.nextMessageId++,
      threadId,
      text: String(p['text']),
      shown: checked,
      parseMode: typeof p['parse_mode'] === 'string' ? p['parse_mode'] : undefined,
      pinned: false,
      buttons,
      reactions: [],
    }
    this.messages.set(message.messageId, message)
    return ok(this.messageJson(message))
  }

  private editMessageText(p: Params): Reply {
    const m = this.messages.get(Number(p['message_id']))
    if (!m || m.chatId !== Number(p['chat_id'])) return bad('message to edit not found')
    const checked = this.checkText(p)
    if (typeof checked !== 'string') return checked
    // no reply_markup: the keyboard goes (as in Telegram)
    const buttons = keyboardOf(p)
    if (buttons === 'invalid') return bad('BUTTON_DATA_INVALID')
    if (checked === m.shown && JSON.stringify(buttons) === JSON.stringify(m.buttons)) {
      return bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message')
    }
    m.text = String(p['text'])
    m.shown = checked
    m.parseMode = typeof p['parse_mode'] === 'string' ? p['parse_mode'] : undefined
    m.buttons = buttons
    return ok(this.messageJson(m))
  }

  private createForumTopic(p: Params): Reply {
    const chatId = Number(p['chat_id'])
    const name = String(p['name'] ?? '')
    if (this.notForums.has(chatId)) return bad('the chat is not a forum')
    if (name.length < 1 || name.length > 128) return bad('TOPIC_NAME_INVALID')
    const threadId = this.nextMessageId++
    this.topics.set(threadId, { chatId, threadId, name, closed: false, deleted: false })
    return ok({ message_thread_id: threadId, name, icon_color: 7322096 })
  }

  /** The message `p` names by chat_id and message_id. */
  private messageIn(p: Params): FakeMessage | undefined {
    const m = this.messages.get(Number(p['message_id']))
    return m?.chatId === Number(p['chat_id']) ? m : undefined
  }

  private withTopic(p: Params, change: (t: FakeTopic) => Reply): Reply {
    const t = this.topics.get(Number(p['message_thread_id']))
    if (!t || t.deleted || t.chatId !== Number(p['chat_id'])) return bad('TOPIC_ID_INVALID')
    return change(t)
  }

  /** The text as shown, or the error Telegram gives for it. */
  private checkText(p: Params): string | Reply {
    const text = typeof p['text'] === 'string' ? p['text'] : ''
    let shown = text
    if (p['parse_mode'] === 'HTML') {
      const parsed = checkHtml(text)
      if ('error' in parsed) return bad(`can't parse entities: ${parsed.error}`)
      shown = parsed.text
    } else if (p['parse_mode'] !== undefined) {
      return bad('unsupported parse_mode in this fake')
    }
    if (shown.trim().length === 0) return bad('message text is empty')
    if (shown.length > 4096) return bad('message is too long')
    return shown
  }

  private messageJson(m: FakeMessage): Params {
    return {
      message_id: m.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatJson(m.chatId),
      from: FAKE_BOT,
      text: m.shown,
      ...(m.threadId !== undefined ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
      ...(m.buttons ? { reply_markup: { inline_keyboard: m.buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))) } } : {}),
    }
  }
}

const chatJson = (chatId: number) => (chatId > 0 ? { id: chatId, type: 'private', first_name: 'user' } : { id: chatId, type: 'supergroup', title: 'Sessions', is_forum: true })

/**
 * The inline keyboard of `p.reply_markup` (undefined when there is none, or it is empty), or
 * 'invalid' for what Telegram refuses: callback data missing or over 64 bytes, or a blank text.
 */
function keyboardOf(p: Params): FakeButton[][] | undefined | 'invalid' {
  const markup = p['reply_markup'] as { inline_keyboard?: unknown } | undefined
  if (markup === undefined || !Array.isArray(markup.inline_keyboard)) return undefined
  const rows: FakeButton[][] = []
  for (const row of markup.inline_keyboard as unknown[]) {
    if (!Array.isArray(row)) return 'invalid'
    const buttons: FakeButton[] = []
    for (const b of row as Array<{ text?: unknown; callback_data?: unknown }>) {
      const { text, callback_data: data } = b
      if (typeof text !== 'string' || text.trim() === '' || typeof data !== 'string') return 'invalid'
      if (Buffer.byteLength(data, 'utf8') > 64) return 'invalid'
      buttons.push({ text, data })
    }
    if (buttons.length > 0) rows.push(buttons)
  }
  return rows.length > 0 ? rows : undefined
}

function errorReply(r: ApiErrorReply): Reply {
  const { retry_after, ...rest } = r
  return retry_after === undefined ? { ok: false, ...rest } : { ok: false, ...rest, parameters: { retry_after } }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * A local stand-in for the Anthropic Messages API, good enough for the real Claude Code CLI
 * (2.1.330) pointed at it through ANTHROPIC_BASE_URL. Over 400 lines on purpose: a protocol
 * fake (the Messages API's streaming events), kept whole so it reads as the protocol.
 *
 * Routes: POST /v1/messages (SSE when `stream: true`, JSON otherwise), POST
 * /v1/messages/count_tokens, HEAD|GET /api/hello, and a 404 error body for anything else.
 *
 * Claude Code sends more than the conversation itself. Each /v1/messages request is classified:
 *   - `main`: the agent loop (it always carries `tools`); answered by the test's script;
 *   - `title`: session-title generation (structured output with a `title` property, or the
 *     "naming a coding session" system prompt), answered with `{"title": ...}`;
 *   - `quota`: the `max_tokens: 1` "quota" probe, answered with a one-token text;
 *   - `structured`: any other request asking for a JSON schema, answered with a value built
 *     from that schema;
 *   - `side`: everything else without tools, answered with a short text.
 * Only `main` requests reach the script, so side requests never consume a scripted reply.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'

export type RequestKind = 'main' | 'title' | 'quota' | 'structured' | 'side' | 'count_tokens' | 'hello' | 'unknown'

export interface StubRequest {
  /** 1-based, in arrival order. */
  seq: number
  time: number
  method: string
  /** Path and query, e.g. `/v1/messages?beta=true`. */
  url: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: MessagesBody | undefined
  kind: RequestKind
  /** The `x-claude-code-session-id` header (equals the hooks' `session_id`). */
  sessionId: string | undefined
  /** How many `assistant` messages the request carries (0 on a session's first turn). */
  assistantTurns: number
  /** What the stub answered, filled in when the reply is decided. */
  reply?: StubReply
}

export interface MessagesBody {
  model?: string
  max_tokens?: number
  stream?: boolean
  system?: string | Array<{ type: string; text?: string }>
  messages?: Array<{ role: string; content: string | Array<Record<string, unknown>> }>
  tools?: Array<{ name: string } & Record<string, unknown>>
  output_config?: { format?: { type?: string; schema?: JsonSchema } } & Record<string, unknown>
  [key: string]: unknown
}

export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  [key: string]: unknown
}

export interface ToolResultInfo {
  tool_use_id: string
  content: string
  is_error: boolean
}

/** What a script sees: one /v1/messages request of the main conversation. */
export interface ReplyContext {
  body: MessagesBody
  headers: IncomingHttpHeaders
  sessionId: string | undefined
  /** Number of assistant messages already in `messages` (the whole conversation). */
  assistantTurns: number
  /** Assistant messages since the latest human prompt: 0 for a prompt's first model turn, 1 after one tool call... */
  promptTurns: number
  /** The latest human prompt: the last user message with text of its own (not only tool results). */
  prompt: string
  /** The text of the latest user message (system-reminder blocks left out); '' if it only holds tool results. */
  lastUserText: string
  /** Tool results carried by the latest user message. */
  toolResults: ToolResultInfo[]
  /** The system prompt, text blocks joined with '\n'. */
  system: string
  kind: RequestKind
  request: StubRequest
}

export interface ToolUseSpec {
  name: string
  input: Record<string, unknown>
  /** Defaults to a fresh `toolu_stub…` id. */
  id?: string
}

export interface StubErrorSpec {
  status: number
  type: string
  message: string
}

/**
 * A reply: text, a tool call (optionally preceded by text), or an API error; `delayMs` delays
 * the content (for a streamed reply the headers and `message_start` go out at once, so the
 * client is visibly "working" during the delay). `{ delayMs }` alone delays the default reply.
 */
export interface StubReply {
  text?: string
  toolUse?: ToolUseSpec
  delayMs?: number
  error?: StubErrorSpec
}

export type StubScript = (ctx: ReplyContext) => StubReply | undefined | Promise<StubReply | undefined>

export interface AnthropicStub {
  url: string
  port: number
  /** Every request received, in order (including side requests, /api/hello, 404s). */
  requests: StubRequest[]
  /** Only the requests of kind `main`. */
  mainRequests(): StubRequest[]
  setScript(script: StubScript | undefined): void
  close(): Promise<void>
}

export interface AnthropicStubOptions {
  /** Answers side requests (title, quota, structured, side); the built-in answers are used when it returns undefined. */
  sideScript?: StubScript
  /** Port to listen on (default 0: any free port). Always 127.0.0.1. */
  port?: number
}

/** The reply used for main requests when no script is set or the script returns nothing. */
export const defaultMainReply = (ctx: ReplyContext): StubReply => ({
  text: ctx.lastUserText ? `stub reply to: ${ctx.lastUserText}` : 'stub reply',
})

/** Built-in answers for Claude Code's side requests. */
export function defaultSideReply(ctx: ReplyContext): StubReply {
  switch (ctx.kind) {
    case 'title':
      return { text: JSON.stringify({ title: titleFrom(ctx.lastUserText) }) }
    case 'quota':
      return { text: 'ok' }
    case 'structured':
      return { text: JSON.stringify(valueForSchema(ctx.body.output_config?.format?.schema ?? {})) }
    default:
      return { text: 'ok' }
  }
}

export async function startAnthropicStub(script?: StubScript, options: AnthropicStubOptions = {}): Promise<AnthropicStub> {
  let current: StubScript | undefined = script
  const requests: StubRequest[] = []
  const open = new Set<ServerResponse>()

  const server = createServer((req, res) => {
    open.add(res)
    res.on('close', () => open.delete(res))
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, apiError('api_error', String(err)))
        else res.destroy()
      })
  })

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = req.url ?? '/'
    const path = url.split('?')[0] ?? '/'
    const method = req.method ?? 'GET'
    let body: MessagesBody | undefined
    if (raw) {
      try {
        body = JSON.parse(raw) as MessagesBody
      } catch {
        body = undefined
      }
    }
    const header = req.headers['x-claude-code-session-id']
    const record: StubRequest = {
      seq: requests.length + 1,
      time: Date.now(),
      method,
      url,
      path,
      headers: req.headers,
      body,
      kind: 'unknown',
      sessionId: Array.isArray(header) ? header[0] : header,
      assistantTurns: countAssistant(body),
    }
    requests.push(record)

    if (path === '/api/hello' && (method === 'GET' || method === 'HEAD')) {
      record.kind = 'hello'
      return sendJson(res, 200, { message: 'hello' }, method === 'HEAD')
    }
    if (path === '/v1/messages/count_tokens' && method === 'POST') {
      record.kind = 'count_tokens'
      return sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) })
    }
    if (path !== '/v1/messages' || method !== 'POST') {
      return sendJson(res, 404, apiError('not_found_error', `stub: no route for ${method} ${path}`))
    }
    if (!body || !Array.isArray(body.messages)) {
      return sendJson(res, 400, apiError('invalid_request_error', 'stub: body must be JSON with messages'))
    }

    record.kind = classify(body)
    const ctx = contextFor(record, body)
    let reply: StubReply | undefined
    if (record.kind === 'main') {
      reply = current ? await current(ctx) : undefined
      reply = withDefault(reply, () => defaultMainReply(ctx))
    } else {
      reply = options.sideScript ? await options.sideScript(ctx) : undefined
      reply = withDefault(reply, () => defaultSideReply(ctx))
    }
    record.reply = reply
    await respond(res, body, reply)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mainRequests: () => requests.filter((r) => r.kind === 'main'),
    setScript(next) {
      current = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Tell the main conversation from Claude Code's side requests. */
export function classify(body: MessagesBody): RequestKind {
  const schema = body.output_config?.format?.schema
  const system = systemText(body)
  if (schema?.properties && 'title' in schema.properties) return 'title'
  if (system.includes('naming a coding session')) return 'title'
  if (body.max_tokens === 1) return 'quota'
  const first = body.messages?.[0]
  if (body.messages?.length === 1 && first && contentText(first.content) === 'quota') return 'quota'
  if (schema) return 'structured'
  if (Array.isArray(body.tools) && body.tools.length > 0) return 'main'
  return 'side'
}

/** A value matching a (simple) JSON schema: strings "stub", numbers 0, booleans false, required properties filled. */
export function valueForSchema(schema: JsonSchema): unknown {
  if ('const' in schema) return schema.const
  if (schema.enum && schema.enum.length > 0) return schema.enum[0]
  const alt = schema.anyOf?.[0] ?? schema.oneOf?.[0]
  if (alt) return valueForSchema(alt)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string':
      return 'stub'
    case 'number':
    case 'integer':
      return 0
    case 'boolean':
      return false
    case 'null':
      return null
    case 'array':
      return []
    default: {
      const out: Record<string, unknown> = {}
      for (const key of schema.required ?? Object.keys(schema.properties ?? {})) {
        out[key] = valueForSchema(schema.properties?.[key] ?? { type: 'string' })
      }
      return out
    }
  }
}

function withDefault(reply: StubReply | undefined, fallback: () => StubReply): StubReply {
  if (!reply) return fallback()
  if (reply.text === undefined && !reply.toolUse && !reply.error) return { ...fallback(), delayMs: reply.delayMs }
  return reply
}

/** The user's own text in a message: string content, or its text blocks minus system reminders. */
function userText(content: string | Array<Record<string, unknown>>): string {
  if (typeof content === 'string') return content
  return content
    .filter((b) => b.type === 'text' && typeof b.text === 'string' && !b.text.startsWith('<system-reminder>'))
    .map((b) => b.text as string)
    .join('\n')
}

function contextFor(record: StubRequest, body: MessagesBody): ReplyContext {
  const messages = body.messages ?? []
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')
  const toolResults: ToolResultInfo[] = []
  if (lastUser && typeof lastUser.content !== 'string') {
    for (const block of lastUser.content) {
      if (block.type !== 'tool_result') continue
      toolResults.push({
        tool_use_id: String(block.tool_use_id ?? ''),
        content: contentText(block.content as string | Array<Record<string, unknown>> | undefined),
        is_error: block.is_error === true,
      })
    }
  }
  let promptIndex = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (m.role === 'user' && userText(m.content)) {
      promptIndex = i
      break
    }
  }
  return {
    body,
    headers: record.headers,
    sessionId: record.sessionId,
    assistantTurns: record.assistantTurns,
    promptTurns: messages.slice(promptIndex + 1).filter((m) => m.role === 'assistant').length,
    prompt: promptIndex >= 0 ? userText(messages[promptIndex]!.content) : '',
    lastUserText: lastUser ? userText(lastUser.content) : '',
    toolResults,
    system: systemText(body),
    kind: record.kind,
    request: record,
  }
}

async function respond(res: ServerResponse, body: MessagesBody, reply: StubReply): Promise<void> {
  const closed = onceClosed(res)
  if (reply.error) {
    if (reply.delayMs) await Promise.race([sleep(reply.delayMs), closed])
    return sendJson(res, reply.error.status, apiError(reply.error.type, reply.error.message))
  }
  const id = `msg_stub${randomBytes(10).toString('hex')}`
  const model = body.model ?? 'claude-stub'
  const blocks: Array<Record<string, unknown>> = []
  if (reply.text !== undefined) blocks.push({ type: 'text', text: reply.text })
  if (reply.toolUse) {
    blocks.push({
      type: 'tool_use',
      id: reply.toolUse.id ?? `toolu_stub${randomBytes(10).toString('hex')}`,
      name: reply.toolUse.name,
      input: reply.toolUse.input,
    })
  }
  const stopReason = reply.toolUse ? 'tool_use' : 'end_turn'
  const outputTokens = Math.max(1, Math.ceil(JSON.stringify(blocks).length / 4))
  const usage = { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }

  if (!body.stream) {
    if (reply.delayMs) await Promise.race([sleep(reply.delayMs), closed])
    return sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { ...usage, output_tokens: outputTokens },
    })
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': `req_stub${randomBytes(8).toString('hex')}`,
  })
  const event = (name: string, data: Record<string, unknown>): void => {
    if (!res.writableEnded && !res.destroyed) res.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`)
  }
  event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  })
  event('ping', {})
  if (reply.delayMs) {
    const aborted = await Promise.race([sleep(reply.delayMs).then(() => false), closed.then(() => true)])
    if (aborted) return
  }
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } })
      event('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } })
    } else {
      event('content_block_start', { index, content_block: { ...block, input: {} } })
      event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } })
    }
    event('content_block_stop', { index })
  })
  event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } })
  event('message_stop', {})
  res.end()
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headOnly = false): void {
  if (res.destroyed) return
  const text = JSON.stringify(payload)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(headOnly ? undefined : text)
}

function apiError(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function onceClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.once('close', () => resolve()))
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function countAssistant(body: MessagesBody | undefined): number {
  return body?.messages?.filter((m) => m.role === 'assistant').length ?? 0
}

function systemText(body: MessagesBody): string {
  if (typeof body.system === 'string') return body.system
  return (body.system ?? []).map((b) => b.text ?? '').join('\n')
}

function contentText(content: string | Array<Record<string, unknown>> | undefined): string {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  return content
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n')
}

function titleFrom(text: string): string {
  const inner = /<session>\n?([\s\S]*?)\n?<\/session>/.exec(text)?.[1] ?? text
  const words = inner.trim().split(/\s+/).filter(Boolean).slice(0, 4)
  const title = words.join(' ') || 'Stub session'
  return title.charAt(0).toUpperCase() + title.slice(1)
}

import type { SendableKey } from '@claude-sessions/core'
import type {
  ErrorBody,
  EventsDto,
  HealthDto,
  InputDto,
  LastMessageDto,
  OutputDto,
  SessionEnvelope,
  SessionsDto,
  SessionToolsDto,
  ChildrenDto,
  KilledDto,
  MessageEnvelope,
  MessagesDto,
  WatchDto,
  SummaryDto,
  ToolEventDto,
  ToolStatsDto,
  ToolsDto,
  OthersDto,
  SubagentsDto,
} from './dto.js'
import { ApiError } from './api-error.js'
import type { PairingCodeDto, TelegramStatusDto } from './routes/telegram.js'
import type { WebLoginDto } from './routes/web-login.js'
import type { SessionUsageDto, UsageDto } from './routes/usage.js'
import { fetchTransport } from './fetch-transport.js'
import type { EventStream, Transport } from './transport.js'

/** Filters of the tool audit queries; times are `2h`, ISO or epoch ms (the server reads them). */
export interface ToolsQuery {
  session?: string
  tree?: string
  tool?: string
  destructive?: boolean
  sensitive?: boolean
  denied?: boolean
  project?: string
  since?: string
  until?: string
  limit?: number
}

const queryString = (query: object): string => {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v))
  return qs.size > 0 ? `?${qs}` : ''
}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8420 */
  baseUrl: string
  /** Operator token, or the session's own token with `sessionId`. */
  token?: string | undefined
  sessionId?: string | undefined
  /** Per-request timeout; delivery can take a few seconds. Default 30 s. */
  timeoutMs?: number
  /** How requests travel: `fetch` by default (browsers too); `nodeTransport` (`@claude-sessions/api/node`) for a CLI's start-up time. */
  transport?: Transport
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

function headersOf(options: ClientOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.sessionId !== undefined) headers['x-sm-session'] = options.sessionId
  return headers
}

async function call<T>(options: ClientOptions, method: Method, path: string, body?: unknown, timeoutMs = options.timeoutMs ?? 30_000): Promise<T> {
  const url = new URL(path, options.baseUrl)
  const headers: Record<string, string> = { accept: 'application/json', ...headersOf(options) }
  const payload = body === undefined ? undefined : JSON.stringify(body)
  if (payload !== undefined) headers['content-type'] = 'application/json'
  const { status, text } = await (options.transport ?? fetchTransport).request({ method, url, headers, body: payload, timeoutMs })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ApiError('internal', `server sent a non-JSON reply (HTTP ${status})`, status)
  }
  if (status >= 200 && status < 300) return parsed as T
  const err = (parsed as Partial<ErrorBody>).error
  throw new ApiError(err?.code ?? 'internal', err?.message ?? `HTTP ${status}`, status)
}

const enc = encodeURIComponent

/** The typed client `sm` (and any other tool) uses to talk to the server. */
export function createClient(options: ClientOptions) {
  return {
    health: () => call<HealthDto>(options, 'GET', '/health'),
    list: (all = false) => call<SessionsDto>(options, 'GET', `/sessions${all ? '?all=true' : ''}`),
    get: (ref: string) => call<SessionEnvelope>(options, 'GET', `/sessions/${enc(ref)}`),
    create: (body: { workingDir: string; name?: string; model?: string; prompt?: string; policy?: string }) =>
      call<SessionEnvelope>(options, 'POST', '/sessions', body),
    rename: (ref: string, name: string) => call<SessionEnvelope>(options, 'PATCH', `/sessions/${enc(ref)}`, { name }),
    kill: (ref: string) => call<SessionEnvelope>(options, 'DELETE', `/sessions/${enc(ref)}`),
    // delivery may wait for a just-created agent to draw its input box (up to 30 s) and then confirm
    input: (ref: string, text: string) => call<InputDto>(options, 'POST', `/sessions/${enc(ref)}/input`, { text }, 120_000),
    key: (ref: string, key: SendableKey) => call<SessionEnvelope>(options, 'POST', `/sessions/${enc(ref)}/key`, { key }),
    output: (ref: string, lines: number) => call<OutputDto>(options, 'GET', `/sessions/${enc(ref)}/output?lines=${lines}`),
    events: (ref: string, query: { limit?: number; after?: number } = {}) =>
      call<EventsDto>(options, 'GET', `/sessions/${enc(ref)}/events${queryString(query)}`),
    // the server stops its summarizer after summarizer.timeout_seconds (at most 120 s)
    summary: (ref: string, lines?: number) => call<SummaryDto>(options, 'GET', `/sessions/${enc(ref)}/summary${queryString({ lines })}`, undefined, 150_000),
    /** Tokens and dollars: every session's own and its subtree's, and the total; `since`: `24h`, ISO, epoch ms. */
    usage: (query: { since?: string } = {}) => call<UsageDto>(options, 'GET', `/usage${queryString(query)}`),
    sessionUsage: (ref: string, query: { since?: string } = {}) => call<SessionUsageDto>(options, 'GET', `/sessions/${enc(ref)}/usage${queryString(query)}`),
    /** A one-time login link to the web dashboard (the operator only). */
    webLogin: () => call<WebLoginDto>(options, 'POST', '/web/login', {}),
    telegramPair: () => call<PairingCodeDto>(options, 'POST', '/telegram/pair', {}),
    telegramStatus: () => call<TelegramStatusDto>(options, 'GET', '/telegram'),
    telegramUnpair: (userId: string) => call<{ userId: number; removed: true }>(options, 'DELETE', `/telegram/users/${enc(userId)}`),
    lastMessage: (ref: string) => call<LastMessageDto>(options, 'GET', `/sessions/${enc(ref)}/last-message`),
    spawn: (body: { prompt: string; name?: string; model?: string; workingDir?: string; policy?: string; wait?: number }) =>
      call<SessionEnvelope>(options, 'POST', '/sessions/spawn', body),
    children: (ref: string, query: { recursive?: boolean; status?: string } = {}) =>
      call<ChildrenDto>(options, 'GET', `/sessions/${enc(ref)}/children${queryString(query)}`),
    // typing into an idle recipient waits for its confirmation; urgent waits for the interrupt and the typing too
    send: (ref: string, text: string, mode: 'sequential' | 'important' | 'urgent' = 'sequential') =>
      call<MessageEnvelope>(options, 'POST', `/sessions/${enc(ref)}/messages`, { text, mode }, 120_000),
    messages: (ref: string, query: { status?: string; limit?: number } = {}) =>
      call<MessagesDto>(options, 'GET', `/sessions/${enc(ref)}/messages${queryString(query)}`),
    wait: (ref: string, seconds: number) => call<WatchDto>(options, 'POST', `/sessions/${enc(ref)}/wait`, { seconds }),
    clear: (ref: string, prompt?: string) => call<SessionEnvelope>(options, 'POST', `/sessions/${enc(ref)}/clear`, prompt === undefined ? {} : { prompt }, 120_000),
    killTree: (ref: string) => call<KilledDto>(options, 'DELETE', `/sessions/${enc(ref)}?tree=true`),
    tools: (query: ToolsQuery = {}) => call<ToolsDto>(options, 'GET', `/tools${queryString(query)}`),
    toolStats: (query: Omit<ToolsQuery, 'limit'> & { by?: 'tool' | 'session' | 'category' | 'project' } = {}) =>
      call<ToolStatsDto>(options, 'GET', `/tools/stats${queryString(query)}`),
    /** Live sessions other than `ref`; `repo`: only those in its repository. */
    others: (ref: string, query: { repo?: boolean } = {}) => call<OthersDto>(options, 'GET', `/sessions/${enc(ref)}/others${queryString(query)}`),
    /** Sets (null: clears) what the session says it is doing. */
    setTask: (ref: string, task: string | null) => call<SessionEnvelope>(options, 'PUT', `/sessions/${enc(ref)}/task`, { task }),
    subagents: (ref: string, query: { limit?: number } = {}) => call<SubagentsDto>(options, 'GET', `/sessions/${enc(ref)}/subagents${queryString(query)}`),
    sessionTools: (ref: string, limit?: number) => call<SessionToolsDto>(options, 'GET', `/sessions/${enc(ref)}/tools${queryString({ limit })}`),
    /** Live tool events (server-sent events) until `close()`; `ready` resolves once subscribed. */
    streamTools: (query: Omit<ToolsQuery, 'limit' | 'since' | 'until'>, onEvent: (event: ToolEventDto) => void): EventStream =>
      (options.transport ?? fetchTransport).stream(new URL(`/tools/stream${queryString(query)}`, options.baseUrl), headersOf(options), (name, data) => {
        if (name === 'tool') onEvent(JSON.parse(data) as ToolEventDto)
      }),
  }
}

export type Client = ReturnType<typeof createClient>
export type * from './dto.js'
export type { WebLoginDto }
export type { SessionUsageDto, UsageDto }
export type { UsageTotals } from '@claude-sessions/core'
export { ApiError }
export type { EventStream, Transport }
export { fetchTransport }
export { sseParser } from './sse.js'
export { readySignal } from './transport.js'

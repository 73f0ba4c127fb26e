import { SessionsError, type RepoInspector } from '@claude-sessions/core'
import { type ToolAuditor } from '@claude-sessions/core/audit'
import { type MessageService, type SessionService, type SummaryService, type UsageService } from '@claude-sessions/core/services'
import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { HealthDto } from './dto.js'
import { errorResponse, type ErrorLog } from './errors.js'
import { requireActor, type AuthEnv } from './middleware/auth.js'
import { localOnly } from './middleware/local-only.js'
import { agentRoutes, type AgentRouteOptions } from './routes/agents.js'
import { awarenessRoutes } from './routes/awareness.js'
import { hookRoutes } from './routes/hooks.js'
import { sessionRoutes } from './routes/sessions.js'
import { summaryRoutes } from './routes/summary.js'
import { telegramRoutes, type TelegramAdmin } from './routes/telegram.js'
import { sessionToolRoutes, toolRoutes, type RawStreams } from './routes/tools.js'
import { otlpRoutes, usageRoutes } from './routes/usage.js'
import { webLoginRoutes, type WebLoginIssuer } from './routes/web-login.js'

export interface ApiDeps {
  service: SessionService
  /** Session summaries (`GET /sessions/:ref/summary`); without it that route is 503. */
  summaries?: SummaryService
  /** The tool-use audit: `/tools`, `/tools/stats`, `/tools/stream`, `/sessions/:ref/tools`. */
  audit: ToolAuditor
  /** Messages and watches: spawn, children, messages, wait, clear. */
  messages: MessageService
  agents: Omit<AgentRouteOptions, 'now'>
  /** Tells which repository a directory belongs to (`sm who`); without it only equal working dirs match. */
  repos?: RepoInspector
  /** The Telegram bot, when configured: `/telegram` (pairing, status, unpairing). */
  telegram?: TelegramAdmin
  /** The operator's bearer token (kept in the data dir, mode 0600). */
  operatorToken: string
  version: string
  /** The tmux socket sessions live on (for `sm attach`). */
  tmuxSocket: string
  /** Request bodies above this many bytes get 413. */
  maxBodyBytes: number
  /** A `/tools/stream` client with more than this many bytes its socket has not taken is dropped (default 8 MiB). */
  streamBacklogBytes?: number
  /** Milliseconds since the epoch; for `/health`. */
  startedAt: number
  now(): number
  log?: ErrorLog
  /** Resolves once everything ingested so far is written (true) or could not be (false); hooks are answered after it. */
  written?: () => Promise<boolean>
  /** True while hooks wait for a write queued this turn: the streams' writes let it go first. */
  hooksWaiting?: () => boolean
  /** On Node: `/tools/stream` writes straight to the socket and answers with the adapter's "already sent" response. */
  rawStreams?: RawStreams
  /** The usage ledger: `POST /otlp/v1/logs`, `GET /usage`, `GET /sessions/:ref/usage`; without it those are 503. */
  usage?: UsageService
  /** The web dashboard's login minting (`POST /web/login`, operator only); without it that route is 503. */
  web?: WebLoginIssuer
  /** Why writes fail, while they do (a full disk): `/health` then says `degraded`. */
  writeFailure?: () => { error: Error; since: number; unwritten: number } | null
}

/** What the session and tool routes need; `createApp` and the web listener mount them with their own auth. */
export type OperatorRouteDeps = Pick<
  ApiDeps,
  'service' | 'summaries' | 'audit' | 'messages' | 'agents' | 'repos' | 'now' | 'streamBacklogBytes' | 'rawStreams' | 'hooksWaiting' | 'usage'
>

/** The routes a person or an agent uses (`/sessions…`, `/tools…`), every one behind `authenticate`. */
export function operatorRoutes(deps: OperatorRouteDeps, authenticate: MiddlewareHandler<AuthEnv>) {
  const { service } = deps
  const app = new Hono<AuthEnv>()
  for (const path of ['/sessions', '/sessions/*', '/tools', '/tools/*', '/usage', '/usage/*']) app.use(path, authenticate)
  const usage = usageRoutes(deps.usage, deps.now)
  return app
    .route('/sessions', sessionRoutes(service))
    .route('/sessions', agentRoutes(service, deps.messages, { ...deps.agents, now: deps.now }))
    .route('/sessions', sessionToolRoutes(service, deps.audit))
    .route('/sessions', summaryRoutes(deps.summaries))
    .route('/sessions', awarenessRoutes(service, deps.repos, deps.now))
    .route('/sessions', usage.session)
    .route('/usage', usage.all)
    .route(
      '/tools',
      toolRoutes(service, deps.audit, {
        now: deps.now,
        ...(deps.streamBacklogBytes === undefined ? {} : { backlogBytes: deps.streamBacklogBytes }),
        raw: deps.rawStreams,
        hooksWaiting: deps.hooksWaiting,
      }),
    )
}

export function createApp(deps: ApiDeps) {
  const { service } = deps
  const app = new Hono()
  app.onError((err, c) => errorResponse(err, c, deps.log))
  app.notFound((c) => errorResponse(new SessionsError('not_found', `no route ${c.req.method} ${c.req.path}`), c))
  app.use('*', localOnly)
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) =>
        errorResponse(new SessionsError('payload_too_large', `body exceeds ${deps.maxBodyBytes} bytes`), c),
    }),
  )
  const auth = requireActor(service, deps.operatorToken)
  app.use('/telegram/*', auth)
  app.use('/telegram', auth)
  app.use('/web/*', auth)
  app.use('/otlp/*', auth)
  const routes = app
    .get('/health', (c) => {
      const failure = deps.writeFailure?.() ?? null
      const body: HealthDto = {
        ok: true,
        status: failure === null ? 'ok' : 'degraded',
        ...(failure === null
          ? {}
          : { degraded: { reason: `writes are failing: ${failure.error.message}`, since: failure.since, unwritten: failure.unwritten } }),
        version: deps.version,
        tmuxSocket: deps.tmuxSocket,
        pid: process.pid,
        uptimeMs: deps.now() - deps.startedAt,
        sessions: service.list().length,
      }
      return c.json(body)
    })
    .route('/', operatorRoutes(deps, auth))
    .route('/telegram', telegramRoutes(deps.telegram))
    .route('/web', webLoginRoutes(deps.web))
    .route('/otlp', otlpRoutes(deps.usage))
    .route('/hooks', hookRoutes(service, deps.written))
  return routes
}

export type AppType = ReturnType<typeof createApp>

import type { IncomingMessage, ServerResponse } from 'node:http'
import { createApp, createHookListener, type WebLoginIssuer } from '@claude-sessions/api'
import type { SqliteStore } from '@claude-sessions/store-sqlite'
import type { TelegramService } from '@claude-sessions/telegram'
import { getRequestListener } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { operatorRouteDeps, type Services } from './compose.js'
import type { Config } from './config/schema.js'
import type { Logger } from './logger.js'
import { VERSION } from './version.js'

/** Rows kept in memory while the disk refuses writes, beyond which hooks get 503 (and are spooled). */
export const MAX_UNWRITTEN = 50_000

export interface ListenerDeps {
  config: Config
  log: Logger
  store: SqliteStore
  services: Services
  telegram: TelegramService | null
  /** The web dashboard, for `POST /web/login`. */
  web?: WebLoginIssuer | null
  operatorToken: string
}

/** The server's HTTP handler: hooks on node:http directly (the hot path), everything else through the router. */
export function requestListener({ config, log, store, services, telegram, web = null, operatorToken }: ListenerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { service } = services
  const app = createApp({
    ...operatorRouteDeps(config, services),
    ...(telegram !== null ? { telegram } : {}),
    ...(web !== null ? { web } : {}),
    operatorToken,
    version: VERSION,
    tmuxSocket: config.tmuxSocket,
    maxBodyBytes: config.maxBodyBytes,
    startedAt: Date.now(),
    log,
    written: store.whenWritten,
    writeFailure: store.writeFailure,
    hooksWaiting: store.writeQueued,
    // /tools/stream writes straight to the socket (no web-stream hops per chunk)
    rawStreams: { alreadySent: RESPONSE_ALREADY_SENT },
  })
  const routes = getRequestListener(app.fetch)
  const hooks = createHookListener({
    service,
    maxBodyBytes: config.maxBodyBytes,
    log,
    written: store.whenWritten,
    // memory stays bounded on a disk that stays full: past this, new hooks are left to the spool
    refusing: () => {
      const failure = store.writeFailure()
      return failure !== null && failure.unwritten >= MAX_UNWRITTEN
        ? `the disk is full and ${failure.unwritten} rows wait in memory; this event is left to the hook's spool`
        : null
    },
  })
  return (req, res) => {
    if (!hooks(req, res)) void routes(req, res)
  }
}

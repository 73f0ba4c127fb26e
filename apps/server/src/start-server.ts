import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SessionsError } from '@claude-sessions/core'
import { type ToolAuditor } from '@claude-sessions/core/audit'
import { type SessionService } from '@claude-sessions/core/services'
import { openSqliteStore, type SqliteStore } from '@claude-sessions/store-sqlite'
import { TmuxMultiplexer } from '@claude-sessions/tmux'
import { commandAvailable } from './host-checks.js'
import { startAgentExitWatch } from './agent-exit-watch.js'
import { writeFailClosedMarker } from './audit/fail-closed-marker.js'
import { composeServices } from './compose.js'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { ensurePrivateDataDir } from './data-dir.js'
import { applyHttpLimits } from './http-limits.js'
import { acquireInstanceLock } from './instance-lock.js'
import type { Logger } from './logger.js'
import { ensureOperatorToken } from './operator-token.js'
import { requestListener } from './request-listener.js'
import { spoolImporter } from './spool/index.js'
import { StartGate } from './start-gate.js'
import { storeOpenError } from './store-open-error.js'
import { startTelegram } from './telegram/start-telegram.js'
import { VERSION } from './version.js'
import { startWeb } from './web/start-web.js'
import { startWatchdog } from './watchdog.js'


export interface RunningServer {
  url: string
  /** The web dashboard's address, or null when it is off or could not listen. */
  webUrl: string | null
  service: SessionService
  audit: ToolAuditor
  close(): Promise<void>
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use` : error.message
      reject(new SessionsError('unavailable', `can't listen on ${host}:${port}: ${reason}`, { cause: error }))
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

/**
 * Starts the daemon. Order matters: the data-dir lock first, so a second instance fails before
 * touching anything; then the store (fast, and a broken database stops us before any port is
 * open); then the port, where requests are held (not refused) until the registry is reconciled
 * with tmux and the spool is imported.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const privateDir = ensurePrivateDataDir(config.dataDir)
  if (privateDir.tightenedFrom !== null) log.warn({ dataDir: config.dataDir, was: privateDir.tightenedFrom.toString(8) }, 'data dir was open to other users: made it 0700')
  const files = dataFiles(config.dataDir)
  const lock = acquireInstanceLock(files.lock)
  let store: SqliteStore
  let operatorToken: string
  try {
    store = openSqliteStore({ path: files.database, onError: (error) => log.warn({ err: error }, 'store write failed; kept in memory and retried') })
  } catch (error) {
    lock.release()
    throw storeOpenError(files.database, error)
  }
  try {
    operatorToken = ensureOperatorToken(files.operatorToken)
  } catch (error) {
    store.close()
    lock.release()
    throw new SessionsError('unavailable', `can't read or create the operator token ${files.operatorToken}: ${(error as Error).message}`, { cause: error })
  }
  const gate = new StartGate()
  // timeouts are checked every second (Node's default is every 30 s)
  const http = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => gate.handle(req, res))
  applyHttpLimits(http)
  let address: AddressInfo
  try {
    address = await listen(http, config.host, config.port)
  } catch (error) {
    store.close()
    lock.release()
    throw error
  }
  try {
    return await startServing({ config, log, files, lock, store, operatorToken, http, gate, address })
  } catch (error) {
    // never left answering "starting" forever: say what failed, and free the port, the store and the lock
    gate.refuseAll()
    http.closeAllConnections()
    await new Promise<void>((resolve) => http.close(() => resolve()))
    await closeStore(store, lock, log)
    throw error
  }
}

/** The last of a stop: the buffers written (a failure logged), the store closed, the lock released. */
async function closeStore(store: SqliteStore, lock: { release(): void }, log: Logger): Promise<void> {
  await store.stopCheckpoints()
  try {
    store.close()
  } catch (error) {
    log.error({ err: error }, 'could not write the last buffered events')
  } finally {
    lock.release()
  }
}

interface Opened {
  config: Config
  log: Logger
  files: ReturnType<typeof dataFiles>
  lock: { release(): void }
  store: SqliteStore
  operatorToken: string
  http: Server
  gate: StartGate
  address: AddressInfo
}

async function startServing({ config, log, files, lock, store, operatorToken, http, gate, address }: Opened): Promise<RunningServer> {
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  const mux = new TmuxMultiplexer({ socket: config.tmuxSocket })
  writeFailClosedMarker(files.failClosedMarker, config.hooksFailClosed)
  const services = composeServices({ config, log, store, mux, url })
  const { audit, retention, service, messages, summarizer, summaries, decisions } = services

  if (!commandAvailable(config.claudeCommand)) {
    log.warn({ command: config.claudeCommand }, 'agent command not found on PATH: sm new will fail until claude.command is set')
  }
  const reconciled = await service.reconcile({ adopt: true })
  log.info(reconciled, 'reconciled with tmux')
  const importSpooled = spoolImporter(files.spool, service, log)
  importSpooled()
  // after the spool: turns that ended while the server was down are known
  messages.resume()
  // an agent that exits (or is killed) is noticed within a fraction of a second, not at the next watchdog tick
  const agentWatch = startAgentExitWatch({ service, mux, log, onInputFreed: (id) => messages.retryQueued(id) })

  // after the instance lock, the store and the spool: no topic is made by a second instance or before the registry is known
  const telegram = config.telegram === null ? null : startTelegram(config.telegram, { store, service, messages, summaries, audit, decisions, log })
  const web = config.web === null ? null : await startWeb({ ...config, web: config.web }, services, log)
  gate.open(requestListener({ config, log, store, services, telegram: telegram?.service ?? null, web, operatorToken }))
  const stopWatchdog = startWatchdog({ service, importSpooled, intervalMs: config.watchdogIntervalMs, log })

  log.info({ url, dataDir: config.dataDir, tmuxSocket: config.tmuxSocket, version: VERSION }, 'server listening')
  let closed: Promise<void> | null = null
  const close = async (): Promise<void> => {
    stopWatchdog()
    agentWatch.stop()
    retention.stop()
    messages.dispose()
    summarizer.close()
    await web?.close()
    // no new connections (idle keep-alive ones are closed); requests in flight are answered
    const drained = new Promise<void>((resolve) => http.close(() => resolve()))
    // held permission requests are let go (answered "no decision") so their hooks can finish
    decisions.stop()
    await telegram?.stop()
    // a keep-alive connection whose request finishes meanwhile is closed as soon as it is idle
    const idle = setInterval(() => http.closeIdleConnections(), 50)
    const cut = setTimeout(() => http.closeAllConnections(), config.drainMs)
    await drained
    clearInterval(idle)
    clearTimeout(cut)
    audit.drain()
    await closeStore(store, lock, log)
  }
  return {
    url,
    webUrl: web?.url ?? null,
    service,
    audit,
    close() {
      closed ??= close()
      return closed
    },
  }
}

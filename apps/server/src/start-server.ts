import { homedir } from 'node:os'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp, createHookListener } from '@claude-sessions/api'
import { MessageService, SessionService, SessionsError, SummaryService, ToolAuditor } from '@claude-sessions/core'
import { openSqliteStore, type SqliteStore } from '@claude-sessions/store-sqlite'
import { TmuxMultiplexer } from '@claude-sessions/tmux'
import { getRequestListener } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { writeFailClosedMarker } from './audit/fail-closed-marker.js'
import { projectResolver } from './audit/project.js'
import { lockEnforcer } from './lock-enforcement.js'
import { startRetention } from './audit/retention.js'
import { commandAvailable, isDirectory, randomIds, sha256, systemClock } from './adapters.js'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { acquireInstanceLock } from './instance-lock.js'
import type { Logger } from './logger.js'
import { ensureOperatorToken } from './operator-token.js'
import { importSpool } from './spool/index.js'
import { FsRepoInspector } from './repo-inspector.js'
import { CommandSummarizer } from './summarizer.js'
import { startTelegram } from './telegram/start-telegram.js'
import { StartGate } from './start-gate.js'
import { ensurePrivateDataDir } from './data-dir.js'
import { applyHttpLimits } from './http-limits.js'
import { startAgentExitWatch } from './agent-exit-watch.js'
import { storeOpenError } from './store-open-error.js'
import { VERSION } from './version.js'

/** Rows kept in memory while the disk refuses writes, beyond which hooks get 503 (and are spooled). */
export const MAX_UNWRITTEN = 50_000

export interface RunningServer {
  url: string
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
  const audit = new ToolAuditor({
    store: store.toolAudit,
    defer: (work) => setImmediate(work),
    projectOf: projectResolver(),
    config: { responseCap: config.auditResponseCap, redact: config.redactPatterns, home: homedir(), policies: config.policies },
    onError: (error) => log.warn({ err: error }, 'tool audit: a row could not be recorded'),
  })
  // the audit rows of a turn's hooks are written in the same transaction as their events
  store.setBeforeFlush(() => audit.drain())
  const retention = startRetention({
    store: store.toolAudit,
    retentionMs: config.auditRetentionDays * 86_400_000,
    now: Date.now,
    intervalMs: 3_600_000,
    onDeleted: (count) => log.info({ count, days: config.auditRetentionDays }, 'deleted old tool events'),
    onError: (error) => log.warn({ err: error }, 'tool event retention failed'),
  })
  const service = new SessionService({
    sessions: store.sessions,
    events: store.events,
    mux,
    clock: systemClock,
    ids: randomIds,
    hashToken: sha256,
    isDirectory,
    commandAvailable: (command) => commandAvailable(command),
    audit,
    config: {
      agentCommand: [config.claudeCommand, ...config.claudeArgs],
      env: {
        CLAUDE_SESSIONS_URL: url,
        CLAUDE_SESSIONS_DATA_DIR: config.dataDir,
        ENABLE_TOOL_SEARCH: 'false',
      },
      unsetEnv: ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT'],
      rawEventCap: config.rawEventCap,
      delivery: { settleMs: config.settleMs, confirmMs: config.confirmMs, pollMs: 50, hookGraceMs: 1000 },
      staleMs: config.staleMs,
      interruptSettleMs: 3000,
      startWaitMs: 30_000,
      redact: config.redactPatterns,
      limits: config.limits,
    },
  })
  if (config.enforceLocks) service.addHookReplier(lockEnforcer())
  const messages = new MessageService({
    sessions: service,
    messages: store.messages,
    watches: store.watches,
    clock: systemClock,
    timer: (ms, work) => setTimeout(work, ms).unref(),
    onError: (error) => log.warn({ err: error }, 'message delivery failed'),
    config: { maxStopBlocks: config.maxStopBlocks, fenceMs: 10_000, waitSettleMs: config.waitSettleMs, spawnWaitTimeoutMs: config.spawnWaitTimeoutMs },
  })
  service.onEffects((session, effects) => {
    for (const effect of effects) {
      if (effect.type === 'state_changed') log.info({ session: session.id, from: effect.from, to: effect.to }, 'state')
    }
  })

  if (!commandAvailable(config.claudeCommand)) {
    log.warn({ command: config.claudeCommand }, 'agent command not found on PATH: sm new will fail until claude.command is set')
  }
  const reconciled = await service.reconcile({ adopt: true })
  log.info(reconciled, 'reconciled with tmux')
  const importSpooled = (): void => {
    const spool = importSpool(
      files.spool,
      (item) => {
        service.ingestHook({
          event: item.event,
          payload: item.payload,
          raw: item.raw,
          managerId: item.managerSessionId,
          token: null,
          trusted: true,
          spooled: true,
          ...(item.eventId !== null ? { eventId: item.eventId } : { dedupeKey: item.dedupeKey }),
          at: item.spooledAt,
        })
      },
      log,
    )
    if (spool.imported + spool.rejected > 0) log.info(spool, 'imported spooled hook events')
  }
  importSpooled()
  // after the spool: turns that ended while the server was down are known
  messages.resume()
  // an agent that exits (or is killed) is noticed within a fraction of a second, not at the next watchdog tick
  const agentWatch = startAgentExitWatch({ service, mux, log, onInputFreed: (id) => messages.retryQueued(id) })

  // runs only for GET /sessions/:ref/summary (and Telegram's /summary), in the data dir (no project's hooks or settings)
  const summarizer = new CommandSummarizer({ command: config.summarizerCommand, cwd: config.dataDir })
  const summaries = new SummaryService({ sessions: service, summarizer, timeoutMs: config.summarizerTimeoutMs, redact: config.redactPatterns })
  // after the instance lock, the store and the spool: no topic is made by a second instance or before the registry is known
  const telegram = config.telegram === null ? null : startTelegram(config.telegram, { store, service, messages, summaries, audit, log })
  const app = createApp({
    service,
    summaries,
    audit,
    messages,
    agents: { spawnWaitTimeoutMs: config.spawnWaitTimeoutMs, waitSettleMs: config.waitSettleMs },
    repos: new FsRepoInspector(),
    ...(telegram !== null ? { telegram: telegram.service } : {}),
    operatorToken,
    version: VERSION,
    tmuxSocket: config.tmuxSocket,
    maxBodyBytes: config.maxBodyBytes,
    startedAt: Date.now(),
    now: Date.now,
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
  gate.open((req, res) => {
    if (!hooks(req, res)) void routes(req, res)
  })

  let watching = false
  const watchdog = setInterval(() => {
    if (watching) return
    watching = true
    // hooks refused between the first import and the listen, or still being written then
    importSpooled()
    service
      .reconcile()
      .then((r) => {
        if (r.stopped.length + r.idled.length > 0) log.info(r, 'watchdog')
      })
      .catch((error: unknown) => log.warn({ err: error }, 'watchdog failed'))
      .finally(() => {
        watching = false
      })
  }, config.watchdogIntervalMs)
  watchdog.unref()

  log.info({ url, dataDir: config.dataDir, tmuxSocket: config.tmuxSocket, version: VERSION }, 'server listening')
  let closed: Promise<void> | null = null
  const close = async (): Promise<void> => {
    clearInterval(watchdog)
    agentWatch.stop()
    retention.stop()
    messages.dispose()
    summarizer.close()
    // no new connections (idle keep-alive ones are closed); requests in flight are answered
    const drained = new Promise<void>((resolve) => http.close(() => resolve()))
    // held permission requests are let go (answered "no decision") so their hooks can finish
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
    service,
    audit,
    close() {
      closed ??= close()
      return closed
    },
  }
}

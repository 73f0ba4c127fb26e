import { homedir } from 'node:os'
import { ToolAuditor } from '@claude-sessions/core/audit'
import { DecisionQueue, MessageService, SessionService, SummaryService, UsageService } from '@claude-sessions/core/services'
import type { SqliteStore } from '@claude-sessions/store-sqlite'
import type { TmuxMultiplexer } from '@claude-sessions/tmux'
import { randomIds, sha256, systemClock } from './clock-and-ids.js'
import { commandAvailable, isDirectory } from './host-checks.js'
import { projectResolver } from './audit/project.js'
import { startRetention } from './audit/retention.js'
import type { Config } from './config/schema.js'
import { FsRepoInspector } from '@claude-sessions/workspace'
import { lockEnforcer } from './lock-enforcement.js'
import type { Logger } from './logger.js'
import { CommandSummarizer } from './summarizer.js'

export interface ComposeDeps {
  config: Config
  log: Logger
  store: SqliteStore
  mux: TmuxMultiplexer
  /** The server's own address, handed to the agents it starts. */
  url: string
}

/** The services of a running server, wired to the store, tmux and each other (no I/O starts here but the retention timer). */
export function composeServices({ config, log, store, mux, url }: ComposeDeps) {
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
      // Claude Code's OpenTelemetry logs to /otlp/v1/logs: the usage ledger (unless the user exports elsewhere)
      telemetry: config.userOtel === null ? { endpoint: `${url}/otlp` } : null,
    },
  })
  if (config.userOtel !== null) log.warn({ setting: config.userOtel }, 'your own OpenTelemetry setting is in the environment: managed sessions keep it and export no usage to this server')
  const usage = new UsageService({ sessions: service, store: store.usage })
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
  const decisions = approvalQueue(config, service)
  // the audit keeps each decision and who made it
  decisions.onEvent((e) => {
    if (e.type !== 'ended') return
    const decision = e.end.verdict === null ? null : e.end.verdict === 'deny' ? 'deny' : 'allow'
    audit.recordDecision(e.decision.session, e.decision, { decision, decidedBy: e.end.by }, e.end.at)
  })
  // runs only for GET /sessions/:ref/summary (and Telegram's /summary), in the data dir (no project's hooks or settings)
  const summarizer = new CommandSummarizer({ command: config.summarizerCommand, cwd: config.dataDir })
  const summaries = new SummaryService({ sessions: service, summarizer, timeoutMs: config.summarizerTimeoutMs, redact: config.redactPatterns })
  return { audit, retention, service, messages, summarizer, summaries, decisions, usage }
}

/**
 * The one approval queue (core's DecisionQueue): managed sessions' PermissionRequests are held
 * there for Telegram and the web dashboard, and settled by the first answer, the keyboard (the
 * session leaves its waiting state) or the session stopping. Held only where someone can answer.
 */
function approvalQueue(config: Config, service: SessionService): DecisionQueue {
  const waitSeconds = config.telegram?.bot.approvalWaitSeconds ?? Math.max(1, Math.min(120, config.permissionTimeoutSeconds - 10))
  const decisions = new DecisionQueue({
    clock: systemClock,
    timer: (ms, work) => {
      const timer = setTimeout(work, ms).unref()
      return { cancel: () => clearTimeout(timer) }
    },
    waitMs: waitSeconds * 1000,
  })
  if (config.web !== null) decisions.acceptAnswers()
  service.addHookHolder(decisions.holder)
  service.onEffects((session, effects) => {
    for (const effect of effects) {
      // the dialog closed without our answer: the person at the keyboard answered
      if (effect.type === 'state_changed' && (effect.from === 'waiting_permission' || effect.from === 'waiting_answer')) decisions.sessionEnded(session.id, 'terminal')
      else if (effect.type === 'stopped') decisions.sessionEnded(session.id, 'gone')
    }
  })
  return decisions
}

export type Services = ReturnType<typeof composeServices>

/** What the session and tool routes need, for the API port and the web dashboard's alike. */
export function operatorRouteDeps(config: Config, services: Services) {
  const { service, summaries, audit, messages, usage } = services
  return {
    service,
    summaries,
    audit,
    messages,
    usage,
    agents: { spawnWaitTimeoutMs: config.spawnWaitTimeoutMs, waitSettleMs: config.waitSettleMs },
    repos: new FsRepoInspector(),
    now: Date.now,
  }
}

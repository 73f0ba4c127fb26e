import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { SessionsError } from '@claude-sessions/core'
import { BUILTIN_PROFILES, type Policies } from '@claude-sessions/core/audit'
import { parse as parseYaml } from 'yaml'
import { defaultConfigPath, defaultDataDir } from './paths.js'
import { NOTIFICATION_KINDS } from '@claude-sessions/core'
import { resolveTelegramConfig, type NotifierConfig } from '@claude-sessions/telegram'
import { configSchema, type Config, type ConfigFile, type TelegramSettings } from './schema.js'
import type { Env } from './env.js'


export interface ConfigOverrides {
  config?: string | undefined
  host?: string | undefined
  port?: number | undefined
  dataDir?: string | undefined
  /** The web listener's port (`--web-port`); 0: any free one. */
  webPort?: number | undefined
}

/** OpenTelemetry settings of the user's own: when one is set, managed sessions keep it (no export to us). */
const USER_OTEL = ['CLAUDE_CODE_ENABLE_TELEMETRY', 'OTEL_LOGS_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS']

/** 127.0.0.0/8, ::1 and localhost: where only this machine can connect. */
export const isLoopback = (host: string): boolean => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host)

/** `web:`: off, or its port (default: the server's + 1; any free one when the server's is 0) and hosts. */
function webSettings(web: ConfigFile['web'], serverPort: number, flag: number | undefined): Config['web'] {
  if (!web.enabled) return null
  const port = flag ?? web.port ?? (serverPort === 0 ? 0 : serverPort + 1)
  return { port: port > 65_535 ? 0 : port, allowedHosts: web.allowed_hosts }
}

/** Reads and validates the YAML text; every problem is listed in one `invalid_input` error. */
export function parseConfigText(text: string, source: string) {
  let raw: unknown
  try {
    raw = parseYaml(text) ?? {}
  } catch (error) {
    throw new SessionsError('invalid_input', `${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.join('.')
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key`).join('\n  ')
      }
      return `${path || '(root)'}: ${i.message}`
    })
    throw new SessionsError('invalid_input', `${source}: invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  return parsed.data
}

/** The `telegram:` section, checked and completed (the token from the environment first, never quoted in errors). */
function telegramSettings(t: NonNullable<ConfigFile['telegram']>, permissionTimeoutSeconds: number, env: Env): TelegramSettings {
  if (t.approval_wait_seconds >= permissionTimeoutSeconds) {
    throw new SessionsError(
      'invalid_input',
      `telegram.approval_wait_seconds (${t.approval_wait_seconds}) must be below hooks.permission_timeout_seconds (${permissionTimeoutSeconds}): the hook would give up first`,
    )
  }
  const bot = resolveTelegramConfig(
    {
      chatId: t.chat_id,
      allowedUserIds: t.allowed_user_ids,
      topicOnStop: t.topic_on_stop,
      approvalWaitSeconds: t.approval_wait_seconds,
      throttle: t.throttle,
      ...(t.token !== undefined ? { token: t.token } : {}),
      ...(t.api_root !== undefined ? { apiRoot: t.api_root } : {}),
      ...(t.poll_timeout_seconds !== undefined ? { pollTimeoutSeconds: t.poll_timeout_seconds } : {}),
      ...(t.stall_seconds !== undefined ? { stallSeconds: t.stall_seconds } : {}),
    },
    env,
  )
  const enabled = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, t.notify[kind] ?? true])) as NotifierConfig['enabled']
  const q = t.quiet_hours
  const quietHours =
    q === undefined ? null : { start: q.start, end: q.end, urgent: q.urgent ?? DEFAULT_URGENT, ...(q.time_zone !== undefined ? { timeZone: q.time_zone } : {}) }
  if (q?.time_zone !== undefined && !validTimeZone(q.time_zone)) {
    throw new SessionsError('invalid_input', `telegram.quiet_hours.time_zone: unknown time zone '${q.time_zone}'`)
  }
  return {
    bot,
    projects: Object.entries(t.projects).map(([name, dir]) => ({ name, dir: resolve(dir.replace(/^~(?=$|\/)/, env.HOME ?? '~')) })),
    notify: { enabled, quietHours },
  }
}

const DEFAULT_URGENT = ['permission', 'question'] as const

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The profiles: built in, then configured; the top-level keys complete `default`. */
function policiesOf({ profiles, ...defaults }: ConfigFile['policy']): Policies {
  return { profiles: { ...BUILTIN_PROFILES, ...profiles, default: { ...profiles['default'], ...defaults } } }
}

const envPort = (env: Env): number | undefined => {
  const value = env.CLAUDE_SESSIONS_PORT
  if (value === undefined || value === '') return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new SessionsError('invalid_input', `CLAUDE_SESSIONS_PORT: not a port number: '${value}'`)
  }
  return port
}

/**
 * The configuration: defaults < config file < environment < flags. The file is
 * `--config`, else `CLAUDE_SESSIONS_CONFIG`, else the XDG default (which may be absent).
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env): Config {
  const explicit = overrides.config ?? env.CLAUDE_SESSIONS_CONFIG
  const path = resolve(explicit ?? defaultConfigPath(env))
  let text: string | null = null
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || explicit !== undefined) {
      throw new SessionsError('invalid_input', `can't read config ${path}: ${(error as Error).message}`)
    }
  }
  const file = parseConfigText(text ?? '', path)
  const dataDir = overrides.dataDir ?? env.CLAUDE_SESSIONS_DATA_DIR ?? file.data_dir ?? defaultDataDir(env)
  const host = overrides.host ?? file.server.host
  if (!isLoopback(host) && !file.server.allow_remote) {
    throw new SessionsError(
      'invalid_input',
      `server.host ${host} is not a loopback address: anyone who can reach it could try the API and the dashboard's login over plain HTTP. Keep 127.0.0.1 (put a TLS proxy in front for remote use), or set server.allow_remote: true`,
    )
  }
  const port = overrides.port ?? envPort(env) ?? file.server.port
  return {
    host,
    port,
    web: webSettings(file.web, port, overrides.webPort),
    userOtel: USER_OTEL.find((name) => (env[name] ?? '') !== '') ?? null,
    maxBodyBytes: file.server.max_body_bytes,
    drainMs: file.server.drain_seconds * 1000,
    dataDir: resolve(dataDir),
    tmuxSocket: env.CLAUDE_SESSIONS_TMUX_SOCKET || file.tmux.socket,
    claudeCommand: file.claude.command,
    claudeArgs: file.claude.args,
    rawEventCap: file.events.raw_cap_bytes,
    settleMs: file.delivery.settle_ms,
    confirmMs: file.delivery.confirm_ms,
    watchdogIntervalMs: file.watchdog.interval_seconds * 1000,
    staleMs: file.watchdog.stale_seconds * 1000,
    hookTimeoutSeconds: file.hooks.timeout_seconds,
    permissionTimeoutSeconds: file.hooks.permission_timeout_seconds,
    hooksFailClosed: file.hooks.fail_closed,
    limits: { maxDepth: file.limits.max_depth, maxChildren: file.limits.max_children, maxSessions: file.limits.max_sessions },
    enforceLocks: file.locks.enforce,
    maxStopBlocks: file.messages.max_stop_blocks,
    waitSettleMs: file.messages.wait_settle_seconds * 1000,
    spawnWaitTimeoutMs: file.messages.spawn_wait_timeout_seconds * 1000,
    auditRetentionDays: file.audit.retention_days,
    auditResponseCap: file.audit.response_cap_bytes,
    redactPatterns: file.audit.redact_patterns.map((source) => new RegExp(source, 'g')),
    policies: policiesOf(file.policy),
    summarizerCommand: file.summarizer.command,
    summarizerTimeoutMs: file.summarizer.timeout_seconds * 1000,
    telegram: file.telegram === undefined ? null : telegramSettings(file.telegram, file.hooks.permission_timeout_seconds, env),
    logLevel: file.log.level,
    source: text === null ? null : path,
  }
}

import { POLICY_ACTIONS, POLICY_KEYS, SM_COMMAND_ACTIONS, type Policies } from '@claude-sessions/core/audit'
import { NOTIFICATION_KINDS } from '@claude-sessions/core'
import type { NotifierConfig, TelegramConfig } from '@claude-sessions/telegram'
import { z } from 'zod'

const port = z.number().int().min(1).max(65_535)
const seconds = z.number().positive().max(86_400)

/**
 * A policy profile: category (or `destructive`, `sensitive`) → log | ask | deny; `sm_commands`
 * (a managed session's Bash call of only sm coordination commands) → allow | ask.
 */
const profileShape = Object.fromEntries(POLICY_KEYS.map((k) => [k, z.enum(POLICY_ACTIONS).optional()])) as Record<
  (typeof POLICY_KEYS)[number],
  z.ZodOptional<z.ZodEnum<{ log: 'log'; ask: 'ask'; deny: 'deny' }>>
>
const profile = z.object({ ...profileShape, sm_commands: z.enum(SM_COMMAND_ACTIONS).optional() }).strict()
const profileName = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'profile names use letters, digits, _ and -')

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'g')
      return source.length > 0
    } catch {
      return false
    }
  },
  { message: 'not a valid regular expression' },
)

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24 h)')
const notificationKind = z.enum(NOTIFICATION_KINDS)

/** `telegram:` — present means on; the token may come from CLAUDE_SESSIONS_TELEGRAM_TOKEN instead. */
const telegramSection = z
  .object({
    token: z.string().min(1).optional(),
    chat_id: z.number().int().refine((n) => n !== 0, 'chat_id must be a non-zero integer'),
    allowed_user_ids: z.array(z.number().int().positive()).default([]),
    api_root: z.string().regex(/^https?:\/\/\S+[^/]$/, 'an http(s) URL without a trailing slash').optional(),
    topic_on_stop: z.enum(['close', 'delete', 'keep']).default('close'),
    approval_wait_seconds: seconds.default(120),
    poll_timeout_seconds: z.number().int().min(1).max(50).optional(),
    stall_seconds: seconds.optional(),
    throttle: z.boolean().default(true),
    /** `/new <project>`: name → directory. */
    projects: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'project names use letters, digits, . _ -'), z.string().min(1)).default({}),
    /** Each notification kind on or off (all on by default). */
    notify: z.partialRecord(notificationKind, z.boolean()).default({}),
    quiet_hours: z
      .object({ start: hhmm, end: hhmm, time_zone: z.string().min(1).optional(), urgent: z.array(notificationKind).optional() })
      .strict()
      .optional(),
  })
  .strict()

/** config.yaml: every key optional; unknown keys are errors. */
export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8420),
        max_body_bytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(2 * 1024 * 1024),
        /** On SIGTERM/SIGINT, requests in flight get this long to finish before their connections are cut. */
        drain_seconds: z.number().min(0).max(600).default(5),
        /** A host that is not a loopback address is refused without this (specs/0010-web.md: the risk). */
        allow_remote: z.boolean().default(false),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8420, max_body_bytes: 2 * 1024 * 1024, drain_seconds: 5, allow_remote: false }),
    web: z
      .object({
        enabled: z.boolean().default(true),
        /** Default: the server's port + 1 (8421), or any free port when the server's is 0. */
        port: z.number().int().min(0).max(65_535).optional(),
        /** Host names allowed besides localhost, 127.0.0.1 and [::1] (e.g. a TLS proxy's). */
        allowed_hosts: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name: letters, digits, . -')).default([]),
      })
      .strict()
      .default({ enabled: true, allowed_hosts: [] }),
    data_dir: z.string().min(1).optional(),
    tmux: z
      .object({ socket: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, . _ -').default('claude-sessions') })
      .strict()
      .default({ socket: 'claude-sessions' }),
    claude: z
      .object({ command: z.string().min(1).default('claude'), args: z.array(z.string()).default([]) })
      .strict()
      .default({ command: 'claude', args: [] }),
    events: z
      .object({ raw_cap_bytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024) })
      .strict()
      .default({ raw_cap_bytes: 64 * 1024 }),
    delivery: z
      .object({
        settle_ms: z.number().int().min(0).max(5000).default(150),
        confirm_ms: z.number().int().min(100).max(60_000).default(4000),
      })
      .strict()
      .default({ settle_ms: 150, confirm_ms: 4000 }),
    watchdog: z
      .object({ interval_seconds: seconds.default(10), stale_seconds: seconds.default(20) })
      .strict()
      .default({ interval_seconds: 10, stale_seconds: 20 }),
    hooks: z
      .object({ timeout_seconds: seconds.default(2), permission_timeout_seconds: seconds.default(170), fail_closed: z.boolean().default(false) })
      .strict()
      .default({ timeout_seconds: 2, permission_timeout_seconds: 170, fail_closed: false }),
    limits: z
      .object({
        max_depth: z.number().int().min(1).max(20).default(3),
        max_children: z.number().int().min(1).max(1000).default(10),
        max_sessions: z.number().int().min(1).max(10_000).default(50),
      })
      .strict()
      .default({ max_depth: 3, max_children: 10, max_sessions: 50 }),
    locks: z
      .object({ enforce: z.boolean().default(false) })
      .strict()
      .default({ enforce: false }),
    messages: z
      .object({
        max_stop_blocks: z.number().int().min(1).max(20).default(3),
        wait_settle_seconds: seconds.default(2),
        spawn_wait_timeout_seconds: seconds.default(3600),
      })
      .strict()
      .default({ max_stop_blocks: 3, wait_settle_seconds: 2, spawn_wait_timeout_seconds: 3600 }),
    audit: z
      .object({
        retention_days: z.number().positive().max(36_500).default(30),
        response_cap_bytes: z.number().int().min(256).max(10 * 1024 * 1024).default(16 * 1024),
        redact_patterns: z.array(regexSource).default([]),
      })
      .strict()
      .default({ retention_days: 30, response_cap_bytes: 16 * 1024, redact_patterns: [] }),
    // the keys of the default profile, and named profiles
    policy: profile.extend({ profiles: z.record(profileName, profile).default({}) }).strict().default({ profiles: {} }),
    summarizer: z
      .object({
        command: z.array(z.string().min(1)).min(1, 'give the program and its arguments, e.g. [claude, -p, --model, haiku]').default(['claude', '-p', '--model', 'haiku', '--settings', '{"disableAllHooks":true}']),
        timeout_seconds: z.number().positive().max(120).default(60),
      })
      .strict()
      .default({ command: ['claude', '-p', '--model', 'haiku', '--settings', '{"disableAllHooks":true}'], timeout_seconds: 60 }),
    telegram: telegramSection.optional(),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()

export type ConfigFile = z.infer<typeof configSchema>

export interface TelegramSettings {
  bot: TelegramConfig
  projects: { name: string; dir: string }[]
  notify: NotifierConfig
}

/** The configuration after file, environment and flags: every value set. */
export interface Config {
  host: string
  port: number
  maxBodyBytes: number
  /** How long a graceful stop waits for requests in flight. */
  drainMs: number
  dataDir: string
  tmuxSocket: string
  claudeCommand: string
  claudeArgs: string[]
  rawEventCap: number
  settleMs: number
  confirmMs: number
  watchdogIntervalMs: number
  staleMs: number
  hookTimeoutSeconds: number
  permissionTimeoutSeconds: number
  /** PreToolUse hooks block while the server is unreachable (the hook script reads a marker file). */
  hooksFailClosed: boolean
  limits: { maxDepth: number; maxChildren: number; maxSessions: number }
  /** Deny Edit/Write/MultiEdit/NotebookEdit in a checkout whose workspace lock another session holds. */
  enforceLocks: boolean
  /** Stops in a row one turn may be continued with queued messages. */
  maxStopBlocks: number
  waitSettleMs: number
  spawnWaitTimeoutMs: number
  auditRetentionDays: number
  auditResponseCap: number
  redactPatterns: RegExp[]
  /** Built-in profiles, then the configured ones; `default` from the top-level keys. */
  policies: Policies
  /** argv of the command that writes session summaries (prompt on stdin), and its time limit. */
  summarizerCommand: string[]
  summarizerTimeoutMs: number
  /**
   * A user's own OpenTelemetry setting found in the server's environment (the agents inherit it),
   * e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`: theirs wins, and managed sessions don't export to us.
   */
  userOtel: string | null
  /** The web dashboard's listener (on `host`), or null when turned off; port 0: any free one. */
  web: { port: number; allowedHosts: string[] } | null
  /** Telegram, when configured (validated; the token resolved from the environment first). */
  telegram: TelegramSettings | null
  logLevel: ConfigFile['log']['level']
  /** The file that was read, or null when none exists. */
  source: string | null
}

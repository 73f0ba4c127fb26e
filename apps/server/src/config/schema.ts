import { z } from 'zod'

const port = z.number().int().min(1).max(65_535)
const seconds = z.number().positive().max(86_400)

/** config.yaml: every key optional; unknown keys are errors. */
export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8420),
        max_body_bytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(2 * 1024 * 1024),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8420, max_body_bytes: 2 * 1024 * 1024 }),
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
      .object({ timeout_seconds: seconds.default(2), permission_timeout_seconds: seconds.default(170) })
      .strict()
      .default({ timeout_seconds: 2, permission_timeout_seconds: 170 }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()

export type ConfigFile = z.infer<typeof configSchema>

/** The configuration after file, environment and flags: every value set. */
export interface Config {
  host: string
  port: number
  maxBodyBytes: number
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
  logLevel: ConfigFile['log']['level']
  /** The file that was read, or null when none exists. */
  source: string | null
}

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUILTIN_PROFILES } from '@claude-sessions/core'
import type { Config } from './config/schema.js'
import { createLogger } from './logger.js'

/** A config for tests: port 0, a temp data dir, a private tmux socket. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 2 * 1024 * 1024,
    dataDir: mkdtempSync(join(tmpdir(), 'sm-server-')),
    tmuxSocket: `sm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    claudeCommand: 'sh',
    claudeArgs: ['-c', 'printf "\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\n\\342\\235\\257\\302\\240\\n"; exec sleep 600'],
    rawEventCap: 65_536,
    settleMs: 50,
    confirmMs: 2000,
    watchdogIntervalMs: 60_000,
    staleMs: 20_000,
    hookTimeoutSeconds: 2,
    permissionTimeoutSeconds: 170,
    hooksFailClosed: false,
    auditRetentionDays: 30,
    auditResponseCap: 16 * 1024,
    redactPatterns: [],
    policies: { profiles: BUILTIN_PROFILES },
    logLevel: 'silent',
    source: null,
    ...overrides,
  }
}

export const silentLog = () => createLogger('silent')

export function cleanup(config: Config): void {
  try {
    execFileSync('tmux', ['-L', config.tmuxSocket, 'kill-server'], { stdio: 'ignore' })
  } catch {
    // no server on the socket
  }
  // tmux 3.3 leaves the socket file behind after kill-server
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, config.tmuxSocket), { force: true })
  rmSync(config.dataDir, { recursive: true, force: true })
}

export { waitFor } from '@claude-sessions/core/testing'

import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient } from '@claude-sessions/api/client'
import { BUILTIN_PROFILES } from '@claude-sessions/core/audit'
import type { Config } from './config/schema.js'
import { dataFiles } from './config/paths.js'
import { createLogger } from './logger.js'
import type { RunningServer } from './start-server.js'

/** A stand-in for `claude -p` (modes: echo, sleep, stubborn, fail, empty); see the file. */
export const FAKE_SUMMARIZER = resolve(import.meta.dirname, 'fixtures/fake-summarizer.mjs')

/** A config for tests: port 0, a temp data dir, a private tmux socket. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 2 * 1024 * 1024,
    drainMs: 5000,
    dataDir: mkdtempSync(join(tmpdir(), 'sm-server-')),
    tmuxSocket: `sm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    claudeCommand: 'sh',
    claudeArgs: ['-c', 'printf "\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\n\\342\\235\\257\\302\\240\\n"; exec sleep 600'],
    rawEventCap: 65_536,
    telegram: null,
    web: null,
    userOtel: null,
    settleMs: 50,
    confirmMs: 2000,
    watchdogIntervalMs: 60_000,
    staleMs: 20_000,
    hookTimeoutSeconds: 2,
    permissionTimeoutSeconds: 170,
    hooksFailClosed: false,
    limits: { maxDepth: 3, maxChildren: 10, maxSessions: 50 },
    enforceLocks: false,
    maxStopBlocks: 3,
    waitSettleMs: 2000,
    spawnWaitTimeoutMs: 3_600_000,
    auditRetentionDays: 30,
    auditResponseCap: 16 * 1024,
    redactPatterns: [],
    policies: { profiles: BUILTIN_PROFILES },
    summarizerCommand: [process.execPath, FAKE_SUMMARIZER, 'echo'],
    summarizerTimeoutMs: 10_000,
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

export const HOOK = resolve(import.meta.dirname, '../../../hooks/sm-hook')

export const operatorClient = (server: Pick<RunningServer, 'url'>, config: Config) =>
  createClient({ baseUrl: server.url, token: readFileSync(dataFiles(config.dataDir).operatorToken, 'utf8').trim() })

export const tmuxEnv = (config: Config, terminal: string, name: string): string =>
  execFileSync('tmux', ['-L', config.tmuxSocket, 'show-environment', '-t', terminal, name], { encoding: 'utf8' }).trim().split('=')[1]!

/**
 * Runs the real hook script as Claude Code would: payload on stdin, event as argument.
 * Asynchronous: the server under test runs in this process.
 */
export function runHook(event: string, payload: object, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [HOOK, event], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
    // the hook may stop reading early (a refused body): not an error of the test
    child.stdin.on('error', () => undefined)
    child.stdin.end(JSON.stringify(payload))
  })
}


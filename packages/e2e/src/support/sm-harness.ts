/**
 * Drives the real product end to end: the server as its own process (`sm server`), the real
 * `sm` binary (apps/sm/bin/sm.cjs, built in apps/sm/dist), and the HTTP API for fast polling.
 * Every server listens on 127.0.0.1 with its own data dir and private tmux socket.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, type EventDto, type MessageDto, type SessionDto, type ToolEventDto } from '@claude-sessions/api/client'
import type { SendableKey } from '@claude-sessions/core'
import { tmux, waitFor, type WaitForOptions } from './tmux-harness.js'

/** The checkout's root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
/** The CLI entry, as users run it (`node apps/sm/bin/sm.cjs`). */
export const SM_BIN = join(REPO_ROOT, 'apps/sm/bin/sm.cjs')
/** What `sm hooks install` points Claude Code at (command transport). */
export const SM_HOOK = join(REPO_ROOT, 'hooks/sm-hook')

/** Fails fast with a useful message when the CLI was not built. */
export function assertSmBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'apps/sm/dist/sm.cjs'))) {
    throw new Error(`apps/sm/dist is missing: run \`sh tooling/setup.sh\` in ${REPO_ROOT} first`)
  }
}

export interface SmConfigOptions {
  command: string
  args?: string[]
  settleMs?: number
  confirmMs?: number
  watchdogIntervalSeconds?: number
  staleSeconds?: number
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** More top-level YAML, as is (e.g. a `telegram:` section). */
  extraYaml?: string
}

/** Writes a config.yaml (JSON values are valid YAML, so every string is quoted safely). */
export function writeSmConfig(path: string, options: SmConfigOptions): void {
  const q = (v: unknown) => JSON.stringify(v)
  const lines = [
    'claude:',
    `  command: ${q(options.command)}`,
    `  args: ${q(options.args ?? [])}`,
    'delivery:',
    `  settle_ms: ${options.settleMs ?? 150}`,
    `  confirm_ms: ${options.confirmMs ?? 4000}`,
    'watchdog:',
    `  interval_seconds: ${options.watchdogIntervalSeconds ?? 10}`,
    `  stale_seconds: ${options.staleSeconds ?? 20}`,
    'log:',
    `  level: ${options.logLevel ?? 'info'}`,
    ...(options.extraYaml !== undefined ? [options.extraYaml.trimEnd()] : []),
  ]
  writeFileSync(path, lines.join('\n') + '\n')
}

export interface SmServerOptions {
  /** The whole environment of the server process (and so of the tmux server it starts, and of every agent). */
  env: Record<string, string>
  dataDir: string
  socket: string
  configPath: string
  /** Default 0 (any free port). Pass the old port to restart a server: sessions keep their CLAUDE_SESSIONS_URL. */
  port?: number
  /** How long to wait for `listening on`. */
  timeoutMs?: number
  /** A command the server runs under, which execs it (e.g. `['prlimit', '--fsize=1048576', '--']`). */
  wrap?: string[]
}

export interface SmServer {
  url: string
  port: number
  pid: number
  proc: ChildProcess
  /** Everything the server wrote on stdout so far: its log, one JSON line per entry. */
  log(): string
  /** The last `lines` lines of the log (default 30). */
  logTail(lines?: number): string
  /** Everything the server wrote on stderr so far (`listening on`, fatal errors). */
  stderr(): string
  /** The web dashboard's address, once the server has printed it. */
  webUrl(): Promise<string>
  /** The state changes it logged for one session, in order: `['starting', 'idle', 'working', ...]` (from, then every to). */
  transitions(sessionId: string): string[]
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>
  /** SIGTERM and wait (no-op when it already exited). */
  stop(): Promise<void>
  /** SIGKILL and wait: a crash. */
  kill9(): Promise<void>
}

/** `node apps/sm/bin/sm.cjs server --port N` with the given environment; resolves once it listens. */
export async function startSmServer(options: SmServerOptions): Promise<SmServer> {
  assertSmBuilt()
  const env = {
    ...options.env,
    CLAUDE_SESSIONS_DATA_DIR: options.dataDir,
    CLAUDE_SESSIONS_TMUX_SOCKET: options.socket,
    CLAUDE_SESSIONS_CONFIG: options.configPath,
  }
  const [command, ...pre] = [...(options.wrap ?? []), process.execPath]
  const proc = spawn(command!, [...pre, SM_BIN, 'server', '--port', String(options.port ?? 0)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  proc.stdout!.setEncoding('utf8')
  proc.stdout!.on('data', (d: string) => (stdout += d))
  let stderr = ''
  proc.stderr!.setEncoding('utf8')
  proc.stderr!.on('data', (d: string) => (stderr += d))
  const exited = new Promise<number | string>((resolveExit) => {
    proc.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown'))
  })
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${options.timeoutMs ?? 20_000} ms:\n${stderr}`)), options.timeoutMs ?? 20_000)
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stderr)
      if (m) {
        clearTimeout(timer)
        proc.stderr!.off('data', onData)
        resolveUrl(m[1]!)
      }
    }
    proc.stderr!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`))
    })
  })
  const stopWith = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
    await exited
  }
  return {
    url,
    port: Number(new URL(url).port),
    pid: proc.pid!,
    proc,
    log: () => stdout,
    logTail: (lines = 30) => stdout.split('\n').slice(-lines).join('\n'),
    stderr: () => stderr,
    webUrl: () =>
      waitFor(() => /web dashboard on (http:\/\/\S+)/.exec(stderr)?.[1] ?? false, { timeoutMs: 10_000, message: 'the web dashboard line on stderr' }),
    transitions: (sessionId) => stateTransitions(stdout, sessionId),
    exited,
    stop: () => stopWith('SIGTERM'),
    kill9: () => stopWith('SIGKILL'),
  }
}

/** From pino lines `{"msg":"state","session":id,"from":..,"to":..}`: the first `from`, then every `to`. */
export function stateTransitions(log: string, sessionId: string): string[] {
  const out: string[] = []
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue
    let entry: { msg?: string; session?: string; from?: string; to?: string }
    try {
      entry = JSON.parse(line) as typeof entry
    } catch {
      continue
    }
    if (entry.msg !== 'state' || entry.session !== sessionId) continue
    if (out.length === 0 && entry.from) out.push(entry.from)
    if (entry.to) out.push(entry.to)
  }
  return out
}

export interface SmResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the real `sm` binary; never rejects on a non-zero exit. */
export function runSm(args: string[], env: Record<string, string>, options: { input?: string; timeoutMs?: number } = {}): Promise<SmResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [SM_BIN, ...args], { env })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (d: string) => (stdout += d))
    child.stderr.on('data', (d: string) => (stderr += d))
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (status) => {
      clearTimeout(timer)
      resolveResult({ status, stdout, stderr })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

/** Like {@link runSm}, but throws unless the exit code is 0, and parses stdout as JSON. */
export async function runSmJson<T = unknown>(args: string[], env: Record<string, string>, options: { input?: string } = {}): Promise<T> {
  const r = await runSm([...args, '--json'], env, options)
  if (r.status !== 0) throw new Error(`sm ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`)
  return JSON.parse(r.stdout) as T
}

/** A session as the API and `sm --json` print it. */
export type SessionJson = SessionDto

/** An event as the API lists it, with its payload as an object. */
export type EventJson = Omit<EventDto, 'payload'> & { payload: Record<string, unknown> | null }

/** The typed HTTP client with the operator token of a data dir: for polling (much cheaper than starting `sm`). */
export class SmApi {
  constructor(
    private readonly url: () => string,
    private readonly dataDir: string,
  ) {}

  private client() {
    return createClient({ baseUrl: this.url(), token: readFileSync(join(this.dataDir, 'operator-token'), 'utf8').trim() })
  }

  /** `POST /sessions/:ref/key`. */
  async key(ref: string, key: SendableKey): Promise<SessionJson> {
    return (await this.client().key(ref, key)).session
  }

  /** `POST /web/login`: a one-time link to the web dashboard. */
  async webLogin(): Promise<string> {
    return (await this.client().webLogin()).url
  }

  /** `GET /tools?session=…`: the session's tool audit rows, newest first. */
  async tools(ref: string): Promise<ToolEventDto[]> {
    return (await this.client().tools({ session: ref, limit: 1000 })).tools
  }

  async session(ref: string): Promise<SessionJson> {
    return (await this.client().get(ref)).session
  }

  async sessions(all = true): Promise<SessionJson[]> {
    return (await this.client().list(all)).sessions
  }

  async messages(ref: string): Promise<MessageDto[]> {
    return (await this.client().messages(ref, { limit: 10_000 })).messages
  }

  async events(ref: string): Promise<EventJson[]> {
    return (await this.client().events(ref, { limit: 10_000 })).events as EventJson[]
  }

  /** Polls until the session is in `state` (or one of the states); returns it. */
  async waitForState(ref: string, state: string | string[], options: WaitForOptions = {}): Promise<SessionJson> {
    const wanted = Array.isArray(state) ? state : [state]
    let last: SessionJson | undefined
    try {
      return await waitFor(
        async () => {
          last = await this.session(ref)
          return wanted.includes(last.state) && last
        },
        { timeoutMs: 30_000, intervalMs: 100, ...options },
      )
    } catch (err) {
      throw new Error(`session ${ref} never reached ${wanted.join('|')} (last: ${last?.state ?? 'unknown'}): ${(err as Error).message}`)
    }
  }

  /** Polls until `match` finds events; returns the matching events. */
  async waitForEvents(ref: string, match: (e: EventJson) => boolean, count = 1, options: WaitForOptions = {}): Promise<EventJson[]> {
    let seen: string[] = []
    try {
      return await waitFor(
        async () => {
          const all = await this.events(ref)
          seen = all.map((e) => e.event)
          const hits = all.filter(match)
          return hits.length >= count && hits
        },
        { timeoutMs: 30_000, intervalMs: 100, ...options },
      )
    } catch (err) {
      throw new Error(`${(err as Error).message}; events of ${ref}: ${seen.join(', ')}`)
    }
  }
}

/** The pids of every pane's program on a tmux socket ([] when the server is not running). */
export async function panePids(socket: string): Promise<number[]> {
  try {
    const { stdout } = await tmux(socket, ['list-panes', '-a', '-F', '#{pane_pid}'])
    return stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0)
  } catch {
    return []
  }
}

export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Waits (bounded) until the given processes are gone. Only looks; never signals them. */
export async function waitForExit(pids: number[], timeoutMs = 15_000): Promise<void> {
  await waitFor(() => pids.every((p) => !processAlive(p)), { timeoutMs, intervalMs: 100 }).catch(() => undefined)
}

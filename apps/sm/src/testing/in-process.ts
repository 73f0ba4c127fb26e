/**
 * `sm` in-process, for the unit tests: `runCli` with an environment, a working directory,
 * collectors for stdout and stderr, and a transport into `createApp` on core's in-memory fakes
 * (no port, no child process, no build). The fakes stand in for what the integration tests run
 * for real: `FakeMultiplexer` for tmux, with an agent that echoes what it is sent as the
 * fixture echo-agent does; a scripted summarizer for `claude -p`; in-memory stores for SQLite.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { createApp, type ApiDeps, type TelegramAdmin, type WebLoginIssuer } from '@claude-sessions/api'
import type { RepoInspector, Summarizer } from '@claude-sessions/core'
import { BUILTIN_PROFILES, ToolAuditor } from '@claude-sessions/core/audit'
import { MessageService, SessionService, SummaryService, UsageService, type SessionServiceConfig } from '@claude-sessions/core/services'
import { FakeMultiplexer, FixedClock, InMemoryEventStore, InMemoryMessageStore, InMemorySessionStore, InMemoryToolAuditStore, InMemoryUsageStore, InMemoryWatchStore, SequentialIds, testServiceConfig } from '@claude-sessions/core/testing'
import type { Env } from '../env.js'
import type { Io, Output } from '../io.js'
import { runCli } from '../run-cli.js'
import { appTransport, type AppTransport } from './app-transport.js'

/** What `sm` wrote and how it ended. */
export interface SmResult {
  status: number
  stdout: string
  stderr: string
}

export interface SmOptions {
  env: Env
  /** The current directory (default: the process's). */
  cwd?: string
  /** All of standard input (`sm send <session> -`, the menu of `sm attach`). */
  stdin?: string
  /** How requests travel; default node:http, as the binary (a closed port: "server unavailable"). */
  transport?: Io['transport']
  /** A client to use as it is (its own address and identity), instead of one made from `env`. */
  client?: Io['client']
  /** Aborting it is Ctrl-C (`sm tail -f`). */
  signal?: AbortSignal
  /** stdout is a terminal this wide. */
  columns?: number
  /** Sees each piece of stdout as it is written (a long-running command). */
  onStdout?: (text: string) => void
  /** Records the links `sm web --open` opens (instead of a browser); throws to play a missing opener. */
  openUrl?: (url: string) => Promise<void>
}

/** A collector for `out` or `err`. */
function collector(tty: { columns: number } | null, onWrite?: (text: string) => void): Output & { text: string } {
  return {
    text: '',
    isTTY: tty !== null ? true : undefined,
    columns: tty?.columns,
    write(text: string) {
      this.text += text
      onWrite?.(text)
      return true
    },
  }
}

/** Runs `sm <args>` in this process; resolves with its exit code and what it wrote. */
export async function sm(args: string[], options: SmOptions): Promise<SmResult> {
  const out = collector(options.columns === undefined ? null : { columns: options.columns }, options.onStdout)
  const err = collector(null)
  const { signal } = options
  const io: Io = {
    env: options.env,
    cwd: options.cwd ?? process.cwd(),
    out,
    err,
    readStdin: () => options.stdin ?? '',
    get stdin() {
      return Readable.from([options.stdin ?? ''])
    },
    onInterrupt(stop) {
      if (signal === undefined) return () => undefined
      if (signal.aborted) {
        stop()
        return () => undefined
      }
      signal.addEventListener('abort', stop, { once: true })
      return () => signal.removeEventListener('abort', stop)
    },
    onOutClosed: () => () => undefined,
    exit(code) {
      throw new Error(`sm called exit(${code}) in-process`)
    },
    transport: options.transport,
    client: options.client,
    openUrl: options.openUrl ?? (() => Promise.reject(new Error('no browser in tests'))),
  }
  const status = await runCli(args, io)
  return { status, stdout: out.text, stderr: err.text }
}

const RULE = '\u2500'.repeat(40)

/**
 * The fake multiplexer with the fixture echo agent in each terminal: the screen shows `got: <text>`
 * for every prompt submitted with Enter, above the input box.
 */
export class EchoMultiplexer extends FakeMultiplexer {
  private readonly echoed = new Map<string, string[]>()
  /** Called after each prompt is echoed: what Claude Code would do next (its hooks). */
  onPrompt: (name: string, text: string) => void = () => undefined

  constructor(options: ConstructorParameters<typeof FakeMultiplexer>[0]) {
    super(options)
    this.onSubmit = (name, text) => {
      this.echoed.set(name, [...(this.echoed.get(name) ?? []), text])
      this.onPrompt(name, text)
    }
  }

  override capture(name: string, scrollback = 0): Promise<string> {
    const t = this.terminals.get(name)
    const got = this.echoed.get(name)
    if (t === undefined || got === undefined || t.screen !== null) return super.capture(name, scrollback)
    // the fake draws `screen` instead of its input box while it is set; its capture reads it at once
    t.screen = `${got.map((text) => `got: ${text}\n`).join('')}${RULE}\n\u276f\u00a0${t.input}\n${RULE}\n`
    const captured = super.capture(name, scrollback)
    t.screen = null
    return captured
  }
}

/** A summarizer that answers from a script and keeps each prompt. */
export class ScriptedSummarizer implements Summarizer {
  readonly prompts: string[] = []
  constructor(public answer: (prompt: string) => string | Error) {}
  summarize(prompt: string): Promise<string> {
    this.prompts.push(prompt)
    const answer = this.answer(prompt)
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
  }
}

export interface InProcessServerOptions {
  /** Tells which repository a directory belongs to (`sm who`); default: equal working dirs only. */
  repos?: RepoInspector
  summarizer?: Summarizer
  telegram?: TelegramAdmin
  /** The web dashboard's login minting (`sm web`). */
  web?: WebLoginIssuer
  config?: Partial<SessionServiceConfig>
}

export const OPERATOR_TOKEN = 'operator-secret'

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * The API on fakes, as `sm server` would serve it: a temp dir holding the data dir (with the
 * operator token, which `sm` reads from there), the services on in-memory stores, a fixed clock
 * started at the real time (ages print as seconds), and `sm` bound to it.
 */
export function inProcessServer(options: InProcessServerOptions = {}) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sm-unit-')))
  const dataDir = join(dir, 'data')
  mkdirSync(dataDir)
  writeFileSync(join(dataDir, 'operator-token'), `${OPERATOR_TOKEN}\n`, { mode: 0o600 })
  const url = 'http://127.0.0.1:8420'
  const clock = new FixedClock(Date.now())
  const mux = new EchoMultiplexer({ isDirectory })
  /** The session's own token, as its terminal's environment has it. */
  const tokenOf = (id: string): string => {
    const t = mux.terminals.get(`claude-${id}`)
    if (t === undefined) throw new Error(`no terminal for session ${id}`)
    return t.options.env.CLAUDE_SESSION_MANAGER_TOKEN!
  }
  const audit = new ToolAuditor({
    store: new InMemoryToolAuditStore(),
    projectOf: (cwd) => (cwd ? basename(cwd) || null : null),
    config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } },
  })
  const service = new SessionService({
    sessions: new InMemorySessionStore(),
    events: new InMemoryEventStore(),
    mux,
    clock,
    ids: new SequentialIds(),
    hashToken: (t) => `h:${t}`,
    isDirectory,
    audit,
    config: testServiceConfig({ env: { CLAUDE_SESSIONS_URL: url, CLAUDE_SESSIONS_DATA_DIR: dataDir }, ...options.config }),
  })
  const timers = new Set<NodeJS.Timeout>()
  const messages = new MessageService({
    sessions: service,
    messages: new InMemoryMessageStore(),
    watches: new InMemoryWatchStore(),
    clock,
    timer: (ms, work) => {
      const t = setTimeout(() => {
        timers.delete(t)
        work()
      }, ms)
      t.unref()
      timers.add(t)
    },
    config: { maxStopBlocks: 3, fenceMs: 10_000, waitSettleMs: 2000, spawnWaitTimeoutMs: 3_600_000 },
  })
  const usageStore = new InMemoryUsageStore()
  const deps: ApiDeps = {
    usage: new UsageService({ sessions: service, store: usageStore }),
    service,
    audit,
    messages,
    agents: { spawnWaitTimeoutMs: 3_600_000, waitSettleMs: 2000 },
    operatorToken: OPERATOR_TOKEN,
    version: 't',
    tmuxSocket: 'sm-unit',
    maxBodyBytes: 1 << 20,
    startedAt: clock.now(),
    now: () => clock.now(),
    ...(options.repos ? { repos: options.repos } : {}),
    ...(options.telegram ? { telegram: options.telegram } : {}),
    ...(options.web ? { web: options.web } : {}),
    ...(options.summarizer ? { summaries: new SummaryService({ sessions: service, summarizer: options.summarizer, timeoutMs: 10_000 }) } : {}),
  }
  // `/clear` starts a new conversation: Claude Code's SessionStart (clear), which `sm clear` waits for
  let clears = 0
  mux.onPrompt = (name, text) => {
    const session = service.list().find((s) => s.tmuxSession === name)
    if (text !== '/clear' || session === undefined) return
    const payload = { session_id: `cleared-${++clears}`, hook_event_name: 'SessionStart', source: 'clear' }
    setImmediate(() => void service.ingestHook({ event: 'SessionStart', payload, raw: JSON.stringify(payload), managerId: session.id, token: tokenOf(session.id) }))
  }
  const app = createApp(deps)
  const transport: AppTransport = appTransport(app)
  /** The operator's environment: outside any session, the data dir holding the operator token. */
  const env: Env = { HOME: dir, CLAUDE_SESSIONS_URL: url, CLAUDE_SESSIONS_DATA_DIR: dataDir }

  return {
    app,
    service,
    messages,
    audit,
    usageStore,
    mux,
    clock,
    transport,
    dir,
    dataDir,
    env,
    /** `sm <args>` against this app; the operator's environment and the temp dir unless `more` says otherwise. */
    sm: (args: string[], more: Omit<SmOptions, 'env' | 'transport'> & { env?: Env } = {}): Promise<SmResult> =>
      sm(args, { ...more, env: more.env ?? env, cwd: more.cwd ?? dir, transport }),
    tokenOf,
    /** The environment `sm` has inside managed session `id`: its id and token. */
    inside: (id: string, extra: Env = {}): Env => ({ ...env, CLAUDE_SESSION_MANAGER_ID: id, CLAUDE_SESSION_MANAGER_TOKEN: tokenOf(id), ...extra }),
    /** Posts a hook event of managed session `id` with its own token, as the hook script does; the reply's body. */
    async hook(id: string, event: string, payload: Record<string, unknown>, token = tokenOf(id)): Promise<unknown> {
      const res = await app.request(`/hooks/${event}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sm-session': id, authorization: `Bearer ${token}` },
        body: JSON.stringify({ hook_event_name: event, ...payload }),
      })
      if (res.status !== 200) throw new Error(`hook ${event}: HTTP ${res.status} ${await res.text()}`)
      return res.json()
    },
    stop(): void {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type InProcessServer = ReturnType<typeof inProcessServer>

export { waitFor } from '@claude-sessions/core/testing'

/**
 * A git checkout as the files git leaves (`.git/HEAD`, `.git/config` with `origin`), made
 * without running git: enough for the git root, the branch, the remote and the lock file.
 */
export function gitCheckout(dir: string, options: { branch?: string; origin?: string } = {}): string {
  mkdirSync(join(dir, '.git', 'info'), { recursive: true })
  writeFileSync(join(dir, '.git', 'HEAD'), `ref: refs/heads/${options.branch ?? 'main'}\n`)
  const remote = options.origin === undefined ? '' : `[remote "origin"]\n\turl = ${options.origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`
  writeFileSync(join(dir, '.git', 'config'), `[core]\n\trepositoryformatversion = 0\n\tbare = false\n${remote}`)
  return dir
}

/** A linked worktree of `main` (made by gitCheckout) at `dir` on `branch`, as `git worktree add` leaves it. */
export function gitWorktree(main: string, dir: string, branch: string): string {
  const gitDir = join(main, '.git', 'worktrees', basename(dir))
  mkdirSync(gitDir, { recursive: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(gitDir, 'HEAD'), `ref: refs/heads/${branch}\n`)
  writeFileSync(join(gitDir, 'commondir'), '../..\n')
  writeFileSync(join(gitDir, 'gitdir'), `${join(dir, '.git')}\n`)
  writeFileSync(join(dir, '.git'), `gitdir: ${gitDir}\n`)
  return dir
}

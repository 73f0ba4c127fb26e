/**
 * Small tmux helpers for end-to-end tests. Always a private socket (`tmux -L <name>`), never
 * the user's default server; every call is an argv array.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The live input line of Claude Code's prompt box: `❯` + NO-BREAK SPACE (history lines use a plain space). */
export const IDLE_INPUT_RE = /^❯\u00a0/m

let socketCounter = 0
/** A socket name unique to this process and call, e.g. `sm-e2e-1234-1`. */
export function privateSocket(prefix = 'sm-e2e'): string {
  socketCounter += 1
  return `${prefix}-${process.pid}-${socketCounter}`
}

export interface TmuxResult {
  stdout: string
  stderr: string
}

/** Run `tmux -L socket -f /dev/null <args>`; rejects on a non-zero exit. */
export function tmux(socket: string, args: string[], env?: NodeJS.ProcessEnv): Promise<TmuxResult> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`tmux ${args.join(' ')} failed: ${stderr.trim() || err.message}`), { cause: err }))
      else resolve({ stdout, stderr })
    })
  })
}

export interface NewSessionOptions {
  /** argv of the program to run in the pane (run directly, no shell). */
  command: string[]
  cwd: string
  /**
   * Environment of the pane. It is also the environment of the tmux server when this call starts
   * it (the first session on the socket), and every entry is passed with `-e`, so later sessions get
   * it too.
   */
  env: Record<string, string>
  width?: number
  height?: number
  /** Keep the pane (dead) after the program exits, so its last screen can still be read. Default false. */
  keepOnExit?: boolean
}

/** Start a detached session running `command`; a 200x50 pane unless told otherwise. */
export async function newSession(socket: string, name: string, options: NewSessionOptions): Promise<void> {
  const prefix = options.keepOnExit ? ['set-option', '-g', 'remain-on-exit', 'on', ';'] : []
  const args = [...prefix, 'new-session', '-d', '-s', name, '-x', String(options.width ?? 200), '-y', String(options.height ?? 50), '-c', options.cwd]
  for (const [key, value] of Object.entries(options.env)) args.push('-e', `${key}=${value}`)
  args.push('--', ...options.command)
  await tmux(socket, args, options.env)
}

/** The visible pane as text (`capture-pane -p`). */
export async function capture(socket: string, name: string): Promise<string> {
  const { stdout } = await tmux(socket, ['capture-pane', '-p', '-t', name])
  return stdout
}

/** Type text literally (`send-keys -l`), without Enter. */
export async function sendText(socket: string, name: string, text: string): Promise<void> {
  await tmux(socket, ['send-keys', '-t', name, '-l', '--', text])
}

/** Send key names (`Enter`, `Escape`, `C-c`, `1`, ...). */
export async function sendKeys(socket: string, name: string, ...keys: string[]): Promise<void> {
  await tmux(socket, ['send-keys', '-t', name, ...keys])
}

/** Type like a person: the text, a pause, then a separate Enter (a burst with Enter inside is a paste). */
export async function typeAndSubmit(socket: string, name: string, text: string, pauseMs = 150): Promise<void> {
  await sendText(socket, name, text)
  await sleep(pauseMs)
  await sendKeys(socket, name, 'Enter')
}

export async function hasSession(socket: string, name: string): Promise<boolean> {
  try {
    await tmux(socket, ['has-session', '-t', name])
    return true
  } catch {
    return false
  }
}

/** True when the pane's program has exited (the pane is kept by remain-on-exit). */
export async function paneDead(socket: string, name: string): Promise<boolean> {
  const { stdout } = await tmux(socket, ['display-message', '-p', '-t', name, '#{pane_dead}'])
  return stdout.trim() === '1'
}

export async function killSession(socket: string, name: string): Promise<void> {
  await tmux(socket, ['kill-session', '-t', name]).catch(() => undefined)
}

/** Where tmux puts the socket for `-L socket`. */
export function socketPath(socket: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0
  return join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket)
}

/** Kill the whole private server (fine if it is not running) and remove its socket file, which tmux 3.3 leaves behind. */
export async function killServer(socket: string): Promise<void> {
  await tmux(socket, ['kill-server']).catch(() => undefined)
  rmSync(socketPath(socket), { force: true })
}

export interface WaitForOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Shown in the timeout error. */
  message?: string
}

/**
 * Poll `fn` until it returns a truthy value (returned) or the time is up (throws, quoting the last
 * value or error). Errors thrown by `fn` count as "not yet".
 */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const intervalMs = options.intervalMs ?? 100
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value) return value as Truthy<T>
      last = value
    } catch (err) {
      last = err
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last)
      throw new Error(`waitFor timed out after ${timeoutMs} ms${options.message ? ` (${options.message})` : ''}; last: ${detail}`)
    }
    await sleep(intervalMs)
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A fresh directory under os.tmpdir(); remove it with {@link removeDir}. */
export function makeTempDir(prefix = 'sm-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true })
}

/**
 * A hook command that stores each payload (stdin) as its own file in `dir`, named by start time,
 * written to a temp name then renamed, so concurrent hooks never interleave and a reader never
 * sees half a file. Read them back with {@link readHookLog}.
 */
export function hookLogCommand(dir: string): string {
  const q = shellQuote(dir)
  return `f=${q}/$(date +%s%N)-$$; cat > "$f.part" && mv "$f.part" "$f.json"`
}

export interface HookRecord {
  hook_event_name: string
  session_id: string
  [key: string]: unknown
}

/** The payloads logged by {@link hookLogCommand}, oldest first. */
export function readHookLog(dir: string): HookRecord[] {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'))
  } catch {
    return []
  }
  names.sort((a, b) => {
    const [ta, pa] = a.replace('.json', '').split('-').map(BigInt)
    const [tb, pb] = b.replace('.json', '').split('-').map(BigInt)
    return ta !== tb ? (ta! < tb! ? -1 : 1) : pa! < pb! ? -1 : pa! > pb! ? 1 : 0
  })
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as HookRecord)
}

/** Lines of a JSON-lines file, parsed; [] when it does not exist yet. */
export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T)
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

import { execFile } from 'node:child_process'
import { SessionsError } from '@claude-sessions/core'

/** How to reach our private tmux server. */
export interface TmuxServer {
  tmuxPath: string
  /** Name passed to `tmux -L`: a private socket, never the default server. */
  socket: string
  /** Config read when the server starts (`-f`); null reads the user's own tmux.conf. */
  configFile: string | null
}

export interface TmuxResult {
  code: number
  stdout: string
  stderr: string
}

const TIMEOUT_MS = 10_000
const MAX_BUFFER = 32 * 1024 * 1024

/**
 * tmux parses its command-line arguments as a command list: an argument ending in `;`
 * ends the command (the `;` is dropped and the next argument starts a new command).
 * `\;` at the end of an argument stands for a literal `;`, and nothing else in an
 * argument is interpreted. So a trailing `;` is the one thing to escape.
 */
export const escapeTmuxArg = (arg: string): string => (arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg)

/**
 * One word of tmux's command language (what `source-file` parses), for any text: in double
 * quotes, with `\\`, `"`, `$` (variable expansion) and `~` (home expansion) escaped by a
 * backslash, and a newline written as `\\n` (a raw newline inside quotes would have the spaces
 * and `#` comments after it removed). Every other character stands for itself there. NUL can't
 * be given (checked by the callers).
 */
export const tmuxWord = (arg: string): string => `"${arg.replace(/[\\"$~\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`

/** Exact-match target for a session's active pane: `=name:` (no prefix or pattern matching). */
export const paneTarget = (name: string): string => `=${name}:`

/** The tmux server on the socket isn't running (or its socket is stale). */
export const isNoServer = (stderr: string): boolean =>
  /no server running|error connecting to .*\((No such file or directory|Connection refused)\)/.test(stderr)

/** The named session doesn't exist on a running server. */
export const isNoSession = (stderr: string): boolean => /can't find session|no such session|session not found/.test(stderr)

/** The argv (after the tmux binary) that runs `commands` as one tmux command list. */
export function tmuxArgv(server: TmuxServer, commands: readonly (readonly string[])[]): string[] {
  const argv = ['-L', server.socket]
  if (server.configFile !== null) argv.push('-f', server.configFile)
  commands.forEach((command, i) => {
    if (i > 0) argv.push(';') // a bare `;` separates commands
    argv.push(...command.map(escapeTmuxArg))
  })
  return argv
}

/**
 * Runs one or more tmux commands in a single client (execFile, argv only). Resolves with the
 * exit code and output whatever the exit code; rejects only when tmux couldn't be run.
 */
export function execTmux(server: TmuxServer, commands: readonly (readonly string[])[], input?: string): Promise<TmuxResult> {
  const argv = tmuxArgv(server, commands)
  return new Promise((resolve, reject) => {
    const child = execFile(
      server.tmuxPath,
      argv,
      { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: MAX_BUFFER, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr })
        const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean }
        if (typeof e.code === 'number' && !e.killed) return resolve({ code: e.code, stdout, stderr })
        const why = e.code === 'ENOENT' ? `tmux not found at '${server.tmuxPath}'` : e.killed ? 'tmux timed out' : e.message
        reject(new SessionsError('multiplexer_failed', `${why} (tmux ${commands[0]?.[0] ?? ''})`, { cause: error }))
      },
    )
    // stdin: what `load-buffer -` reads; otherwise closed at once, so nothing waits on it
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input ?? '')
  })
}

/** Runs tmux commands and returns stdout; any non-zero exit becomes `multiplexer_failed`. */
export async function runTmux(server: TmuxServer, commands: readonly (readonly string[])[], what: string, input?: string): Promise<string> {
  const result = await execTmux(server, commands, input)
  if (result.code !== 0) throw tmuxFailed(what, result)
  return result.stdout
}

export function tmuxFailed(what: string, result: TmuxResult): SessionsError {
  const detail = result.stderr.trim() || `exit code ${result.code}`
  return new SessionsError('multiplexer_failed', `tmux: ${what}: ${detail}`, {
    cause: Object.assign(new Error(detail), { exitCode: result.code, stderr: result.stderr }),
  })
}

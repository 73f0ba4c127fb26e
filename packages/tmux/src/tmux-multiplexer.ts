import { stat } from 'node:fs/promises'
import { SessionsError, type CreateTerminalOptions, type Multiplexer, type SendableKey } from '@claude-sessions/core'
import { sendKeyArgs } from './keys.js'
import { statusLeftFor, statusLeftLengthFor } from './label.js'
import { execTmux, isNoServer, isNoSession, paneTarget, runTmux, tmuxFailed, type TmuxServer } from './run-tmux.js'
import { chunkText, typableText } from './typed-text.js'

export interface TmuxMultiplexerOptions {
  /** Private socket name (`tmux -L`). */
  socket: string
  /** tmux binary; default `tmux` from PATH. */
  tmuxPath?: string
  /** Pause the caller should leave between typing and Enter; the adapter itself never sleeps. */
  settleMs?: number
  /** Code points per `send-keys` call (1–3000; default 1000). tmux rejects commands over ~16 KB. */
  chunkSize?: number
  /**
   * Config file read when our server starts (`tmux -f`). Default `/dev/null`, so a user's
   * ~/.tmux.conf (remain-on-exit, status off, extended-keys…) can't change how sessions
   * behave. `null` reads the usual config files.
   */
  configFile?: string | null
}

const DEFAULT_WIDTH = 200
const DEFAULT_HEIGHT = 50
const MAX_CHUNK = 3000
// tmux rewrites '.' and ':' in session names and can't target them exactly; controls are vis-encoded.
// eslint-disable-next-line no-control-regex
const BAD_NAME = /[.:\x00-\x1f\x7f]/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The Multiplexer port on tmux: one tmux session per agent, on a private socket. Requires tmux ≥ 3.2. */
export class TmuxMultiplexer implements Multiplexer {
  readonly socket: string
  readonly settleMs: number
  readonly chunkSize: number
  private readonly server: TmuxServer

  constructor(options: TmuxMultiplexerOptions) {
    if (!options.socket || /[/\s]/.test(options.socket)) {
      throw new SessionsError('invalid_input', `invalid tmux socket name ${JSON.stringify(options.socket)}`)
    }
    const chunkSize = options.chunkSize ?? 1000
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK) {
      throw new SessionsError('invalid_input', `chunkSize must be an integer from 1 to ${MAX_CHUNK}`)
    }
    this.socket = options.socket
    this.settleMs = options.settleMs ?? 150
    this.chunkSize = chunkSize
    this.server = {
      socket: options.socket,
      tmuxPath: options.tmuxPath ?? 'tmux',
      configFile: options.configFile === undefined ? '/dev/null' : options.configFile,
    }
  }

  async create(options: CreateTerminalOptions): Promise<void> {
    const { name, cwd, env, unsetEnv, command } = options
    checkName(name)
    if (command.length === 0) throw new SessionsError('invalid_input', 'command is empty')
    for (const key of [...Object.keys(env), ...unsetEnv]) {
      if (!ENV_NAME.test(key)) throw new SessionsError('invalid_input', `invalid environment variable name ${JSON.stringify(key)}`)
    }
    const width = options.width ?? DEFAULT_WIDTH
    const height = options.height ?? DEFAULT_HEIGHT
    if (![width, height].every((n) => Number.isInteger(n) && n > 0 && n <= 10_000)) {
      throw new SessionsError('invalid_input', `invalid terminal size ${width}x${height}`)
    }
    // tmux silently falls back to $HOME when -c doesn't exist; refuse instead.
    const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false)
    if (!isDir) throw new SessionsError('invalid_input', `working directory ${JSON.stringify(cwd)} is not a directory`)

    const args = ['new-session', '-d', '-s', name, '-c', cwd, '-x', String(width), '-y', String(height)]
    for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`)
    // With two or more arguments tmux execs the program directly (no shell), so every argv
    // element arrives as is. `env -u` removes variables the server's global environment holds
    // (it was copied from whoever started the server); the wrapper also guarantees ≥ 2
    // arguments, since a single argument would be run by `sh -c`.
    args.push('--', 'env', ...unsetEnv.flatMap((v) => ['-u', v]), '--', ...command)
    await runTmux(this.server, [args], `create session '${name}'`)
  }

  async exists(name: string): Promise<boolean> {
    checkName(name)
    const result = await execTmux(this.server, [['has-session', '-t', paneTarget(name)]])
    if (result.code === 0) return true
    if (isNoSession(result.stderr) || isNoServer(result.stderr)) return false
    throw tmuxFailed(`has-session '${name}'`, result)
  }

  async list(): Promise<string[]> {
    const result = await execTmux(this.server, [['list-sessions', '-F', '#{session_name}']])
    if (result.code !== 0) {
      if (isNoServer(result.stderr)) return []
      throw tmuxFailed('list sessions', result)
    }
    return result.stdout.split('\n').filter((line) => line !== '')
  }

  async kill(name: string): Promise<void> {
    checkName(name)
    const result = await execTmux(this.server, [['kill-session', '-t', paneTarget(name)]])
    if (result.code === 0 || isNoSession(result.stderr) || isNoServer(result.stderr)) return
    throw tmuxFailed(`kill session '${name}'`, result)
  }

  async capture(name: string, scrollback = 0): Promise<string> {
    checkName(name)
    if (!Number.isInteger(scrollback) || scrollback < 0) {
      throw new SessionsError('invalid_input', `scrollback must be a non-negative integer, got ${scrollback}`)
    }
    // Plain text (no -e escapes); tmux keeps U+00A0 and trims only trailing blank cells.
    const args = ['capture-pane', '-p', '-t', paneTarget(name)]
    if (scrollback > 0) args.push('-S', `-${scrollback}`)
    return runTmux(this.server, [args], `capture '${name}'`)
  }

  async typeText(name: string, text: string): Promise<void> {
    checkName(name)
    await this.leaveMode(name)
    // `send-keys -l` sends each character as itself: in tmux 3.3a "\n" reaches the program as
    // LF (0x0a), not as Enter (CR), and tab as 0x09, so newlines need no special key.
    for (const chunk of chunkText(typableText(text), this.chunkSize)) {
      await runTmux(this.server, [['send-keys', '-l', '-t', paneTarget(name), '--', chunk]], `type into '${name}'`)
    }
  }

  async sendKey(name: string, key: SendableKey): Promise<void> {
    checkName(name)
    const send = sendKeyArgs(key)
    await this.leaveMode(name)
    const args = send.literal ? ['send-keys', '-l', '-t', paneTarget(name), '--', send.key] : ['send-keys', '-t', paneTarget(name), send.key]
    await runTmux(this.server, [args], `send ${key} to '${name}'`)
  }

  async setLabel(name: string, label: string): Promise<void> {
    checkName(name)
    const target = paneTarget(name)
    await runTmux(
      this.server,
      [
        ['set-option', '-t', target, 'status-left-length', String(statusLeftLengthFor(label))],
        ['set-option', '-t', target, 'status-left', statusLeftFor(label)],
      ],
      `set label of '${name}'`,
    )
  }

  /**
   * Leaves copy-mode (or any other mode) in the session's active pane, since keys sent to a
   * pane in a mode go to the mode, not the program. `copy-mode -q` exits every mode;
   * `send-keys -X cancel` fails ("not in a mode") for modes like clock-mode.
   */
  private async leaveMode(name: string): Promise<void> {
    const target = paneTarget(name)
    const out = await runTmux(this.server, [['list-panes', '-t', target, '-F', '#{pane_active} #{pane_in_mode}']], `inspect '${name}'`)
    const active = out.split('\n').find((line) => line.startsWith('1 '))
    if (active === '1 1') await runTmux(this.server, [['copy-mode', '-q', '-t', target]], `leave copy-mode in '${name}'`)
  }
}

function checkName(name: string): void {
  if (name === '' || BAD_NAME.test(name)) {
    throw new SessionsError('invalid_name', `${JSON.stringify(name)} can't be a tmux session name`)
  }
}

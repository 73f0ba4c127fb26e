import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { checkTerminalName, checkTerminalOptions, SessionsError, type CreateTerminalOptions, type Multiplexer, type SendableKey } from '@claude-sessions/core'
import { sendKeyArgs } from './keys.js'
import { statusLeftFor, statusLeftLengthFor } from './label.js'
import { execTmux, isNoServer, isNoSession, paneTarget, runTmux, tmuxFailed, tmuxWord, type TmuxServer } from './run-tmux.js'
import { typableText } from './typed-text.js'

export interface TmuxMultiplexerOptions {
  /** Private socket name (`tmux -L`). */
  socket: string
  /** tmux binary; default `tmux` from PATH. */
  tmuxPath?: string
  /** Pause the caller should leave between typing and Enter; the adapter itself never sleeps. */
  settleMs?: number
  /**
   * Config file read when our server starts (`tmux -f`). Default `/dev/null`, so a user's
   * ~/.tmux.conf (remain-on-exit, status off, extended-keys…) can't change how sessions
   * behave. `null` reads the usual config files.
   */
  configFile?: string | null
}


/** The Multiplexer port on tmux: one tmux session per agent, on a private socket. Requires tmux ≥ 3.2. */
export class TmuxMultiplexer implements Multiplexer {
  readonly socket: string
  readonly settleMs: number
  private readonly server: TmuxServer

  constructor(options: TmuxMultiplexerOptions) {
    if (!options.socket || /[/\s]/.test(options.socket)) {
      throw new SessionsError('invalid_input', `invalid tmux socket name ${JSON.stringify(options.socket)}`)
    }
    this.socket = options.socket
    this.settleMs = options.settleMs ?? 150
    this.server = {
      socket: options.socket,
      tmuxPath: options.tmuxPath ?? 'tmux',
      configFile: options.configFile === undefined ? '/dev/null' : options.configFile,
    }
  }

  async create(options: CreateTerminalOptions): Promise<void> {
    const { name, cwd, env, unsetEnv, command } = options
    // the port's rules (core): name, command, environment names, size
    const { width, height } = checkTerminalOptions(options)
    // tmux silently falls back to $HOME when -c doesn't exist; refuse instead.
    const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false)
    if (!isDir) throw new SessionsError('invalid_input', `working directory ${JSON.stringify(cwd)} is not a directory`)

    const values = [name, cwd, ...Object.values(env), ...command]
    if (values.some((v) => v.includes('\0'))) throw new SessionsError('invalid_input', 'a session name, directory, variable or argument contains NUL (\\0)')

    const args = ['new-session', '-d', '-s', name, '-c', cwd, '-x', String(width), '-y', String(height)]
    for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`)
    // With two or more arguments tmux execs the program directly (no shell), so every argv
    // element arrives as is. `env -u` removes variables the server's global environment holds
    // (it was copied from whoever started the server); the wrapper also guarantees ≥ 2
    // arguments, since a single argument would be run by `sh -c`.
    args.push('--', 'env', ...unsetEnv.flatMap((v) => ['-u', v]), '--', ...command)
    // The environment holds the session's token: nothing of this command may be in any process's
    // argv (/proc/<pid>/cmdline is world-readable). So our tmux client's argv is only
    // `start-server ; source-file -`, and the new-session command comes on its stdin, in tmux's
    // command language; the tmux server, forked from whichever client started it, keeps that
    // harmless argv too. The pane's program gets the variables in its environment, never argv.
    await runTmux(this.server, [['start-server'], ['source-file', '-']], `create session '${name}'`, `${args.map(tmuxWord).join(' ')}\n`)
  }

  async exists(name: string): Promise<boolean> {
    checkTerminalName(name)
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

  async programPids(): Promise<Map<string, number>> {
    const result = await execTmux(this.server, [['list-panes', '-a', '-F', '#{session_name} #{pane_dead} #{pane_pid}']])
    const pids = new Map<string, number>()
    if (result.code !== 0) {
      if (isNoServer(result.stderr)) return pids
      throw tmuxFailed('list panes', result)
    }
    for (const line of result.stdout.split('\n')) {
      const m = /^(.*) ([01]) (\d+)$/.exec(line)
      if (!m || m[2] === '1' || pids.has(m[1]!)) continue
      pids.set(m[1]!, Number(m[3]))
    }
    return pids
  }

  async kill(name: string): Promise<void> {
    checkTerminalName(name)
    const result = await execTmux(this.server, [['kill-session', '-t', paneTarget(name)]])
    if (result.code === 0 || isNoSession(result.stderr) || isNoServer(result.stderr)) return
    throw tmuxFailed(`kill session '${name}'`, result)
  }

  /** The session's own environment (what `create` set): how an adopted terminal's token is found again. */
  async environment(name: string): Promise<Record<string, string>> {
    checkTerminalName(name)
    const out = await runTmux(this.server, [['show-environment', '-t', paneTarget(name)]], `read the environment of '${name}'`)
    const env: Record<string, string> = {}
    for (const line of out.split('\n')) {
      // `-NAME` marks a variable removed from the session
      const eq = line.indexOf('=')
      if (eq > 0 && !line.startsWith('-')) env[line.slice(0, eq)] = line.slice(eq + 1)
    }
    return env
  }

  async capture(name: string, scrollback = 0): Promise<string> {
    checkTerminalName(name)
    if (!Number.isInteger(scrollback) || scrollback < 0) {
      throw new SessionsError('invalid_input', `scrollback must be a non-negative integer, got ${scrollback}`)
    }
    // Plain text (no -e escapes); tmux keeps U+00A0 and trims only trailing blank cells.
    const args = ['capture-pane', '-p', '-t', paneTarget(name)]
    if (scrollback > 0) args.push('-S', `-${scrollback}`)
    return runTmux(this.server, [args], `capture '${name}'`)
  }

  /**
   * One paste of the whole text, whatever its length: `load-buffer` reads it from stdin into a
   * buffer of our own (a unique name, so concurrent sends never mix), then `paste-buffer -p`
   * writes it in one go, wrapped in bracketed-paste markers when the program asked for them
   * (Claude Code does), and `-d` deletes the buffer. `-r` keeps LF as LF (tmux would turn it
   * into CR, which is Enter to a program without bracketed paste). Typing in `send-keys` chunks
   * made Claude Code see one paste per chunk; the command line also can't hold over ~16 KB.
   */
  async typeText(name: string, text: string): Promise<void> {
    checkTerminalName(name)
    const typable = typableText(text)
    if (typable === '') return
    await this.leaveMode(name)
    const buffer = `sm-paste-${process.pid}-${randomBytes(6).toString('hex')}`
    const target = paneTarget(name)
    try {
      await runTmux(
        this.server,
        [
          ['load-buffer', '-b', buffer, '-'],
          ['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', target],
        ],
        `paste into '${name}'`,
        typable,
      )
    } catch (error) {
      // a failed paste (the session vanished) must not leave the text in a buffer
      await execTmux(this.server, [['delete-buffer', '-b', buffer]]).catch(() => undefined)
      throw error
    }
  }

  async sendKey(name: string, key: SendableKey): Promise<void> {
    checkTerminalName(name)
    const send = sendKeyArgs(key)
    await this.leaveMode(name)
    const args = send.literal ? ['send-keys', '-l', '-t', paneTarget(name), '--', send.key] : ['send-keys', '-t', paneTarget(name), send.key]
    await runTmux(this.server, [args], `send ${key} to '${name}'`)
  }

  async setLabel(name: string, label: string): Promise<void> {
    checkTerminalName(name)
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


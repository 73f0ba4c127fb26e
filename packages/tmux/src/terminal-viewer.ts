import { SessionsError, type TerminalSize, type TerminalView, type TerminalViewer } from '@claude-sessions/core'
import * as pty from 'node-pty'
import { execTmux, paneTarget } from './run-tmux.js'

/**
 * Views of a session's terminal for the web dashboard: a tmux client attached through a pty
 * (node-pty), argv only, on our private socket. Read-only views attach with
 * `-f read-only,ignore-size`: keys are refused by tmux itself and the window keeps the size
 * the real terminal gave it. A view with control attaches as a normal client, so its size
 * counts (the window follows the most recently active client, tmux's default).
 */
export interface TmuxTerminalViewerOptions {
  /** Private socket name (`tmux -L`). */
  socket: string
  tmuxPath?: string
  /** The environment of the attached clients (PATH, HOME, TMUX_TMPDIR…); TERM is set here. */
  env: Record<string, string | undefined>
}

export class TmuxTerminalViewer implements TerminalViewer {
  private readonly tmuxPath: string

  constructor(private readonly options: TmuxTerminalViewerOptions) {
    this.tmuxPath = options.tmuxPath ?? 'tmux'
  }

  /**
   * The size a client must have to leave the window as it is: the window's, plus tmux's status
   * line(s). A read-only client has `ignore-size`, but when no other client is attached tmux
   * still sizes the window to it: at exactly this size, nothing changes.
   */
  async size(terminal: string): Promise<TerminalSize> {
    const server = { tmuxPath: this.tmuxPath, socket: this.options.socket, configFile: null }
    const r = await execTmux(server, [['display-message', '-p', '-t', paneTarget(terminal), '#{window_width} #{window_height} #{status}']])
    const [width, height, status] = r.stdout.trim().split(' ')
    const cols = Number(width)
    const rows = Number(height)
    if (r.code !== 0 || !Number.isInteger(cols) || !Number.isInteger(rows)) {
      throw new SessionsError('session_not_found', `no terminal ${terminal}: ${r.stderr.trim() || 'tmux gave no size'}`)
    }
    const statusLines = status === 'off' ? 0 : status === 'on' ? 1 : Number(status) || 0
    return { cols, rows: rows + statusLines }
  }

  open(terminal: string, options: TerminalSize & { control: boolean }): TerminalView {
    const flags = options.control ? [] : ['-r', '-f', 'read-only,ignore-size']
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(this.options.env)) if (value !== undefined && key !== 'TMUX' && key !== 'TMUX_PANE') env[key] = value
    Object.assign(env, { TERM: 'xterm-256color', LANG: env['LANG'] ?? 'C.UTF-8' })
    const child = pty.spawn(this.tmuxPath, ['-L', this.options.socket, 'attach-session', ...flags, '-t', `=${terminal}`], {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      env,
    })
    let closed = false
    return {
      onData: (listener) => void child.onData(listener),
      onExit: (listener) => void child.onExit(() => listener()),
      write: (data) => {
        if (options.control && !closed) child.write(data)
      },
      resize: ({ cols, rows }) => {
        if (options.control && !closed) child.resize(cols, rows)
      },
      pause: () => child.pause(),
      resume: () => child.resume(),
      close: () => {
        if (closed) return
        closed = true
        child.kill()
      },
    }
  }
}

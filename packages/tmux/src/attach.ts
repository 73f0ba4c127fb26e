import { execFile } from 'node:child_process'
import { paneTarget } from './run-tmux.js'

/**
 * The argv a CLI spawns (stdio inherited) to attach the user's terminal to a session on our
 * socket. Exact-match target. tmux refuses to nest when $TMUX is set; the caller decides
 * whether to unset it.
 */
export function attachArgv(socket: string, name: string, tmuxPath = 'tmux'): string[] {
  return [tmuxPath, '-L', socket, 'attach-session', '-t', paneTarget(name)]
}

/** The tmux version (`3.3a`), or null when tmux can't be run. */
export function tmuxVersion(tmuxPath = 'tmux'): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(tmuxPath, ['-V'], { encoding: 'utf8', timeout: 5_000 }, (error, stdout) => {
      if (error) return resolve(null)
      const match = /tmux\s+(\S+)/.exec(stdout)
      resolve(match ? match[1]! : stdout.trim() || null)
    })
  })
}

export const tmuxAvailable = async (tmuxPath = 'tmux'): Promise<boolean> => (await tmuxVersion(tmuxPath)) !== null

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const SM = resolve(import.meta.dirname, '../bin/sm.cjs')
export const ECHO_AGENT = resolve(import.meta.dirname, '../../server/src/fixtures/echo-agent.mjs')

/** A server process of our own: temp data dir, private tmux socket, the echo agent. */
export interface ServerProcess {
  url: string
  /** The temp dir holding the data dir and the config. */
  dir: string
  dataDir: string
  socket: string
  env: Record<string, string>
  proc: ChildProcess
  stop(): Promise<void>
}

/** `sm server` with the echo agent; `extraConfig` adds YAML sections (it gets the server's temp dir). */
export async function startServerProcess(extraConfig: (dir: string) => string = () => ''): Promise<ServerProcess> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sm-cli-')))
  const dataDir = join(dir, 'data')
  const socket = `sm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const config = join(dir, 'config.yaml')
  writeFileSync(config, `claude:\n  command: ${JSON.stringify(process.execPath)}\n  args: [${JSON.stringify(ECHO_AGENT)}]\ndelivery:\n  settle_ms: 50\nlog:\n  level: warn\n${extraConfig(dir)}`)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    CLAUDE_SESSIONS_TMUX_SOCKET: socket,
    CLAUDE_SESSIONS_DATA_DIR: dataDir,
    CLAUDE_SESSIONS_CONFIG: config,
  }
  const proc = spawn(process.execPath, [SM, 'server', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let err = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000)
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1]!)
      }
    })
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)))
  })
  env.CLAUDE_SESSIONS_URL = url
  return {
    url,
    dir,
    dataDir,
    socket,
    env,
    proc,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' })
      // tmux 3.3 leaves the socket file behind after kill-server
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface SmResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the real `sm` binary (in `cwd` when given: the workspace lock is the current directory's). */
export function sm(args: string[], env: Record<string, string>, input?: string, cwd?: string): Promise<SmResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [SM, ...args], { env, ...(cwd === undefined ? {} : { cwd }) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => resolveResult({ status, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

export const tmuxEnv = (socket: string, terminal: string, name: string): string =>
  execFileSync('tmux', ['-L', socket, 'show-environment', '-t', terminal, name], { encoding: 'utf8' }).trim().split('=').slice(1).join('=')

export { waitFor } from '@claude-sessions/core/testing'

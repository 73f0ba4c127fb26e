import { spawn, type ChildProcess } from 'node:child_process'
import { SessionsError, type SummarizeOptions, type Summarizer } from '@claude-sessions/core'
import { processEnv } from './config/env.js'

/** Stdout kept from the summarizer (the answer is cut to a few lines anyway). */
const STDOUT_CAP = 64 * 1024
const STDERR_CAP = 8 * 1024

export interface CommandSummarizerOptions {
  /** argv: the program and its arguments (`summarizer.command`); never run through a shell. */
  command: readonly string[]
  /** Its working directory: a neutral one, so no project's settings or hooks apply. */
  cwd: string
  /** Its environment; default this process's. `CLAUDECODE` and `CLAUDE_CODE_ENTRYPOINT` are always removed. */
  env?: NodeJS.ProcessEnv
  /** After a timeout, SIGTERM; this long later, SIGKILL. Default 2 s. */
  killGraceMs?: number
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`

const firstLine = (text: string): string => {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? ''
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

/**
 * The `Summarizer` port as a command (default `claude -p --model haiku`): the prompt on stdin,
 * the answer on stdout. It runs in its own process group, so a timeout stops it and anything it
 * started. Failures are `unavailable` with one clear line.
 */
export class CommandSummarizer implements Summarizer {
  private readonly running = new Set<ChildProcess>()

  constructor(private readonly options: CommandSummarizerOptions) {
    if (options.command.length === 0) throw new SessionsError('invalid_input', 'summarizer.command is empty')
  }

  summarize(prompt: string, { timeoutMs }: SummarizeOptions): Promise<string> {
    const [program, ...args] = this.options.command as [string, ...string[]]
    const env = { ...(this.options.env ?? processEnv()) }
    delete env.CLAUDECODE
    delete env.CLAUDE_CODE_ENTRYPOINT
    const grace = this.options.killGraceMs ?? 2000
    return new Promise<string>((resolve, reject) => {
      const child = spawn(program, args, { cwd: this.options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
      this.running.add(child)
      let stdout = ''
      let stderr = ''
      let timedOut = false
      let exited = false
      let settled = false
      let killTimer: NodeJS.Timeout | undefined
      const finish = (error: Error | null, value = ''): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        clearTimeout(killTimer)
        this.running.delete(child)
        if (error) reject(error)
        else resolve(value)
      }
      const timeout = (): void => {
        if (settled) return
        // whatever it started and left behind goes too
        signalGroup(child, 'SIGKILL')
        finish(new SessionsError('unavailable', `summarizer timed out after ${seconds(timeoutMs)}`))
      }
      const timer = setTimeout(() => {
        timedOut = true
        // it exited but something it started still holds its output open
        if (exited) return timeout()
        signalGroup(child, 'SIGTERM')
        killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), grace)
      }, timeoutMs)
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        if (stdout.length < STDOUT_CAP) stdout += chunk.slice(0, STDOUT_CAP - stdout.length)
      })
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length)
      })
      // it may exit without reading its input: not an error of ours
      child.stdin!.on('error', () => undefined)
      child.on('error', (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'ENOENT'
            ? `summarizer command '${program}' not found; set summarizer.command in the config`
            : `summarizer command '${program}' could not start (${error.code ?? error.message}); check summarizer.command in the config`
        finish(new SessionsError('unavailable', reason, { cause: error }))
      })
      child.on('exit', () => {
        exited = true
        if (timedOut) timeout()
      })
      child.on('close', (code, signal) => {
        if (timedOut) return timeout()
        if (code === 0) return finish(null, stdout)
        const detail = firstLine(stderr)
        const how = code !== null ? `exit ${code}` : `killed by ${signal}`
        finish(new SessionsError('unavailable', `summarizer failed (${how})${detail !== '' ? `: ${detail}` : ' with no error output'}`))
      })
      child.stdin!.end(prompt)
    })
  }

  /** Stops every summarizer still running (server shutdown). */
  close(): void {
    for (const child of this.running) signalGroup(child, 'SIGKILL')
  }
}

/** Signals the child's process group (it leads one: spawned detached); only while it is ours. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // the group is gone already
  }
}

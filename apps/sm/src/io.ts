import { readFileSync } from 'node:fs'
import type { Client, Transport } from '@claude-sessions/api/client'
import { processEnv, type Env } from './env.js'

/** Where a command writes: the process's stdout or stderr, or a test's collector. */
export interface Output {
  write(text: string): unknown
  /** A terminal: `sm new` attaches, `sm what` shows its note, `sm tools` fits lines to `columns`. */
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
}

/**
 * What the CLI takes from the world. The binary hands it the process's (`processIo`); tests
 * hand their own: an environment, a working directory, collectors for stdout and stderr, and
 * a transport (or a whole client) that reaches an app in the same process.
 */
export interface Io {
  env: Env
  /** The current directory: `sm new [dir]`, `--working-dir`, the lock of `sm lock`/`sm status`, `sm explain`. */
  cwd: string
  out: Output
  err: Output
  /** All of standard input (`sm send <session> -`). */
  readStdin(): string
  /** Standard input as a stream (the menu of `sm attach`). */
  stdin: NodeJS.ReadableStream
  /** Calls `stop` on Ctrl-C or SIGTERM (`sm tail -f`); returns the undo. */
  onInterrupt(stop: () => void): () => void
  /** Calls `then` when the reader of `out` went away (`sm tools | head`); returns the undo. */
  onOutClosed(then: () => void): () => void
  /** Ends at once with `code` (nothing more to write: the reader of `out` went away). */
  exit(code: number): void
  /** Opens a link in the person's browser (`sm web --open`); default: `$BROWSER`, `open` (macOS) or `xdg-open`. */
  openUrl?: ((url: string) => Promise<void>) | undefined
  /** How requests travel; default node:http (`@claude-sessions/api/node`). */
  transport?: Transport | undefined
  /** The client to use as it is, instead of one made for the connection (with `transport`). */
  client?: Client | undefined
}

/**
 * The process's own: `process.env`, its cwd, stdout, stderr, stdin, signals. The streams are
 * getters: node makes each on first use, and a command that never writes to stderr or reads
 * stdin should not pay for it at start-up.
 */
export function processIo(): Io {
  return {
    env: processEnv(),
    cwd: process.cwd(),
    get out() {
      return process.stdout
    },
    get err() {
      return process.stderr
    },
    readStdin: () => readFileSync(0, 'utf8'),
    get stdin() {
      return process.stdin
    },
    onInterrupt(stop) {
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      return () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    },
    onOutClosed(then) {
      // a reader that went away (`sm tools | head`) is no error
      const listener = (error: NodeJS.ErrnoException): void => {
        if (error.code === 'EPIPE') then()
        else throw error
      }
      process.stdout.on('error', listener)
      return () => process.stdout.off('error', listener)
    },
    exit: (code) => process.exit(code),
  }
}

/** One line on `out`. */
export const line = (out: Output, text: string): void => {
  out.write(`${text}\n`)
}

import pino, { type Logger } from 'pino'

/** Structured logs, one JSON line per event. Tokens are redacted wherever they appear. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'env.CLAUDE_SESSION_MANAGER_TOKEN'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  )
}

export type { Logger }

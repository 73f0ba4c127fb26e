import { SessionsError } from '@claude-sessions/core'
import { loadConfig, type ConfigOverrides } from './config/load.js'
import { createLogger } from './logger.js'
import { startServer } from './start-server.js'

/** `sm server`: runs in the foreground until SIGINT/SIGTERM. Resolves with the exit code. */
export async function runServer(overrides: ConfigOverrides): Promise<number> {
  const config = loadConfig(overrides)
  const log = createLogger(config.logLevel)
  let server
  try {
    server = await startServer(config, log)
  } catch (error) {
    log.flush()
    if (error instanceof SessionsError) {
      process.stderr.write(`sm server: ${error.message}\n`)
      return error.code === 'unavailable' ? 2 : 1
    }
    throw error
  }
  process.stderr.write(`sm server: listening on ${server.url} (data ${config.dataDir})\n`)
  if (server.webUrl !== null) process.stderr.write(`sm server: web dashboard on ${server.webUrl} (sm web prints a login link)\n`)
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down: finishing requests in flight, then writing what is buffered')
      // nothing else may keep the process up while it stops (the checkpoint worker is unref'd):
      // this timer keeps it alive until the store is closed and the lock released
      const alive = setInterval(() => undefined, 1000)
      server.close().then(
        () => {
          clearInterval(alive)
          log.info({ signal }, 'stopped')
          log.flush()
          resolve(0)
        },
        (error: unknown) => {
          clearInterval(alive)
          log.error({ err: error }, 'shutdown failed')
          log.flush()
          resolve(1)
        },
      )
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}

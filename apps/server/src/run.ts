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
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down')
      void server.close().then(() => {
        log.flush()
        resolve(0)
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}

import type { SessionService } from '@claude-sessions/core/services'
import type { Logger } from './logger.js'

/**
 * Every `intervalMs` (never two at once): imports what hooks spooled meanwhile, then reconciles
 * the registry with tmux (sessions whose terminal is gone stop, a stale `working` turns idle).
 * Returns its stop.
 */
export function startWatchdog({ service, importSpooled, intervalMs, log }: { service: SessionService; importSpooled: () => void; intervalMs: number; log: Logger }): () => void {
  let watching = false
  const watchdog = setInterval(() => {
    if (watching) return
    watching = true
    // hooks refused between the first import and the listen, or still being written then
    importSpooled()
    service
      .reconcile()
      .then((r) => {
        if (r.stopped.length + r.idled.length > 0) log.info(r, 'watchdog')
      })
      .catch((error: unknown) => log.warn({ err: error }, 'watchdog failed'))
      .finally(() => {
        watching = false
      })
  }, intervalMs)
  watchdog.unref()
  return () => clearInterval(watchdog)
}

import type { SessionService } from '@claude-sessions/core/services'
import type { Logger } from '../logger.js'
import { importSpool } from './import-spool.js'

/** Imports what hooks spooled while the server was away (or refused them), as trusted, deduplicated events; logs what it did. */
export function spoolImporter(dir: string, service: SessionService, log: Logger): () => void {
  return () => {
    const spool = importSpool(
      dir,
      (item) => {
        service.ingestHook({
          event: item.event,
          payload: item.payload,
          raw: item.raw,
          managerId: item.managerSessionId,
          token: null,
          trusted: true,
          spooled: true,
          ...(item.eventId !== null ? { eventId: item.eventId } : { dedupeKey: item.dedupeKey }),
          at: item.spooledAt,
        })
      },
      log,
    )
    if (spool.imported + spool.rejected > 0) log.info(spool, 'imported spooled hook events')
  }
}

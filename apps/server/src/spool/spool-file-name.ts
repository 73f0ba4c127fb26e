/**
 * Spool file names, as written by hooks/sm-hook: `<event id>-<Event>-<id>.json`: the random id
 * the hook gave the event (a UUID, also sent live as `X-SM-Event`, so an event both sent and
 * spooled is recorded once), the event, and the session's CLAUDE_SESSION_MANAGER_ID or `_` when
 * it had none. The event is letters only and the event id has a fixed shape, so the session id
 * may itself contain `-`. The time of the event is the file's mtime (the hook takes no clock:
 * that would cost a process).
 *
 * Older hook scripts wrote `<pid>-<n>-<Event>-<id>.json` (the hook's pid and the first free
 * `n`); those are still imported, keyed by their file name.
 */
export interface SpoolFileName {
  /** The hook's id for the event; null in the older pid-based names. */
  eventId: string | null
  event: string
  managerSessionId: string | null
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}'
const NAME = new RegExp(`^(${UUID})-([A-Za-z]{1,64})-([A-Za-z0-9_-]{1,64})\\.json$`)
const LEGACY_NAME = /^(\d{1,10})-(\d{1,6})-([A-Za-z]{1,64})-([A-Za-z0-9_-]{1,64})\.json$/

export const NO_SESSION_ID = '_'

const sessionOf = (id: string): string | null => (id === NO_SESSION_ID ? null : id)

export function parseSpoolFileName(name: string): SpoolFileName | null {
  const m = NAME.exec(name)
  if (m) return { eventId: m[1]!, event: m[2]!, managerSessionId: sessionOf(m[3]!) }
  const legacy = LEGACY_NAME.exec(name)
  if (legacy) return { eventId: null, event: legacy[3]!, managerSessionId: sessionOf(legacy[4]!) }
  return null
}

export function formatSpoolFileName(f: { eventId: string; event: string; managerSessionId: string | null }): string {
  return `${f.eventId}-${f.event}-${f.managerSessionId ?? NO_SESSION_ID}.json`
}

/**
 * Spool file names, as written by hooks/sm-hook: `<unix-seconds>-<pid>-<Event>-<id>.json`,
 * where `<id>` is the session's CLAUDE_SESSION_MANAGER_ID or `_` when it had none.
 * The event is letters only, so an id may itself contain `-`.
 */
export interface SpoolFileName {
  /** Unix seconds when the hook spooled the payload. */
  seconds: number
  pid: number
  event: string
  managerSessionId: string | null
}

const NAME = /^(\d{1,12})-(\d{1,10})-([A-Za-z]{1,64})-([A-Za-z0-9_-]{1,64})\.json$/

export const NO_SESSION_ID = '_'

export function parseSpoolFileName(name: string): SpoolFileName | null {
  const m = NAME.exec(name)
  if (!m) return null
  const [, seconds, pid, event, id] = m as unknown as [string, string, string, string, string]
  return {
    seconds: Number(seconds),
    pid: Number(pid),
    event,
    managerSessionId: id === NO_SESSION_ID ? null : id,
  }
}

export function formatSpoolFileName(f: SpoolFileName): string {
  return `${f.seconds}-${f.pid}-${f.event}-${f.managerSessionId ?? NO_SESSION_ID}.json`
}

/**
 * Spool file names, as written by hooks/sm-hook: `<pid>-<n>-<Event>-<id>.json`: the hook's pid,
 * the first `n` (from 0) whose name was free, the event, and the session's
 * CLAUDE_SESSION_MANAGER_ID or `_` when it had none. The event is letters only, so an id may
 * itself contain `-`. The time of the event is the file's mtime (the hook takes no clock: that
 * would cost a process).
 */
export interface SpoolFileName {
  pid: number
  /** Distinguishes files of a reused pid. */
  seq: number
  event: string
  managerSessionId: string | null
}

const NAME = /^(\d{1,10})-(\d{1,6})-([A-Za-z]{1,64})-([A-Za-z0-9_-]{1,64})\.json$/

export const NO_SESSION_ID = '_'

export function parseSpoolFileName(name: string): SpoolFileName | null {
  const m = NAME.exec(name)
  if (!m) return null
  const [, pid, seq, event, id] = m as unknown as [string, string, string, string, string]
  return {
    pid: Number(pid),
    seq: Number(seq),
    event,
    managerSessionId: id === NO_SESSION_ID ? null : id,
  }
}

export function formatSpoolFileName(f: SpoolFileName): string {
  return `${f.pid}-${f.seq}-${f.event}-${f.managerSessionId ?? NO_SESSION_ID}.json`
}

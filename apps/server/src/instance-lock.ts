import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { SessionsError } from '@claude-sessions/core'
import { processStartTime, signalReaches } from './proc.js'

interface Holder {
  pid: number
  start: string | null
}

/** The lock file's content: `<pid>` or `<pid> <start time>`. */
function parseHolder(text: string): Holder | null {
  const m = /^(\d{1,10})(?:[ \n]+(\d{1,20}))?\s*$/.exec(text)
  if (!m) return null
  return { pid: Number(m[1]), start: m[2] ?? null }
}

/** Whether the lock's holder still runs: its pid is alive and, where we can tell, it is the same process. */
function holderRuns(holder: Holder): boolean {
  if (holder.pid <= 0 || !signalReaches(holder.pid)) return false
  if (holder.start === null) return true
  const start = processStartTime(holder.pid)
  return start === null || start === holder.start
}

/**
 * One server per data dir: an exclusive lock file holding our pid and our process's start time.
 * A lock left by a process that is gone -- dead, or its pid now used by another process -- is
 * taken over. Throws `unavailable` when a live server holds it.
 */
export function acquireInstanceLock(path: string): { release(): void } {
  const start = processStartTime(process.pid)
  const content = start === null ? `${process.pid}\n` : `${process.pid} ${start}\n`
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, content)
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          try {
            if (readFileSync(path, 'utf8') === content) unlinkSync(path)
          } catch {
            // already gone
          }
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SessionsError('unavailable', `can't create the server lock ${path}: ${(error as Error).message}`, { cause: error })
      }
      let text: string
      try {
        text = readFileSync(path, 'utf8')
      } catch {
        continue // removed meanwhile
      }
      const holder = parseHolder(text)
      if (holder !== null && holderRuns(holder)) {
        throw new SessionsError('unavailable', `another server (pid ${holder.pid}) is running on this data dir (${path})`)
      }
      // a dead holder, a pid reused by another process, or unreadable: stale
      try {
        unlinkSync(path)
      } catch {
        // taken over by someone else meanwhile: the next attempt tells
      }
    }
  }
  throw new SessionsError('unavailable', `can't take the server lock ${path}`)
}

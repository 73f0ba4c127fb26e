import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { SessionsError } from '@claude-sessions/core'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One server per data dir: an exclusive lock file holding our pid. A lock left by a dead
 * process is taken over. Throws `unavailable` when a live server holds it.
 */
export function acquireInstanceLock(path: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path)
          } catch {
            // already gone
          }
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) {
        throw new SessionsError('unavailable', `another server (pid ${pid}) is running on this data dir (${path})`)
      }
      unlinkSync(path)
    }
  }
  throw new SessionsError('unavailable', `can't take the server lock ${path}`)
}

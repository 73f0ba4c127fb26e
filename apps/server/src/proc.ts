import { readFileSync } from 'node:fs'

/** Whether signal 0 reaches `pid`: it exists (EPERM: it does, as another user's). */
export function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether this system has /proc (Linux); read once. */
let procfs: boolean | undefined
const hasProc = (): boolean => {
  if (procfs === undefined) {
    try {
      readFileSync('/proc/self/stat')
      procfs = true
    } catch {
      procfs = false
    }
  }
  return procfs
}

/**
 * The fields of `/proc/<pid>/stat` after the command name (field 3, the state, is [0]); null
 * when there is no such process, undefined where there is no /proc. The name (field 2) is in
 * parentheses and may hold spaces or ')'.
 */
function statFields(pid: number): string[] | null | undefined {
  if (!hasProc()) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/**
 * When the process started, as the kernel counts it (`/proc/<pid>/stat` field 22, clock ticks
 * since boot); null where there is no /proc or no such process. A pid and its start time name
 * one process: a pid reused by another process has another start time.
 */
export function processStartTime(pid: number): string | null {
  const start = statFields(pid)?.[19]
  return start !== undefined && /^\d+$/.test(start) ? start : null
}

/**
 * Whether a process runs: signal 0 reaches it, and (where /proc exists) it is not a zombie. A
 * program that ended stays a zombie until its parent reaps it.
 */
export function processAlive(pid: number): boolean {
  if (!signalReaches(pid)) return false
  const fields = statFields(pid)
  if (fields === undefined) return true // no /proc here: trust the signal
  if (fields === null) return false
  return fields[0] !== 'Z' && fields[0] !== 'X'
}

import { existsSync, readFileSync } from 'node:fs'
import { waitFor } from '@claude-sessions/core/testing'

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // the state follows the parenthesised command name: "<pid> (<comm>) <state> ..."
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** The pids the fake summarizer wrote to `file`, once it has. */
export async function pidsIn(file: string): Promise<number[]> {
  await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').trim() !== '')
  return readFileSync(file, 'utf8').trim().split(' ').map(Number)
}

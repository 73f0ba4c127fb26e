import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { SessionsError } from '@claude-sessions/core'

export interface PrivateDataDir {
  /** The directory did not exist: made now, mode 0700. */
  created: boolean
  /** Its permission bits before, when they let others in and were tightened to 0700 (e.g. 0o755); else null. */
  tightenedFrom: number | null
}

/**
 * Makes the data dir private before anything is put in it: created with mode 0700, or, when it
 * already exists, a directory of ours whose group/other bits are cleared (0755 → 0700). `mkdir`'s
 * mode only applies to a directory it creates, so an existing one must be chmod'ed. Refuses
 * (`invalid_input`, naming the path) something that is not a directory or belongs to another
 * user: we would neither own what we store there nor be able to keep it private. A symlink is
 * followed: the directory it names is checked.
 */
export function ensurePrivateDataDir(path: string): PrivateDataDir {
  let created = false
  try {
    statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw dataDirError(path, (error as Error).message, error)
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 })
    } catch (mkdirError) {
      throw dataDirError(path, `can't create it: ${(mkdirError as Error).message}`, mkdirError)
    }
    created = true
  }
  const stats = statSync(path)
  if (!stats.isDirectory()) throw dataDirError(path, 'it exists and is not a directory')
  const uid = process.getuid?.()
  if (uid !== undefined && stats.uid !== uid) {
    throw dataDirError(path, `it belongs to uid ${stats.uid}, not to this user (uid ${uid}); use a directory of your own`)
  }
  const mode = stats.mode & 0o7777
  if ((mode & 0o077) === 0) return { created, tightenedFrom: null }
  try {
    chmodSync(path, 0o700)
  } catch (error) {
    throw dataDirError(path, `can't make it private (chmod 700): ${(error as Error).message}`, error)
  }
  return { created, tightenedFrom: created ? null : mode }
}

function dataDirError(path: string, why: string, cause?: unknown): SessionsError {
  return new SessionsError('invalid_input', `data dir ${path}: ${why}`, cause === undefined ? undefined : { cause })
}

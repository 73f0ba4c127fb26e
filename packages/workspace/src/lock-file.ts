import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

// The workspace lock file store. Concurrency rules:
// - a lock is only ever created with link(2) of a fully written temp file (fails if one exists),
//   so two `sm lock` at once can never both create it, and no reader sees a half-written file;
// - an existing lock is replaced (refresh, stale take-over, corrupt file) or removed (unlock) only
//   while holding `workspace.lock.mutex` (O_EXCL), after checking the file still holds exactly
//   the text the decision was made on; the replacement is a rename, so the file never vanishes.

/** A lock file operation that failed; its message is meant for the user as it is. */
export class WorkspaceLockError extends Error {}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The file's text, or null when there is none. An empty file is read again briefly (a writer may be mid-write). */
export async function readLockText(path: string): Promise<string | null> {
  for (let i = 0; ; i++) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null
      throw new WorkspaceLockError(`cannot read ${path}: ${(error as Error).message}`)
    }
    if (text.trim() !== '' || i >= 5) return text
    await sleep(20)
  }
}

function readNow(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if (errno(error) === 'ENOENT') return null
    throw error
  }
}

const tempPath = (path: string): string => `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`

/** Creates the lock file's directory (`.claude/`) when missing. */
export function ensureLockDir(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw new WorkspaceLockError(`cannot create ${dirname(path)}: ${(error as Error).message}`)
  }
}

/** Creates the lock only if there is none: link(2) of a complete temp file. False when one exists. */
export function createExclusive(path: string, text: string): boolean {
  const tmp = tempPath(path)
  writeFileSync(tmp, text, { flag: 'wx' })
  try {
    linkSync(tmp, path)
    return true
  } catch (error) {
    if (errno(error) === 'EEXIST') return false
    // a file system without hard links: O_EXCL create (readers retry an empty file briefly)
    try {
      writeFileSync(path, text, { flag: 'wx' })
      return true
    } catch (inner) {
      if (errno(inner) === 'EEXIST') return false
      throw inner
    }
  } finally {
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
  }
}

const MUTEX_WAIT_MS = 5000
/** A mutex older than this was left by a crashed `sm`: only a few file operations happen under it. */
const MUTEX_ABANDONED_MS = 10_000

/** Runs `fn` holding `<lock>.mutex`, created with O_EXCL. */
export async function withMutex<T>(path: string, fn: () => T): Promise<T> {
  const mutex = `${path}.mutex`
  const deadline = Date.now() + MUTEX_WAIT_MS
  for (;;) {
    try {
      closeSync(openSync(mutex, 'wx'))
      break
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error
    }
    try {
      if (Date.now() - statSync(mutex).mtimeMs > MUTEX_ABANDONED_MS) {
        unlinkSync(mutex)
        continue
      }
    } catch {
      continue // released meanwhile
    }
    if (Date.now() > deadline) throw new WorkspaceLockError(`workspace lock busy: ${mutex} is held (remove it if no sm is running)`)
    await sleep(5 + Math.random() * 20)
  }
  try {
    return fn()
  } finally {
    try {
      unlinkSync(mutex)
    } catch {
      // nothing to release
    }
  }
}

/** Replaces or removes the lock if it still holds `expected`; false when it changed meanwhile. */
export function replaceIfUnchanged(path: string, expected: string, next: string | null): boolean {
  if (readNow(path) !== expected) return false
  if (next === null) {
    unlinkSync(path)
    return true
  }
  const tmp = tempPath(path)
  try {
    writeFileSync(tmp, next, { flag: 'wx' })
    renameSync(tmp, path)
  } catch (error) {
    try {
      unlinkSync(tmp)
    } catch {
      // not written
    }
    throw error
  }
  return true
}

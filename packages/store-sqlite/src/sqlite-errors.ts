import { SessionsError } from '@claude-sessions/core'
import Database from 'better-sqlite3'

type SqliteError = InstanceType<typeof Database.SqliteError>

/** The driver's error behind `err`, which drizzle may have wrapped (in `cause`). */
export function sqliteErrorOf(err: unknown): SqliteError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof Database.SqliteError) return e
  }
  return undefined
}

/** Whether `err` is a UNIQUE violation reported on `column` (as `table.column`). */
export function isUniqueViolation(err: unknown, column: string): boolean {
  const e = sqliteErrorOf(err)
  return (
    e !== undefined &&
    (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    e.message.includes(column)
  )
}

/**
 * `err` as a SessionsError: domain errors pass through, anything else becomes `internal`
 * with the original as `cause`. The message names the operation and the SQLite code, never
 * the bound values (drizzle's own message lists them).
 */
export function toSessionsError(operation: string, err: unknown): SessionsError {
  if (err instanceof SessionsError) return err
  const e = sqliteErrorOf(err)
  const detail = e ? `${e.code}: ${e.message}` : err instanceof Error ? err.message : String(err)
  // the disk, not us: full or failing (a retry later may succeed)
  if (e !== undefined && /^SQLITE_(FULL|IOERR)/.test(e.code)) {
    return new SessionsError('unavailable', `store: ${operation} failed: the disk is full or failing (${detail})`, { cause: err })
  }
  return new SessionsError('internal', `store: ${operation} failed (${detail})`, { cause: err })
}

/** Runs a store statement; a failure becomes the SessionsError of {@link toSessionsError}. */
export function storeCall<T>(operation: string, statement: () => T): T {
  try {
    return statement()
  } catch (err) {
    throw toSessionsError(operation, err)
  }
}

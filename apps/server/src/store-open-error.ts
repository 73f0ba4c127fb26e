import { SessionsError } from '@claude-sessions/core'

const CORRUPT = /SQLITE_(NOTADB|CORRUPT)|file is not a database|malformed/i

/** The SQLite or system error code anywhere in `err`'s cause chain. */
function codesOf(err: unknown): string {
  const codes: string[] = []
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    codes.push(e.message)
  }
  return codes.join(' ')
}

/**
 * The one clear message for a registry that can't be opened: what is wrong, that nothing was
 * changed, and how to recover. The server then exits non-zero; it never replaces the file.
 */
export function storeOpenError(path: string, err: unknown): SessionsError {
  const what = codesOf(err)
  const aside = `move it aside (mv '${path}' '${path}.broken') and start again: a new, empty registry is made, and live sessions in tmux are adopted again`
  let message: string
  if (/EISDIR/.test(what)) {
    message = `the registry ${path} is a directory, not a file. Nothing was changed; rename or remove that directory and start again`
  } else if (CORRUPT.test(what)) {
    message = `the registry ${path} is not a readable SQLite database (corrupt or truncated). Nothing was changed. To recover, restore it from a backup, or ${aside}`
  } else if (/EACCES|EPERM|SQLITE_READONLY|SQLITE_CANTOPEN/.test(what)) {
    message = `can't open the registry ${path} for writing (permissions, or a read-only disk). Nothing was changed; check its owner and mode (it should be yours, 0600)`
  } else if (/SQLITE_FULL|ENOSPC/.test(what)) {
    message = `can't open the registry ${path}: the disk is full. Nothing was changed; free some space and start again`
  } else if (/newer than this version|schema version/i.test(what)) {
    message = `can't open the registry ${path}: ${err instanceof Error ? err.message : String(err)}`
  } else {
    message = `can't open the registry ${path}: ${err instanceof Error ? err.message : String(err)}. Nothing was changed`
  }
  return new SessionsError('unavailable', message, { cause: err })
}

import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { parseJson } from '@claude-sessions/api'
import { parseSpoolFileName, type SpoolFileName } from './spool-file-name.js'

/** One hook event that sm-hook wrote to the spool because the server was unreachable. */
export interface SpooledHook {
  event: string
  /** `CLAUDE_SESSION_MANAGER_ID` of the hook's session, or null for sessions not started by us. */
  managerSessionId: string | null
  /** The parsed payload. */
  payload: unknown
  /** The payload exactly as Claude Code wrote it. */
  raw: string
  /**
   * The hook's id for the event (newer hook scripts): the same id the live request carried, so
   * an event that was both sent and spooled is recorded once. Null for older pid-based names.
   */
  eventId: string | null
  /**
   * The key of an event without an id (`spool:<file name>@<mtime ms>`: an older hook's
   * pid-based name may come back in a later outage); the event store records a key once.
   */
  dedupeKey: string
  /** When the hook spooled it (the file's mtime), in milliseconds since the epoch. */
  spooledAt: number
}

export interface SpoolLog {
  warn(obj: object, msg: string): void
}

export interface SpoolImportResult {
  imported: number
  rejected: number
  /** Files that don't parse yet but are fresh: a hook may still be writing them. */
  deferred: number
}

/** Where files that cannot be imported are kept, inside the spool dir. */
export const REJECTED_DIR = 'rejected'
/** A `.tmp` file this old belongs to a hook that died mid-write. */
export const STALE_TMP_MS = 10 * 60_000
/** A `.json` file younger than this that doesn't parse may still be being written. */
export const FRESH_MS = 5_000

interface Candidate {
  name: string
  parsed: SpoolFileName
  mtimeMs: number
}

/**
 * Imports the spool: every `<event id>-<Event>-<id>.json` file (and the older
 * `<pid>-<n>-<Event>-<id>.json`), oldest first (mtime, then name), is parsed, handed to `ingest`,
 * then deleted. A crash between ingest and delete re-imports the file on the next run; its event
 * id (or, for older names, `dedupeKey`) makes that a no-op in the store, so each spooled event is
 * recorded exactly once, and an event the server stored live before the hook spooled it (the
 * hook could not tell) is not recorded again.
 *
 * Files with a bad name or bad JSON, files `ingest` throws on, and `.tmp` files left behind
 * by a dead hook are moved to `<dir>/rejected/`: counted, logged, never lost. A missing dir
 * imports nothing.
 */
export function importSpool(
  dir: string,
  ingest: (item: SpooledHook) => void,
  log?: SpoolLog,
): SpoolImportResult {
  const result: SpoolImportResult = { imported: 0, rejected: 0, deferred: 0 }
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (err) {
    if (code(err) !== 'ENOENT') log?.warn({ err, dir }, 'spool: cannot read the spool dir')
    return result
  }

  const reject = (name: string, reason: string, err?: unknown) => {
    result.rejected++
    const to = join(dir, REJECTED_DIR, name)
    try {
      mkdirSync(join(dir, REJECTED_DIR), { recursive: true, mode: 0o700 })
      renameSync(join(dir, name), to)
      log?.warn({ file: name, reason, err, movedTo: to }, 'spool: rejected a spooled hook')
    } catch (moveErr) {
      log?.warn({ file: name, reason, err, moveErr }, 'spool: rejected a spooled hook, and could not move it')
    }
  }

  const candidates: Candidate[] = []
  for (const name of names) {
    const isJson = name.endsWith('.json')
    if (!isJson && !name.endsWith('.tmp')) continue
    let stat
    try {
      stat = statSync(join(dir, name))
    } catch {
      continue // gone meanwhile
    }
    if (!stat.isFile()) continue
    if (!isJson) {
      if (Date.now() - stat.mtimeMs > STALE_TMP_MS) reject(name, 'stale .tmp file')
      continue
    }
    const parsed = parseSpoolFileName(name)
    if (!parsed) reject(name, 'bad file name')
    else candidates.push({ name, parsed, mtimeMs: stat.mtimeMs })
  }

  candidates.sort(
    (a, b) =>
      a.mtimeMs - b.mtimeMs ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )

  for (const { name, parsed, mtimeMs } of candidates) {
    const path = join(dir, name)
    let raw: string
    let payload: unknown
    try {
      raw = readFileSync(path, 'utf8')
    } catch (err) {
      if (code(err) !== 'ENOENT') reject(name, 'unreadable', err)
      continue
    }
    try {
      // the same limits as a live request: an over-deep payload is refused, not ingested
      payload = parseJson(raw)
    } catch (err) {
      if (Date.now() - mtimeMs < FRESH_MS) result.deferred++
      else reject(name, 'invalid JSON', err)
      continue
    }
    try {
      ingest({
        event: parsed.event,
        managerSessionId: parsed.managerSessionId,
        eventId: parsed.eventId,
        payload,
        raw,
        // the mtime too: an older hook's pid-based name comes back in a later outage (pids repeat)
        dedupeKey: parsed.eventId === null ? `spool:${name}@${Math.floor(mtimeMs)}` : `spool:${name}`,
        spooledAt: Math.floor(mtimeMs),
      })
    } catch (err) {
      reject(name, 'ingest failed', err)
      continue
    }
    result.imported++
    try {
      unlinkSync(path)
    } catch (err) {
      // Left in place it is imported again next time, and deduplicated by its key.
      if (code(err) !== 'ENOENT') log?.warn({ file: name, err }, 'spool: imported, but could not delete')
    }
  }
  return result
}

function code(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
}

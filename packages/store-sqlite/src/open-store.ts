import type { EventStore, MessageStore, SessionStore, ToolAuditStore, UsageStore, WatchStore } from '@claude-sessions/core'
import type { TelegramStores } from '@claude-sessions/core/telegram'
import { SessionsError } from '@claude-sessions/core'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { startCheckpointer, type Checkpointer } from './checkpointer.js'
import { SqliteEventLog } from './event-log.js'
import { migrations } from './generated/migrations.js'
import { SqliteMessageStore } from './message-store.js'
import { applyMigrations } from './migrate.js'
import { SqliteSessionRepository } from './session-repository.js'
import { SqliteTelegramAccess } from './telegram-access.js'
import { SqliteTelegramFollows } from './telegram-follows.js'
import { SqliteTelegramHeld } from './telegram-held.js'
import { SqliteTelegramMessageKeys } from './telegram-message-keys.js'
import { SqliteTelegramOutbox } from './telegram-outbox.js'
import { SqliteTelegramTopics } from './telegram-topics.js'
import { SqliteToolAuditLog } from './tool-audit-log.js'
import { toSessionsError } from './sqlite-errors.js'
import { SqliteUsageStore } from './usage-store.js'
import { SqliteWatchStore } from './watch-store.js'
import { WriteBehind, type WriteFailure } from './write-behind.js'

export interface OpenSqliteStoreOptions {
  /** The database file; its directory is created (mode 0700) if missing. `:memory:` for a throwaway store. */
  path: string
  /** Appended events buffered before a write is forced. Default 512. */
  batchSize?: number
  /**
   * Receives errors of event writes that no caller is waiting on (the scheduled flush).
   * The rows stay buffered and are retried on the next flush. Default: a process warning.
   */
  onError?: (err: SessionsError) => void
  /**
   * Checkpoint the WAL on a worker thread every this many ms instead of inside commits (keeps
   * event-loop pauses out of the hook path). 0 leaves checkpoints to SQLite. Default 1000 for files.
   */
  checkpointIntervalMs?: number
  /** After a failed write (a full disk), the next attempt comes this many ms later. Default 1000. */
  retryMs?: number
}

export interface SqliteStore {
  sessions: SessionStore
  events: EventStore
  /** The tool-use audit. */
  toolAudit: ToolAuditStore
  /** Messages between sessions; unbuffered: each write has committed when its call returns. */
  messages: MessageStore
  /** `sm wait` watches; unbuffered like `messages`. */
  watches: WatchStore
  /** The usage ledger (tokens and cost per model request); unbuffered. */
  usage: UsageStore
  /** Telegram: paired users and pairing codes, the topic map, the outbox, message keys, private follows, notifications held in quiet hours; unbuffered like `messages`. */
  telegram: TelegramStores
  /** Writes buffered session updates, events and tool events now, in one transaction. Throws `internal` (and keeps them) if that fails. */
  flush(): void
  /**
   * Resolves after the flush that holds everything buffered before the call: true when it
   * committed, false when it failed (the rows stay buffered and are retried). A hook is answered
   * only after this: a 2xx means stored.
   */
  whenWritten(): Promise<boolean>
  /** Runs before each flush, inside nothing: the auditor's deferred rows join the same transaction. */
  setBeforeFlush(work: () => void): void
  /** Null while writes succeed; else the error, since when, and how many rows wait in memory. */
  writeFailure(): WriteFailure | null
  /** Whether a write is queued for this turn of the event loop (hooks wait for it to answer). */
  writeQueued(): boolean
  /** Flushes and closes the database. Idempotent. */
  close(): void
  /** Stops the checkpoint worker (if any) and resolves once it has exited; `close` does it too, without waiting (a later call waits). */
  stopCheckpoints(): Promise<void>
  readonly path: string
}

export const DEFAULT_BATCH_SIZE = 512

const warn = (err: SessionsError): void => {
  process.emitWarning(err.message, { code: 'SESSIONS_STORE_FLUSH_FAILED' })
}

/** Creates the directory and an empty file with owner-only permissions, before SQLite creates them with its defaults. */
function prepareFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // 'a' creates the file if missing and leaves an existing one untouched. SQLite gives -wal/-shm the file's mode.
  closeSync(openSync(path, 'a', 0o600))
}

function openDatabase(path: string): Database.Database {
  const inMemory = path === ':memory:'
  if (!inMemory) prepareFile(path)
  const sqlite = new Database(path)
  try {
    if (!inMemory) sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    applyMigrations(sqlite, migrations)
    sqlite.pragma('foreign_keys = ON')
    return sqlite
  } catch (err) {
    sqlite.close()
    throw err
  }
}

/** Opens (creating and migrating if needed) the SQLite store at `options.path`. */
export function openSqliteStore(options: OpenSqliteStoreOptions): SqliteStore {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SessionsError('invalid_input', `batchSize must be a positive integer, got ${batchSize}`)
  }
  let sqlite: Database.Database
  try {
    sqlite = openDatabase(options.path)
  } catch (err) {
    throw toSessionsError(`open ${options.path}`, err)
  }
  const db = drizzle({ client: sqlite })
  const onError = options.onError ?? warn
  const writes = new WriteBehind(sqlite, { onError, retryMs: options.retryMs ?? 1000, now: Date.now })
  const sessions = new SqliteSessionRepository(db, writes)
  const events = new SqliteEventLog(sqlite, db, writes, { batchSize })
  const toolAudit = new SqliteToolAuditLog(sqlite, db, writes)
  // unbuffered, independent of the written-behind session rows: nothing to flush
  const messages = new SqliteMessageStore(sqlite, db)
  const watches = new SqliteWatchStore(db)
  const usage = new SqliteUsageStore(db, sqlite)
  const telegram: TelegramStores = {
    access: new SqliteTelegramAccess(sqlite, db),
    topics: new SqliteTelegramTopics(db),
    outbox: new SqliteTelegramOutbox(sqlite, db),
    messageKeys: new SqliteTelegramMessageKeys(db),
    follows: new SqliteTelegramFollows(db),
    held: new SqliteTelegramHeld(db),
  }
  let closed = false
  let checkpointer: Checkpointer | null = null
  const interval = options.checkpointIntervalMs ?? 1000
  if (options.path !== ':memory:' && interval > 0) {
    sqlite.pragma('wal_autocheckpoint = 0')
    checkpointer = startCheckpointer(options.path, interval, (err) => {
      // back to SQLite's own checkpoints: slower commits now and then, but a bounded WAL
      if (!closed) sqlite.pragma('wal_autocheckpoint = 1000')
      onError(toSessionsError('background checkpoint', err))
    })
  }
  // one stop, however often asked: a later call (after close) still waits for the worker's exit
  let checkpointsStopped: Promise<void> | null = null
  const stopCheckpoints = (): Promise<void> => {
    checkpointsStopped ??= checkpointer?.stop() ?? Promise.resolve()
    checkpointer = null
    return checkpointsStopped
  }

  return {
    stopCheckpoints,
    sessions,
    events,
    toolAudit,
    messages,
    watches,
    usage,
    telegram,
    path: options.path,
    flush: () => writes.flush(),
    whenWritten: () => writes.whenWritten(),
    setBeforeFlush: (work) => {
      writes.beforeFlush = work
    },
    writeFailure: () => writes.failing,
    writeQueued: () => writes.queued,
    close() {
      if (closed) return
      closed = true
      void stopCheckpoints()
      try {
        events.close()
        writes.close()
        writes.flush()
        if (options.path !== ':memory:') sqlite.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        sqlite.close()
      }
    },
  }
}

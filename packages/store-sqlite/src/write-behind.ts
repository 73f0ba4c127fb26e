import type { SessionsError } from '@claude-sessions/core'
import type Database from 'better-sqlite3'
import { toSessionsError } from './sqlite-errors.js'

/** A store that buffers writes: the session rows, the event log, the tool audit. */
export interface Buffered {
  /** Rows buffered and not yet written. */
  readonly pendingCount: number
  /**
   * Writes the buffered rows inside the caller's transaction and returns what forgets them once
   * that transaction has committed; null when nothing is buffered. Throws like the statement.
   */
  stage(): (() => void) | null
}

/** Rows appended and not yet written, inserted one by one inside the write-behind's transaction. */
export class RowBuffer<T> implements Buffered {
  private rows: T[] = []

  constructor(
    private readonly insert: (row: T) => void,
    /** Runs once rows are committed (and forgotten here). */
    private readonly written: (rows: readonly T[]) => void = () => undefined,
  ) {}

  get pendingCount(): number {
    return this.rows.length
  }

  push(row: T): void {
    this.rows.push(row)
  }

  stage(): (() => void) | null {
    if (this.rows.length === 0) return null
    const rows = this.rows
    for (const row of rows) this.insert(row)
    return () => {
      // rows appended while the transaction ran (none today: it is synchronous) stay buffered
      this.rows = this.rows === rows ? [] : this.rows.slice(rows.length)
      this.written(rows)
    }
  }
}

/** Why writes are failing, while they are. */
export interface WriteFailure {
  error: SessionsError
  /** When the first failure of this run happened (ms since the epoch). */
  since: number
  /** Rows kept in memory, written when a flush succeeds again. */
  unwritten: number
}

export interface WriteBehindOptions {
  /** Receives the error of a flush that no caller waited on (the rows stay buffered). */
  onError: (err: SessionsError) => void
  /** How long after a failed flush the next is tried. */
  retryMs: number
  now: () => number
}

/**
 * One write-behind for every buffered store. Appends schedule a flush on the next turn of the
 * event loop; the flush writes the rows of every store in ONE transaction, so a hook's event,
 * its session update and its tool-audit row commit together or not at all (a kill -9 can't leave
 * an event without its audit row). `whenWritten` resolves after the flush that holds what was
 * buffered before the call: true when it committed, false when it failed (the rows stay buffered
 * and are retried every `retryMs` until the disk takes them again).
 */
export class WriteBehind {
  private readonly parts: Buffered[] = []
  private scheduled: NodeJS.Immediate | null = null
  private retry: NodeJS.Timeout | null = null
  private waiters: ((written: boolean) => void)[] = []
  private flushing = false
  private closed = false
  private failure: { error: SessionsError; since: number } | null = null
  private readonly commit: (parts: readonly Buffered[]) => (() => void)[]
  /** Runs before each flush (the auditor's deferred rows join the same transaction). */
  beforeFlush: (() => void) | null = null

  constructor(
    sqlite: Database.Database,
    private readonly options: WriteBehindOptions,
  ) {
    this.commit = sqlite.transaction((parts: readonly Buffered[]) => {
      const done: (() => void)[] = []
      for (const part of parts) {
        const forget = part.stage()
        if (forget !== null) done.push(forget)
      }
      return done
    })
  }

  add(part: Buffered): void {
    this.parts.push(part)
  }

  get unwritten(): number {
    let n = 0
    for (const part of this.parts) n += part.pendingCount
    return n
  }

  /** Null while writes succeed. */
  get failing(): WriteFailure | null {
    return this.failure === null ? null : { ...this.failure, unwritten: this.unwritten }
  }

  /** Whether a flush is queued for this turn of the event loop (a hook may be waiting for it). */
  get queued(): boolean {
    return this.scheduled !== null
  }

  /** A flush on the next turn of the event loop (once however often it is asked). */
  schedule(): void {
    if (this.scheduled !== null || this.closed) return
    this.scheduled = setImmediate(() => {
      this.scheduled = null
      this.flushReporting()
    })
  }

  /** Resolves after the next flush: true when everything buffered before the call is written. */
  whenWritten(): Promise<boolean> {
    if (this.closed) return Promise.resolve(this.unwritten === 0)
    return new Promise<boolean>((resolve) => {
      this.waiters.push(resolve)
      this.schedule()
    })
  }

  /** Writes every store's buffer in one transaction now. Throws `internal` (and keeps the rows) if that fails. */
  flush(): void {
    // a read inside beforeFlush (the auditor looks up a call's start) reads what is written: it must
    // not commit events whose audit rows are still being made (a crash then would part them)
    if (this.flushing) return
    if (this.scheduled !== null) clearImmediate(this.scheduled)
    this.scheduled = null
    if (this.beforeFlush !== null) {
      this.flushing = true
      try {
        this.beforeFlush()
      } finally {
        this.flushing = false
      }
    }
    const waiters = this.waiters
    this.waiters = []
    if (this.unwritten === 0) {
      // nothing to write (a read's flush, a tick scheduled by the drain): no empty transaction
      this.failure = null
      for (const resolve of waiters) resolve(true)
      return
    }
    let done: (() => void)[]
    try {
      done = this.commit(this.parts)
    } catch (err) {
      const error = toSessionsError(`write of ${this.unwritten} buffered row(s)`, err)
      this.failure ??= { error, since: this.options.now() }
      this.failure.error = error
      for (const resolve of waiters) resolve(false)
      this.scheduleRetry()
      throw error
    }
    for (const forget of done) forget()
    this.failure = null
    for (const resolve of waiters) resolve(true)
  }

  /** `flush`, reporting a failure to `onError` instead of throwing (reads go on with what is written). */
  flushReporting(): void {
    try {
      this.flush()
    } catch (err) {
      this.options.onError(err as SessionsError)
    }
  }

  /** No more scheduled flushes; a last flush is the caller's (it may throw). */
  close(): void {
    this.closed = true
    if (this.scheduled !== null) clearImmediate(this.scheduled)
    if (this.retry !== null) clearTimeout(this.retry)
    this.scheduled = null
    this.retry = null
  }

  private scheduleRetry(): void {
    if (this.retry !== null || this.closed) return
    this.retry = setTimeout(() => {
      this.retry = null
      if (this.unwritten > 0 || this.waiters.length > 0) this.flushReporting()
    }, this.options.retryMs)
    this.retry.unref()
  }
}

import type { Clock } from '@claude-sessions/core'
import type { OutboxEntry, TelegramOutbox } from '@claude-sessions/core/telegram'
import type { OutboxOptions } from '../config.js'
import type { TelegramLogger } from './logger.js'
import { classify } from './telegram-errors.js'

export interface OutboxExecutor {
  execute(entry: OutboxEntry, signal: AbortSignal): Promise<void>
  /** Called once an entry is marked failed. */
  settleFailed?(entry: OutboxEntry, error: string): void
}

export interface OutboxWorkerDeps {
  outbox: TelegramOutbox
  executor: OutboxExecutor
  clock: Clock
  logger: TelegramLogger
  redact: (text: string) => string
  options: OutboxOptions
}

/** How long `stop()` waits for aborted attempts to settle before leaving them to the next start. */
const ABORT_SETTLE_MS = 500

/**
 * Drains the outbox: runs the head of each lane (one attempt in flight per lane, so a topic's
 * messages keep their order), up to `concurrency` lanes at once. A failure is retried with
 * exponential backoff (or after Telegram's retry_after), up to `maxAttempts`; a permanent one
 * marks the entry failed with the error. Everything is in the store: a new worker on the same
 * store continues where the last one stopped (attempts left in flight are run again).
 * Producers only enqueue and `kick()`; nothing waits on Telegram.
 */
export class OutboxWorker {
  private running = false
  /** Set when `stop()` returns: from then on nothing touches the store. */
  private closed = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private timerAt = Infinity
  private kicked = false
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly abort = new AbortController()

  constructor(private readonly deps: OutboxWorkerDeps) {}

  /** Requeues attempts a previous process left in flight, then starts draining. */
  start(): void {
    if (this.running || this.closed) return
    this.running = true
    const requeued = this.deps.outbox.requeueInterrupted(this.deps.clock.now())
    if (requeued.length > 0) this.deps.logger.info({ count: requeued.length }, 'telegram: outbox attempts interrupted by a restart run again')
    this.kick()
  }

  /** Something was enqueued (or became possible): drain soon, on a later turn of the event loop. */
  kick(): void {
    if (!this.running || this.kicked) return
    this.kicked = true
    queueMicrotask(() => {
      this.kicked = false
      this.drain()
    })
  }

  /** Lanes with an attempt in flight. */
  busyLanes(): string[] {
    return [...this.inFlight.keys()]
  }

  /**
   * Stops taking entries; lets attempts in flight finish for `stopGraceMs`, then aborts them.
   * After it resolves the worker touches neither the store nor the network; an attempt still not
   * settled stays `sending` and runs again on the next start.
   */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.clearTimer()
    try {
      const settled = Promise.allSettled([...this.inFlight.values()])
      if (!(await within(settled, this.deps.options.stopGraceMs))) {
        this.abort.abort()
        await within(settled, ABORT_SETTLE_MS)
      }
    } finally {
      this.closed = true
      this.abort.abort()
    }
  }

  private drain(): void {
    if (!this.running) return
    const { outbox, clock, options } = this.deps
    try {
      const room = options.concurrency - this.inFlight.size
      if (room > 0) {
        // lanes in flight have a `sending` head, so `due` leaves them out
        for (const entry of outbox.due(clock.now(), room)) {
          if (this.inFlight.size >= options.concurrency) break
          if (!this.inFlight.has(entry.lane)) this.launch(entry)
        }
      }
      this.schedule(outbox.nextDueAt())
    } catch (err) {
      // the store failed: try again later rather than stop for good
      this.deps.logger.error({ error: this.deps.redact(String(err)) }, 'telegram: outbox drain failed')
      this.schedule(clock.now() + options.baseBackoffMs)
    }
  }

  private launch(entry: OutboxEntry): void {
    const started = this.deps.outbox.startAttempt(entry.id, this.deps.clock.now())
    if (started === undefined) return
    const attempt = this.attempt(started).finally(() => {
      this.inFlight.delete(started.lane)
      this.kick()
    })
    this.inFlight.set(started.lane, attempt)
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    let error: unknown
    try {
      await this.deps.executor.execute(entry, this.abort.signal)
    } catch (err) {
      error = err
    }
    if (this.closed) return // stopped: the entry stays `sending`, and runs again on the next start
    try {
      this.settle(entry, error)
    } catch (err) {
      this.deps.logger.error({ id: entry.id, error: this.deps.redact(String(err)) }, 'telegram: outbox could not record an attempt')
    }
  }

  private settle(entry: OutboxEntry, error: unknown): void {
    const { outbox, clock, logger, options, redact } = this.deps
    const now = clock.now()
    const failure = error === undefined ? undefined : classify(error, redact)
    const where = { id: entry.id, lane: entry.lane, kind: entry.operation.kind, attempt: entry.attempts }
    if (failure === undefined || failure.kind === 'not_modified') {
      outbox.complete(entry.id, now)
      return
    }
    if (failure.kind === 'retry' && entry.attempts < options.maxAttempts) {
      const backoff = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** (entry.attempts - 1))
      const next = now + Math.max(backoff, failure.retryAfterMs ?? 0)
      outbox.retryAt(entry.id, next, failure.message, now)
      logger.warn({ ...where, error: failure.message, retryInMs: next - now }, 'telegram: operation will be retried')
      return
    }
    const message = failure.kind === 'retry' ? `gave up after ${entry.attempts} attempts: ${failure.message}` : failure.message
    outbox.fail(entry.id, message, now)
    logger.error({ ...where, error: message }, 'telegram: operation failed')
    this.deps.executor.settleFailed?.(entry, message)
  }

  private schedule(at: number | null): void {
    if (!this.running || at === null) return
    if (this.timer !== null && this.timerAt <= at) return
    this.clearTimer()
    // when every due lane is busy, their completion kicks the next drain; check back now and then anyway
    const delay = Math.max(0, at - this.deps.clock.now())
    const wait = delay === 0 && this.inFlight.size > 0 ? 1_000 : delay
    this.timerAt = this.deps.clock.now() + wait
    this.timer = setTimeout(() => {
      this.timer = null
      this.timerAt = Infinity
      this.drain()
    }, Math.min(wait, 2 ** 31 - 1))
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.timerAt = Infinity
  }
}

/** Whether `promise` settled within `ms`. Leaves no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([promise.then(() => true as const), timeout])
  } finally {
    clearTimeout(timer)
  }
}

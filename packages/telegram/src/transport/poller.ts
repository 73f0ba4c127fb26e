import { run, type RunnerHandle } from '@grammyjs/runner'
import type { Bot, Context, Transformer } from 'grammy'
import { describeError, type TelegramLogger } from './logger.js'

export interface PollerOptions {
  pollTimeoutSeconds: number
  /** Polling restarts when no getUpdates call has completed for this long. */
  stallMs: number
  /** How long stopping a runner may take before it is left behind. */
  stopGraceMs: number
  /** Backoff between restarts after polling failed: doubles from `baseMs` up to `maxMs`. */
  retryBaseMs?: number
  retryMaxMs?: number
}

/** The poller's time: monotonic milliseconds, and timers that run on them. */
export interface PollerTime {
  now(): number
  /** Runs `work` after `ms`; `cancel()` stops it. */
  timer(ms: number, work: () => void): { cancel(): void }
}

export interface PollerDeps {
  bot: Bot<Context>
  logger: TelegramLogger
  redact: (text: string) => string
  /**
   * The watchdog's and the restart backoff's time. Default: performance.now and real timers
   * (never the domain clock, which tests move). `stopGraceMs` is always real time: it bounds a
   * shutdown waiting on I/O.
   */
  time?: PollerTime
  options: PollerOptions
}

const realTime: PollerTime = {
  now: () => performance.now(),
  timer: (ms, work) => {
    const t = setTimeout(work, ms)
    return { cancel: () => clearTimeout(t) }
  },
}

/** What the bot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const

/**
 * Long polling with grammY's runner, watched. Every getUpdates call passes `transformer`, which
 * notes when one completes and carries the update offset over restarts. A watchdog restarts
 * polling when no call has completed for `stallMs` (a long poll that hangs on a dead connection
 * never errors by itself); a runner that fails (Telegram unreachable, getMe failing) is
 * restarted with exponential backoff. `stop()` aborts the poll in flight and clears every timer.
 */
export class Poller {
  private handle: RunnerHandle | null = null
  private running = false
  private lastPollAt = 0
  private offset = 0
  private failures = 0
  private watchdog: { cancel(): void } | null = null
  private relaunch: { cancel(): void } | null = null
  private cycling: Promise<void> | null = null
  /** Restarts after a stall (for tests and logs). */
  stallRestarts = 0

  private readonly time: PollerTime

  constructor(private readonly deps: PollerDeps) {
    this.time = deps.time ?? realTime
  }

  /** Install on the bot's API before `start()`: the innermost transformer, next to the HTTP call. */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal)
    const asked = payload as { offset?: number }
    const args = { ...payload, offset: Math.max(asked.offset ?? 0, this.offset) } as typeof payload
    try {
      const res = await prev(method, args, signal)
      if (res.ok) {
        this.failures = 0
        const updates = res.result as Array<{ update_id: number }>
        const last = updates.at(-1)
        if (last !== undefined) this.offset = Math.max(this.offset, last.update_id + 1)
      }
      return res
    } finally {
      this.lastPollAt = this.time.now()
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.launch()
    const every = Math.max(50, Math.min(this.deps.options.stallMs / 4, 5_000))
    const watch = () => {
      this.watchdog = this.time.timer(every, () => {
        this.check()
        if (this.running) watch()
      })
    }
    watch()
  }

  async stop(): Promise<void> {
    this.running = false
    this.watchdog?.cancel()
    this.relaunch?.cancel()
    this.watchdog = null
    this.relaunch = null
    const handle = this.handle
    this.handle = null
    await this.cycling
    if (handle !== null) await this.halt(handle)
  }

  private launch(): void {
    const { bot, options } = this.deps
    this.lastPollAt = this.time.now()
    const handle = run(bot, {
      runner: {
        fetch: { timeout: options.pollTimeoutSeconds, allowed_updates: ALLOWED_UPDATES },
        // a failed getUpdates ends the runner; the restart (and its backoff) is ours, with timers stop() clears
        maxRetryTime: 0,
        silent: true,
      },
    })
    this.handle = handle
    handle.task()?.then(
      () => this.ended(handle, undefined),
      (err: unknown) => this.ended(handle, err),
    )
  }

  private ended(handle: RunnerHandle, err: unknown): void {
    if (handle !== this.handle || !this.running) return // a stop or restart of ours
    this.handle = null
    this.failures += 1
    const { retryBaseMs = 1_000, retryMaxMs = 30_000 } = this.deps.options
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (this.failures - 1))
    this.deps.logger.warn(
      { error: err === undefined ? 'runner ended' : describeError(err, this.deps.redact), retryInMs: delay },
      'telegram: polling failed; restarting',
    )
    this.relaunch = this.time.timer(delay, () => {
      this.relaunch = null
      if (this.running) this.launch()
    })
  }

  private check(): void {
    const handle = this.handle
    if (!this.running || handle === null || this.cycling !== null) return
    const quietMs = Math.round(this.time.now() - this.lastPollAt)
    if (quietMs <= this.deps.options.stallMs) return
    this.stallRestarts += 1
    this.deps.logger.warn({ quietMs }, 'telegram: no getUpdates completed; restarting polling')
    this.handle = null
    this.cycling = this.halt(handle)
      .then(() => {
        this.cycling = null
        if (this.running) this.launch()
      })
      .catch((err: unknown) => {
        // a relaunch that threw (not seen in practice): logged rather than left to reject unobserved
        this.cycling = null
        this.deps.logger.warn({ error: describeError(err, this.deps.redact) }, 'telegram: could not restart polling')
      })
  }

  /** Stops a runner (aborting its getUpdates), waiting at most `stopGraceMs` for its handlers. */
  private async halt(handle: RunnerHandle): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const stopped = Promise.resolve(handle.stop()).catch(() => undefined)
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.deps.options.stopGraceMs)))
    try {
      await Promise.race([stopped, late])
    } finally {
      clearTimeout(timer)
    }
  }
}

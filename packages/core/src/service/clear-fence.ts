import type { Clock } from '../ports/clock.js'

export interface ClearFenceDeps {
  clock: Clock
  config: { fenceMs: number }
  /** Runs `work` after `ms` (its failures reported). */
  later(ms: number, work: () => void): void
}

/**
 * The fence of a `/clear` we typed: until the session's SessionStart (source clear), or
 * `fenceMs`, its Stop/SessionEnd/SessionStart never count as a finished turn for watches or
 * queues (no message rides on them, nothing is typed).
 */
export class ClearFence {
  /** Sessions inside a `/clear`: until when (epoch ms). */
  private readonly fences = new Map<string, number>()
  private readonly clearWaiters = new Map<string, () => void>()

  constructor(private readonly deps: ClearFenceDeps) {}

  /** A `/clear` is about to be typed from the queue: the session is fenced off for `fenceMs`. */
  set(id: string): void {
    this.fences.set(id, this.deps.clock.now() + this.deps.config.fenceMs)
  }

  /**
   * Fences the session off until its SessionStart (clear) or `fenceMs`. `done` resolves true on
   * the SessionStart, false when the time runs out or `cancel` is called (the `/clear` could not
   * be typed: the fence lifts at once); it never rejects, so nothing is left to reject unobserved.
   */
  untilCleared(id: string): { done: Promise<boolean>; cancel(): void } {
    const { clock, config } = this.deps
    this.fences.set(id, clock.now() + config.fenceMs)
    let settle!: (cleared: boolean) => void
    const done = new Promise<boolean>((resolve) => {
      settle = resolve
    })
    let open = true
    const waiter = () => {
      open = false
      settle(true)
    }
    const end = () => {
      if (!open) return
      open = false
      if (this.clearWaiters.get(id) === waiter) {
        this.clearWaiters.delete(id)
        this.fences.delete(id)
      }
      settle(false)
    }
    this.clearWaiters.set(id, waiter)
    this.deps.later(config.fenceMs, end)
    return { done, cancel: end }
  }

  /** Whether the session is inside a `/clear` now (a fence whose time ran out goes). */
  fenced(id: string): boolean {
    const until = this.fences.get(id)
    if (until === undefined) return false
    if (this.deps.clock.now() < until) return true
    this.fences.delete(id)
    return false
  }

  /** The session's Claude session changed: a fence it was inside lifts and its waiter hears (true), else false. */
  lift(id: string): boolean {
    if (!this.fences.has(id)) return false
    this.fences.delete(id)
    this.clearWaiters.get(id)?.()
    this.clearWaiters.delete(id)
    return true
  }

  /** The session stopped: its fence goes. */
  drop(id: string): void {
    this.fences.delete(id)
  }
}

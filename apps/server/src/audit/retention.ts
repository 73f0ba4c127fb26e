import type { ToolAuditStore } from '@claude-sessions/core'

/** Rows deleted per step; between steps the event loop serves hooks. */
const STEP = 2000

export interface RetentionOptions {
  store: Pick<ToolAuditStore, 'deleteBefore'>
  retentionMs: number
  now(): number
  /** How often the job runs (it also runs once at start). */
  intervalMs: number
  onDeleted(count: number): void
  onError(error: unknown): void
}

/**
 * Deletes audit rows older than the retention period in the background: a small batch at a
 * time, yielding to the event loop between batches, so hook handling never waits for it.
 */
export function startRetention(options: RetentionOptions): { runNow(): Promise<number>; stop(): void } {
  let stopped = false
  let running: Promise<number> | null = null
  const sweep = async (): Promise<number> => {
    const cutoff = options.now() - options.retentionMs
    let total = 0
    while (!stopped) {
      const deleted = options.store.deleteBefore(cutoff, STEP)
      total += deleted
      if (deleted < STEP) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    return total
  }
  const runNow = (): Promise<number> => {
    running ??= sweep()
      .then((count) => {
        if (count > 0) options.onDeleted(count)
        return count
      })
      .catch((error: unknown) => {
        options.onError(error)
        return 0
      })
      .finally(() => {
        running = null
      })
    return running
  }
  const first = setTimeout(() => void runNow(), 0)
  const timer = setInterval(() => void runNow(), options.intervalMs)
  first.unref()
  timer.unref()
  return {
    runNow,
    stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(timer)
    },
  }
}

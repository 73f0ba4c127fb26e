/**
 * For tests: a clock that moves only when told, and timers that fire as it passes them (in time
 * order, the clock set to each timer's moment while it runs).
 */
export function manualTime(start: number) {
  let now = start
  const timers: { at: number; ms: number; work: () => void; live: boolean }[] = []
  const advanceTo = (target: number) => {
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= target).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) break
      now = Math.max(now, due.at)
      due.live = false
      due.work()
    }
    now = Math.max(now, target)
  }
  return {
    clock: { now: () => now },
    timer: (ms: number, work: () => void) => {
      const t = { at: now + ms, ms, work, live: true }
      timers.push(t)
      return { cancel: () => void (t.live = false) }
    },
    /** Moves the clock without running timers. */
    set: (t: number) => void (now = t),
    advanceTo,
    advance: (ms: number) => advanceTo(now + ms),
    live: () => timers.filter((t) => t.live),
    all: () => timers,
  }
}

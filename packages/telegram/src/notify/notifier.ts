import type { Button } from '../control.js'
import type { FormattedMessage } from '../format.js'
import { buildDigest } from './digest.js'
import type { NotificationKind } from './kinds.js'
import { isQuiet, msUntilQuietEnd, type QuietHours } from './quiet-hours.js'

export { isNotificationKind, NOTIFICATION_KINDS, type NotificationKind } from './kinds.js'
export {
  DEFAULT_URGENT,
  isQuiet,
  msUntilQuietEnd,
  parseClockTime,
  parseQuietHours,
  QuietHoursError,
  validateQuietHours,
  type QuietHours,
  type QuietHoursCheck,
} from './quiet-hours.js'
export { buildDigest, DIGEST_LINES } from './digest.js'

export interface NotifierConfig {
  enabled: Record<NotificationKind, boolean>
  quietHours: QuietHours | null
}

export interface Notification {
  session: { id: string; name: string | null; workingDir: string }
  kind: NotificationKind
  messages: FormattedMessage[]
  buttons?: Button[][]
  /** Passed through to `post`. */
  key?: string
  /** One line for a digest. */
  summary: string
}

export type Timer = (ms: number, work: () => void) => { cancel(): void }

export interface NotifierDeps {
  config: NotifierConfig
  clock: { now(): number }
  timer: Timer
  post: (n: Notification) => void
  postDigest: (session: Notification['session'], messages: FormattedMessage[]) => void
  /** A `post` or `postDigest` that threw (the notifier goes on). */
  onError?: (error: unknown, session: Notification['session']) => void
}

/** Per session, at most this many are kept while held; older ones are only counted. */
const MAX_HELD = 1000

interface Held {
  session: Notification['session']
  entries: { at: number; n: Notification }[]
  dropped: number
  latestResponse?: { at: number; n: Notification }
}

/**
 * Notifications filtered by kind and, in quiet hours, held (all but the urgent kinds) until they
 * end; then one digest per session.
 */
export class Notifier {
  private readonly holding = new Map<string, Held>()
  private pending: { cancel(): void } | undefined
  private stopped = false

  constructor(private readonly deps: NotifierDeps) {}

  /** `sent` (posted now), `held` (quiet hours) or `filtered` (kind switched off). Never throws. */
  notify(n: Notification): 'sent' | 'held' | 'filtered' {
    const { enabled, quietHours } = this.deps.config
    if (enabled[n.kind] === false) return 'filtered'
    const now = this.deps.clock.now()
    if (quietHours !== null && !quietHours.urgent.includes(n.kind) && isQuiet(now, quietHours)) {
      this.hold(n, now, quietHours)
      return 'held'
    }
    // Quiet hours are over but the timer has not fired yet: the digest goes first.
    if (this.holding.size > 0 && (quietHours === null || !isQuiet(now, quietHours))) this.flush()
    this.safely(n.session, () => this.deps.post(n))
    return 'sent'
  }

  /** Held notifications per session, oldest first. */
  held(): ReadonlyMap<string, readonly Notification[]> {
    return new Map([...this.holding].map(([id, h]) => [id, h.entries.map((e) => e.n)]))
  }

  /** Posts the digest of everything held now (the timer does this when quiet hours end). */
  flush(): void {
    this.cancelTimer()
    const quietHours = this.deps.config.quietHours
    const all = [...this.holding.values()]
    this.holding.clear()
    if (quietHours === null) return
    for (const h of all) {
      const latest = h.latestResponse
      const messages = buildDigest({
        quietHours,
        entries: h.entries.map((e) => ({ at: e.at, summary: e.n.summary })),
        earlier: h.dropped,
        ...(latest !== undefined ? { latestResponse: { at: latest.at, messages: latest.n.messages } } : {}),
      })
      this.safely(h.session, () => this.deps.postDigest(h.session, messages))
    }
  }

  /** Cancels the timer; what is held stays held (`flush` first to post it). */
  stop(): void {
    this.stopped = true
    this.cancelTimer()
  }

  private hold(n: Notification, now: number, quietHours: QuietHours): void {
    let h = this.holding.get(n.session.id)
    if (h === undefined) {
      h = { session: n.session, entries: [], dropped: 0 }
      this.holding.set(n.session.id, h)
    }
    h.session = n.session
    h.entries.push({ at: now, n })
    if (h.entries.length > MAX_HELD) {
      h.entries.shift()
      h.dropped++
    }
    if (n.kind === 'turn_ended') h.latestResponse = { at: now, n }
    if (this.pending === undefined) this.arm(now, quietHours)
  }

  private arm(now: number, quietHours: QuietHours): void {
    if (this.stopped) return
    this.pending = this.deps.timer(Math.max(1, msUntilQuietEnd(now, quietHours)), () => {
      this.pending = undefined
      const at = this.deps.clock.now()
      if (this.holding.size > 0 && isQuiet(at, quietHours)) this.arm(at, quietHours) // woke early
      else this.flush()
    })
  }

  private cancelTimer(): void {
    this.pending?.cancel()
    this.pending = undefined
  }

  private safely(session: Notification['session'], work: () => void): void {
    try {
      work()
    } catch (error) {
      try {
        this.deps.onError?.(error, session)
      } catch {
        // an error handler that throws: nothing more to do
      }
    }
  }
}

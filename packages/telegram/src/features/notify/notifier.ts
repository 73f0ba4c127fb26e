import type { HeldNotification, TelegramHeldStore } from '@claude-sessions/core/telegram'
import type { Button } from '../../control.js'
import type { FormattedMessage } from '../format.js'
import { buildDigest } from './digest.js'
import { isNotificationKind, type NotificationKind } from '@claude-sessions/core'
import { isQuiet, msUntilQuietEnd, type QuietHours } from './quiet-hours.js'

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
  /** A `post`, `postDigest` or store call that threw (the notifier goes on). */
  onError?: (error: unknown, session: Notification['session']) => void
  /**
   * Keeps what is held, until the session's digest is posted; `restore` loads it after a restart.
   * Without one, what is held lives in memory only.
   */
  store?: TelegramHeldStore
}

/** Per session, at most this many are kept while held; older ones are only counted. */
const MAX_HELD = 1000

interface Held {
  session: Notification['session']
  /** `id`: the store's, once stored. */
  entries: { at: number; n: Notification; id?: number }[]
  dropped: number
  latestResponse?: { at: number; n: Notification }
}

/**
 * Notifications filtered by kind and, in quiet hours, held (all but the urgent kinds) until they
 * end; then one digest per session. With a store, what is held is kept there too, so a restart
 * (`restore`) still posts it in the digest.
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

  /**
   * Posts the digest of everything held now (the timer does this when quiet hours end), and
   * removes each posted session's notifications from the store (a digest that failed keeps them
   * there, for the next start). Notifications restored while no quiet hours are configured (no
   * digest to put them in) are posted as they are.
   */
  flush(): void {
    this.cancelTimer()
    const quietHours = this.deps.config.quietHours
    const all = [...this.holding.values()]
    this.holding.clear()
    for (const h of all) {
      let posted: boolean
      if (quietHours === null) {
        posted = true
        for (const e of h.entries) posted = this.safely(h.session, () => this.deps.post(e.n)) && posted
      } else {
        const latest = h.latestResponse
        const messages = buildDigest({
          quietHours,
          entries: h.entries.map((e) => ({ at: e.at, summary: e.n.summary })),
          earlier: h.dropped,
          ...(latest !== undefined ? { latestResponse: { at: latest.at, messages: latest.n.messages } } : {}),
        })
        posted = this.safely(h.session, () => this.deps.postDigest(h.session, messages))
      }
      const store = this.deps.store
      if (posted && store !== undefined) this.safely(h.session, () => store.removeSession(h.session.id))
    }
  }

  /**
   * After a restart: loads what the store holds (in its order; records held here already, and
   * records of unknown kinds, are left out) and arms the timer for the end of quiet hours, as
   * `notify` does when it holds one. If quiet hours are over already, the digests go at once.
   * Throws if the store cannot be read.
   */
  restore(): void {
    const store = this.deps.store
    if (store === undefined) return
    const known = new Set<number>()
    for (const h of this.holding.values()) for (const e of h.entries) if (e.id !== undefined) known.add(e.id)
    for (const r of store.list()) {
      if ((r.id !== undefined && known.has(r.id)) || !isNotificationKind(r.kind)) continue
      const session = { id: r.session.id, name: r.session.name, workingDir: r.session.workingDir }
      this.keep({ session, kind: r.kind, messages: r.messages, summary: r.summary }, r.createdAt, r.id)
    }
    if (this.holding.size === 0) return
    const now = this.deps.clock.now()
    const quietHours = this.deps.config.quietHours
    if (quietHours !== null && isQuiet(now, quietHours)) {
      if (this.pending === undefined) this.arm(now, quietHours)
    } else {
      this.flush()
    }
  }

  /** Cancels the timer; what is held stays held (`flush` first to post it). */
  stop(): void {
    this.stopped = true
    this.cancelTimer()
  }

  private hold(n: Notification, now: number, quietHours: QuietHours): void {
    this.keep(n, now, this.stored(n, now))
    if (this.pending === undefined) this.arm(now, quietHours)
  }

  /** `n` added to the store (if any): its id, or undefined when there is no store or it failed. */
  private stored(n: Notification, at: number): number | undefined {
    const store = this.deps.store
    if (store === undefined) return undefined
    let id: number | undefined
    const record: HeldNotification = { sessionId: n.session.id, session: n.session, kind: n.kind, summary: n.summary, messages: n.messages, createdAt: at }
    this.safely(n.session, () => (id = store.add(record)))
    return id
  }

  /**
   * Holds `n` from `at` (`id`: the store's): in its place by time among what its session holds —
   * last for a new one, by time for a restored one.
   */
  private keep(n: Notification, at: number, id: number | undefined): void {
    let h = this.holding.get(n.session.id)
    if (h === undefined) {
      h = { session: n.session, entries: [], dropped: 0 }
      this.holding.set(n.session.id, h)
    }
    let i = h.entries.length
    while (i > 0 && h.entries[i - 1]!.at > at) i--
    h.entries.splice(i, 0, { at, n, ...(id !== undefined ? { id } : {}) })
    if (i === h.entries.length - 1) h.session = n.session
    if (h.entries.length > MAX_HELD) {
      h.entries.shift()
      h.dropped++
    }
    if (n.kind === 'turn_ended' && (h.latestResponse === undefined || h.latestResponse.at <= at)) h.latestResponse = { at, n }
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

  /** Runs `work`; false if it threw (the error went to `onError`). */
  private safely(session: Notification['session'], work: () => void): boolean {
    try {
      work()
      return true
    } catch (error) {
      try {
        this.deps.onError?.(error, session)
      } catch {
        // an error handler that throws: nothing more to do
      }
      return false
    }
  }
}

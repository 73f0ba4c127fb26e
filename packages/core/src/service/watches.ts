import { SessionsError } from '../errors.js'
import type { Clock } from '../ports/clock.js'
import type { Watch, WatchOutcome, WatchStore } from '../ports/message-store.js'
import { isLive } from '../session/session.js'
import { childStatus } from '../session/tree.js'
import type { SessionService } from './session-service.js'

const FIRST_CHARS = 300

export interface WatchesDeps {
  sessions: SessionService
  watches: WatchStore
  clock: Clock
  /** Runs `work` after `ms` (its failures reported). */
  later(ms: number, work: () => void): void
  /** Sends a message from the server itself to a session. */
  notify(recipientId: string, text: string): void
  /** Whether a session is inside a `/clear` (its Stop is no finished turn). */
  fenced(id: string): boolean
}

/**
 * Watches (`sm wait`, `sm spawn --wait`): one message to the watcher when the target finishes
 * its work (a finished turn, then `quietMs` with no new turn), exits, or its time runs out.
 */
export class Watches {
  /** When each session's last finished turn ended. */
  private readonly turnEnds = new Map<string, number>()

  constructor(private readonly deps: WatchesDeps) {}

  add(watcherId: string, targetRef: string, quietMs: number, timeoutMs: number): Watch {
    const target = this.deps.sessions.resolve(targetRef)
    if (target.id === watcherId) throw new SessionsError('invalid_input', "can't wait for yourself")
    const now = this.deps.clock.now()
    const watch = this.deps.watches.insert({ targetId: target.id, watcherId, quietMs, deadline: now + timeoutMs, createdAt: now })
    this.arm(watch)
    return watch
  }

  /** After a restart: the stored watches armed again. */
  resume(): void {
    for (const w of this.deps.watches.active()) this.arm(w)
  }

  /** A turn of `id` finished now: its watches look again once their quiet time has passed. */
  turnEnded(id: string): void {
    const at = this.deps.clock.now()
    this.turnEnds.set(id, at)
    for (const w of this.deps.watches.active()) if (w.targetId === id) this.deps.later(w.quietMs, () => this.checkQuiet(w, at))
  }

  /** `id` stopped: its watches fire as exited. */
  stopped(id: string): void {
    this.turnEnds.delete(id)
    for (const w of this.deps.watches.active()) if (w.targetId === id) this.fire(w, 'exited')
  }

  private arm(w: Watch): void {
    const { clock, sessions } = this.deps
    const now = clock.now()
    this.deps.later(Math.max(0, w.deadline - now), () => this.fire(w, 'timeout'))
    const target = sessions.list({ includeStopped: true }).find((s) => s.id === w.targetId)
    if (!target || !isLive(target)) return this.fire(w, 'exited')
    if (childStatus(target) === 'completed') {
      const at = this.turnEnds.get(target.id) ?? now
      this.turnEnds.set(target.id, at)
      this.deps.later(w.quietMs, () => this.checkQuiet(w, at))
    }
  }

  /** A finished turn that ended at `endedAt`: still the last one, and the session still idle? */
  private checkQuiet(w: Watch, endedAt: number): void {
    const target = this.deps.sessions.list({ includeStopped: true }).find((s) => s.id === w.targetId)
    if (!target || !isLive(target)) return this.fire(w, 'exited')
    if (this.turnEnds.get(target.id) !== endedAt || childStatus(target) !== 'completed' || this.deps.fenced(target.id)) return
    this.fire(w, 'completed')
  }

  private fire(w: Watch, outcome: WatchOutcome): void {
    if (!this.deps.watches.fire(w.id, outcome, this.deps.clock.now())) return
    const target = this.deps.sessions.list({ includeStopped: true }).find((s) => s.id === w.targetId)
    const name = target?.name ?? w.targetId
    const child = target?.parentId === w.watcherId
    const who = child ? `[sm] child ${name} (${w.targetId})` : `[sm wait] ${name} (${w.targetId})`
    let text: string
    if (outcome === 'completed') text = `${who} completed: ${(target?.lastMessage ?? '').slice(0, FIRST_CHARS)}`
    else if (outcome === 'exited') text = `${who} exited`
    else text = `[sm wait] ${name} still busy after ${Math.round((w.deadline - w.createdAt) / 1000)}s`
    this.deps.notify(w.watcherId, text)
  }
}

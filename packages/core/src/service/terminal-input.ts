import type { Clock } from '../ports/clock.js'
import type { Multiplexer, SendableKey } from '../ports/multiplexer.js'
import type { SessionStore } from '../ports/session-store.js'
import { paneIsIdle, readPane } from '../session/pane-state.js'
import type { SessionEvent } from '../session/reducer.js'
import { isLive, type Session } from '../session/session.js'
import { deliverText, InputHeldError, UNDER_CONTROL_REASON, type DeliveryResult, type DeliveryTiming } from './deliver.js'
import { KeyedMutex } from './keyed-mutex.js'
import { PromptWaiters } from './prompt-waiters.js'

/** How long the idle input line must stay, with no hook, after a key answering a dialog. */
const ANSWER_QUIET_MS = 800

export interface TerminalInputDeps {
  sessions: SessionStore
  mux: Multiplexer
  clock: Clock
  config: { delivery: DeliveryTiming; interruptSettleMs: number; startWaitMs: number }
  /** The service's reducer step: runs the event, stores the session, tells the effect listeners. */
  apply(id: string, event: SessionEvent): Session
}

/** A managed live session and its terminal. */
type Typable = Session & { tmuxSession: string }

/**
 * What reaches a managed session's terminal (the callers checked who may): text typed and
 * confirmed by its prompt hook, single keys, and the sessions whose input box held someone
 * else's text. One session's typing and keys go one at a time.
 */
export class TerminalInput {
  private readonly waiters = new PromptWaiters()
  private readonly typing = new KeyedMutex()
  /** Sessions whose input box held someone else's text when we came to type: since when. */
  private readonly held = new Map<string, number>()
  /** Sessions a person has taken control of (typing there from the web dashboard): nothing is typed. */
  private readonly controlled = new Set<string>()

  constructor(private readonly deps: TerminalInputDeps) {}

  /** A person takes (true) or gives back (false) control of the terminal: while they have it, typing waits. */
  setControlled(id: string, controlled: boolean): void {
    if (controlled) this.controlled.add(id)
    else this.controlled.delete(id)
  }

  isControlled(id: string): boolean {
    return this.controlled.has(id)
  }

  /** A prompt of `id` was submitted: true if typing here waited for it (then the manager typed it). */
  promptSubmitted(id: string, prompt: string): boolean {
    return this.waiters.notify(id, prompt)
  }

  /** Types `text` and presses Enter, confirmed; concurrent sends to one session are serialized. */
  type(session: Typable, text: string): Promise<DeliveryResult> {
    return this.typing.run(session.id, async () => {
      if (this.controlled.has(session.id)) throw new InputHeldError(UNDER_CONTROL_REASON)
      // a session just created may not have drawn its input box yet
      const current = this.deps.sessions.get(session.id) ?? session
      const fresh = current.state === 'starting' || this.deps.clock.now() - current.createdAt < this.deps.config.startWaitMs
      if (fresh) await this.untilReady(session)
      try {
        const delivered = await deliverText(
          { mux: this.deps.mux, clock: this.deps.clock, waiters: this.waiters },
          { sessionId: session.id, terminal: session.tmuxSession },
          text,
          this.deps.config.delivery,
        )
        this.held.delete(session.id)
        return delivered
      } catch (error) {
        if (error instanceof InputHeldError && !this.held.has(session.id)) this.held.set(session.id, this.deps.clock.now())
        throw error
      }
    })
  }

  /** Sessions where typing was refused because their input box held someone else's text, and since when. */
  heldInputs(): { sessionId: string; since: number }[] {
    return [...this.held].map(([sessionId, since]) => ({ sessionId, since }))
  }

  /**
   * Looks again at sessions whose input box held someone else's text: returns those whose box
   * is empty now (no longer held: what waits for them may be typed), and forgets stopped ones.
   */
  async recheckHeld(): Promise<string[]> {
    const freed: string[] = []
    for (const id of [...this.held.keys()]) {
      if (this.controlled.has(id)) continue
      const session = this.deps.sessions.get(id)
      if (!session || !isLive(session) || session.tmuxSession === null) {
        this.held.delete(id)
        continue
      }
      const screen = readPane(await this.deps.mux.capture(session.tmuxSession).catch(() => ''))
      if (screen.input === '') {
        this.held.delete(id)
        freed.push(id)
      }
    }
    return freed
  }

  /** The session is gone: its input box is held no more. */
  forget(id: string): void {
    this.held.delete(id)
    this.controlled.delete(id)
  }

  /**
   * A session just created: waits (bounded) for its input line on screen. SessionStart alone is
   * not enough: Claude Code fires it before it draws the input box.
   */
  private async untilReady(session: Typable): Promise<void> {
    const { clock, mux, config } = this.deps
    const deadline = clock.now() + config.startWaitMs
    while (clock.now() < deadline) {
      const current = this.deps.sessions.get(session.id)
      if (!current || current.state === 'stopped') return
      const screen = readPane(await mux.capture(session.tmuxSession).catch(() => ''))
      // ready, or showing a dialog (refused at once by the delivery, not waited on)
      if (screen.input !== null || screen.dialog) return
      await clock.sleep(200)
    }
  }

  /**
   * Sends one key. No hook fires after Escape, nor after "No" in a dialog: after Escape, or a
   * key answering a dialog, the screen is watched briefly for the idle input line.
   */
  async sendKey(session: Typable, key: SendableKey): Promise<Session> {
    await this.typing.run(session.id, () => this.deps.mux.sendKey(session.tmuxSession, key))
    const answering = session.state === 'waiting_permission' || session.state === 'waiting_answer'
    if (key !== 'Escape' && !answering) return this.deps.sessions.get(session.id) ?? session
    if (key === 'Escape') this.deps.apply(session.id, { kind: 'interrupted' })
    const { clock, mux, config } = this.deps
    // After "Yes" the screen shows the input line for a moment before the tool's hooks land:
    // an answer counts as "No" only when the idle line stays, with no hook, for a while.
    const quietMs = key === 'Escape' ? 0 : ANSWER_QUIET_MS
    const deadline = clock.now() + config.interruptSettleMs
    let idleSince: number | null = null
    while (clock.now() < deadline) {
      await clock.sleep(100)
      const current = this.deps.sessions.get(session.id)
      if (!current || current.state === 'idle' || current.state === 'stopped') return current ?? session
      // an answered dialog that a hook moved on (Yes: the tool runs) needs no screen reading
      if (key !== 'Escape' && (current.state !== session.state || current.lastEventAt !== session.lastEventAt)) return current
      if (!paneIsIdle(await mux.capture(session.tmuxSession))) idleSince = null
      else if ((idleSince ??= clock.now()) + quietMs <= clock.now()) return this.deps.apply(session.id, { kind: 'pane_idle' })
    }
    return this.deps.sessions.get(session.id) ?? session
  }
}

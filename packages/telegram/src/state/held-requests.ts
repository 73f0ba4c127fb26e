/** How a held request ended without an answer from Telegram. */
export type ApprovalLapse = 'timeout' | 'terminal' | 'gone'

/** A request held for a person: its id, whose session it is, and how it settles. */
export interface Held<T> {
  id: string
  request: { session: { id: string } }
  resolve: (value: T | null) => void
  timer: { cancel(): void }
}

export interface HeldRequestsDeps {
  /** How long a request waits. */
  waitMs: number
  timer: (ms: number, work: () => void) => { cancel(): void }
}

/** What a request that lapsed says, by why. */
export const LAPSE: Record<ApprovalLapse, (waitMs: number) => string> = {
  timeout: (ms) => `No answer within ${Math.round(ms / 1000)} s: answer in the terminal.`,
  terminal: () => 'Answered in the terminal.',
  gone: () => 'No longer waiting (the session or the server stopped, or the hook gave up).',
}

/**
 * Requests waiting for a person in Telegram (approvals, questions): each resolves once, with a
 * value or with null when it lapses (after `waitMs`, the terminal first, the hook or session
 * gone, the server stopping). `finish` shows the outcome (edits the request's message).
 */
export abstract class HeldRequests<T, P extends Held<T>> {
  protected readonly pending = new Map<string, P>()

  /** `buttonData` matches the callback data of the requests' buttons; its first group is the request's id. */
  constructor(
    private readonly held: HeldRequestsDeps,
    private readonly buttonData: RegExp,
  ) {}

  /** A press of one of the buttons: settles or advances its request. Returns the text for answerCallbackQuery. */
  press(data: string, by: string): string {
    const m = this.buttonData.exec(data)
    if (!m) return 'Unknown button.'
    const p = this.pending.get(m[1]!)
    return p === undefined ? 'Already answered.' : this.pressed(p, m, by)
  }

  /** The session's requests were answered some other way (the terminal), or can no longer be. */
  lapseSession(sessionId: string, why: ApprovalLapse): void {
    for (const p of [...this.pending.values()]) if (p.request.session.id === sessionId) this.lapse(p.id, why)
  }

  /** Ends one request without a value. */
  lapse(id: string, why: ApprovalLapse): void {
    const p = this.pending.get(id)
    if (p) this.settle(p, null, LAPSE[why](this.held.waitMs))
  }

  /** Ends one request without a value, saying how it ended elsewhere (e.g. "Allowed by operator (web)"). */
  conclude(id: string, outcome: string): void {
    const p = this.pending.get(id)
    if (p) this.settle(p, null, outcome)
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.pending.size
  }

  /** Server stop: every request ends without a value (the terminal dialog stays). */
  stop(): void {
    for (const id of [...this.pending.keys()]) this.lapse(id, 'gone')
  }

  /** Starts waiting for `request` (lapsing after `waitMs`); resolves with its value or null. */
  protected hold(request: Omit<P, 'resolve' | 'timer'>): Promise<T | null> {
    return new Promise<T | null>((resolve) => {
      const timer = this.held.timer(this.held.waitMs, () => this.lapse(request.id, 'timeout'))
      this.pending.set(request.id, { ...request, resolve, timer } as P)
    })
  }

  protected settle(p: P, value: T | null, outcome: string): void {
    this.pending.delete(p.id)
    p.timer.cancel()
    p.resolve(value)
    this.finish(p, outcome)
  }

  /** A press on `p`'s buttons (`data`: the matched callback data). */
  protected abstract pressed(p: P, data: RegExpExecArray, by: string): string

  /** Shows how the request ended. */
  protected abstract finish(p: P, outcome: string): void
}

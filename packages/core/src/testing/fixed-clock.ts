import type { Clock } from '../ports/clock.js'
import type { IdGenerator } from '../ports/id-generator.js'

/** A clock that moves only when told to; `sleep` advances it at once. */
export class FixedClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current
  }
  advance(ms: number): void {
    this.current += ms
  }
  async sleep(ms: number): Promise<void> {
    this.current += ms
    await Promise.resolve()
  }
}

/** Ids 00000001, 00000002, …; tokens token-1, token-2, … */
export class SequentialIds implements IdGenerator {
  private n = 0
  private t = 0
  sessionId(): string {
    this.n += 1
    return this.n.toString(16).padStart(8, '0')
  }
  token(): string {
    this.t += 1
    return `token-${this.t}`
  }
}

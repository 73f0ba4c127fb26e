/** Resolves waiters when a session's UserPromptSubmit arrives carrying an expected text. */
export class PromptWaiters {
  private readonly waiting = new Map<string, Set<(prompt: string) => void>>()

  /** A promise that resolves true once `matches(prompt)` holds for a prompt of `sessionId`. */
  wait(sessionId: string, matches: (prompt: string) => boolean): { promise: Promise<true>; cancel(): void } {
    let listener!: (prompt: string) => void
    const promise = new Promise<true>((resolve) => {
      listener = (prompt) => {
        if (!matches(prompt)) return
        this.remove(sessionId, listener)
        resolve(true)
      }
    })
    let set = this.waiting.get(sessionId)
    if (!set) this.waiting.set(sessionId, (set = new Set()))
    set.add(listener)
    return { promise, cancel: () => this.remove(sessionId, listener) }
  }

  /** Tells the waiters of `sessionId` about `prompt`; true if one of them was waiting for it. */
  notify(sessionId: string, prompt: string): boolean {
    const listeners = this.waiting.get(sessionId)
    if (listeners === undefined) return false
    const before = listeners.size
    for (const listener of [...listeners]) listener(prompt)
    return (this.waiting.get(sessionId)?.size ?? 0) < before
  }

  private remove(sessionId: string, listener: (prompt: string) => void): void {
    const set = this.waiting.get(sessionId)
    set?.delete(listener)
    if (set?.size === 0) this.waiting.delete(sessionId)
  }
}

/**
 * Listeners of one kind, called in the order they were added (a listener added twice is one).
 * Nothing is caught: a listener that throws stops the call, later listeners are not called, and
 * the error reaches whoever emitted.
 */
export class Emitter<Args extends unknown[], Answer = void> {
  private readonly listeners = new Set<(...args: Args) => Answer>()

  /** Adds a listener; returns its removal. */
  on(listener: (...args: Args) => Answer): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Calls every listener with `args`. */
  emit(...args: Args): void {
    for (const listener of this.listeners) listener(...args)
  }

  /** Calls the listeners one by one, yielding each answer: the caller may stop before the last. */
  *ask(...args: Args): Generator<Answer, void, undefined> {
    for (const listener of this.listeners) yield listener(...args)
  }
}

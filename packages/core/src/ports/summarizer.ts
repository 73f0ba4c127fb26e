export interface SummarizeOptions {
  /** The summarizer gives up (and is stopped) after this long. */
  timeoutMs: number
}

/**
 * Turns a prompt into a short text: a language model behind a command (`claude -p`).
 * Failures, timeouts included, are `SessionsError('unavailable')` with a message naming the cause.
 */
export interface Summarizer {
  summarize(prompt: string, options: SummarizeOptions): Promise<string>
}

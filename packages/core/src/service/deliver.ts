import { SessionsError } from '../errors.js'
import type { Clock } from '../ports/clock.js'
import type { Multiplexer } from '../ports/multiplexer.js'
import { readPane } from '../session/pane-state.js'
import type { PromptWaiters } from './prompt-waiters.js'

export interface DeliveryTiming {
  /** Pause between typing and Enter, so Claude does not take the Enter as part of a paste. */
  settleMs: number
  /** How long to wait for confirmation after each Enter. */
  confirmMs: number
  /** Screen check interval while waiting for confirmation. */
  pollMs: number
  /**
   * Once the input line has emptied, how long to wait still for the prompt hook, the stronger
   * proof (the screen can empty before the hook lands). Without hooks this is the added latency.
   */
  hookGraceMs: number
}

export interface DeliveryResult {
  delivered: true
  /** `hook`: UserPromptSubmit carried the text; `screen`: the input line emptied. */
  confirmedBy: 'hook' | 'screen'
  /** Enter presses needed (1, or 2 after a retry). */
  attempts: number
}

export interface DeliveryDeps {
  mux: Multiplexer
  clock: Clock
  waiters: PromptWaiters
}

const normalize = (text: string): string => text.replace(/\r\n?/g, '\n').trim()

/** Whether a submitted prompt is the text we typed (Claude may trim or re-wrap it). */
export function promptMatches(sent: string, submitted: string): boolean {
  const a = normalize(sent)
  const b = normalize(submitted)
  if (a === b) return true
  const head = a.slice(0, 200)
  return head.length > 0 && b.includes(head)
}

/**
 * The one way text is typed into a session: literal keys (the adapter leaves copy-mode and
 * chunks), a pause, a separate Enter, then confirmation by the UserPromptSubmit hook or by
 * the input line emptying; Enter is retried once. Throws `delivery_failed`.
 */
export async function deliverText(
  deps: DeliveryDeps,
  target: { sessionId: string; terminal: string },
  text: string,
  timing: DeliveryTiming,
): Promise<DeliveryResult> {
  const { mux, clock, waiters } = deps
  const before = readPane(await mux.capture(target.terminal))
  if (before.input === null) {
    throw new SessionsError(
      'delivery_failed',
      before.dialog ? 'the session shows a dialog; answer it first' : 'the session shows no input line',
    )
  }
  const waiter = waiters.wait(target.sessionId, (prompt) => promptMatches(text, prompt))
  let hookConfirmed = false
  void waiter.promise.then(() => {
    hookConfirmed = true
  })
  try {
    await mux.typeText(target.terminal, text)
    await clock.sleep(timing.settleMs)
    for (let attempt = 1; attempt <= 2; attempt++) {
      await mux.sendKey(target.terminal, 'Enter')
      const deadline = clock.now() + timing.confirmMs
      let emptiedAt: number | null = null
      while (clock.now() < deadline) {
        await clock.sleep(timing.pollMs)
        if (hookConfirmed) return { delivered: true, confirmedBy: 'hook', attempts: attempt }
        if (emptiedAt === null && readPane(await mux.capture(target.terminal)).input === '') emptiedAt = clock.now()
        if (hookConfirmed) return { delivered: true, confirmedBy: 'hook', attempts: attempt }
        if (emptiedAt !== null && clock.now() - emptiedAt >= timing.hookGraceMs) {
          return { delivered: true, confirmedBy: 'screen', attempts: attempt }
        }
      }
      if (emptiedAt !== null) return { delivered: true, confirmedBy: 'screen', attempts: attempt }
    }
    throw new SessionsError('delivery_failed', 'the text was typed but not submitted (no prompt hook, input line not empty)')
  } finally {
    waiter.cancel()
  }
}

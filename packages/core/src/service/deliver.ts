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
  /**
   * When it was confirmed: the prompt hook's arrival, or the input line emptying. A hook that
   * follows (the turn's Stop) may be handled before this call returns, never before this time.
   */
  confirmedAt: number
}

export interface DeliveryDeps {
  mux: Multiplexer
  clock: Clock
  waiters: PromptWaiters
}

/**
 * What Claude Code (2.1.330) does to a pasted text before the UserPromptSubmit hook and the model
 * see it: CR and CRLF become LF (the adapter already sends them so), each tab becomes four
 * spaces, trailing whitespace goes. A long or many-line paste ("[Pasted text #1 +N lines]" in
 * the input box) is sent wrapped in `<pasted_content id="…">` tags (see {@link unwrapPaste}).
 */
export function claudeNormalized(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/\s+$/u, '')
}

const PASTE_WRAPPER = /^\n*<pasted_content id="([^"\n]+)">\n([\s\S]*)\n<\/pasted_content id="\1">\n*$/

/** The text inside Claude Code's `<pasted_content>` wrapper of a long paste; other prompts as they are. */
export function unwrapPaste(prompt: string): string {
  const m = PASTE_WRAPPER.exec(prompt)
  return m ? m[2]! : prompt
}

/**
 * Whether a submitted prompt is the WHOLE text we pasted: equal once Claude Code's own changes
 * are undone on both sides ({@link claudeNormalized}, {@link unwrapPaste}). A prefix is not
 * enough: a text cut up or merged with someone else's typing must not count as delivered.
 */
export function promptMatches(sent: string, submitted: string): boolean {
  const a = claudeNormalized(sent)
  return a.length > 0 && a === claudeNormalized(unwrapPaste(submitted))
}

/** The message of {@link InputHeldError}. */
export const INPUT_HELD_REASON = 'the input box holds text sm did not type (someone is writing there); nothing was typed, to try again once it is empty'

/**
 * The input box holds text we did not type (a person is writing a prompt): typing would mix our
 * text into theirs, so nothing is typed. A `delivery_failed` whose callers may retry later.
 */
export class InputHeldError extends SessionsError {
  readonly held = true
  constructor(reason = INPUT_HELD_REASON) {
    super('delivery_failed', reason)
  }
}

/** The message of {@link InputHeldError} while a person has control of the terminal (the web dashboard). */
export const UNDER_CONTROL_REASON = 'a person has taken control of this terminal (web dashboard); nothing was typed, to try again once they release it'

const squeezed = (text: string): string => claudeNormalized(text).replace(/\s+/gu, '')

/**
 * Whether the input box holds exactly `text` (as the box shows it: wrapped, tabs expanded), i.e.
 * our own earlier typing that was never submitted. A paste shown as `[Pasted text …]` can't be
 * told apart from a person's and counts as theirs.
 */
function isLeftOver(input: string, text: string): boolean {
  const mine = squeezed(text)
  return mine.length > 0 && squeezed(input) === mine
}

/** How long, after the paste, the input box may take to show it before Enter is pressed anyway. */
const PASTE_SHOWN_MS = 3000

/**
 * The one way text is typed into a session: refused when the input box holds text we did not
 * type (someone is writing: {@link InputHeldError}); when it holds exactly this text (typed
 * before a restart, never submitted), it is submitted as it is; else one paste of the whole text (the adapter leaves
 * copy-mode), a pause until the box shows it, a separate Enter, then confirmation by the
 * UserPromptSubmit hook carrying the whole text or by the input line emptying; Enter is
 * retried once. Throws `delivery_failed`.
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
  // our own text, typed before a crash or restart and never submitted: submit it, never type it twice
  const leftOver = before.input !== '' && isLeftOver(before.input, text)
  if (before.input !== '' && !leftOver) throw new InputHeldError()
  let hookAt = 0
  // the time is taken as the hook is handled (the promise settles a tick later, maybe after the turn's Stop)
  const waiter = waiters.wait(target.sessionId, (prompt) => {
    const whole = promptMatches(text, prompt)
    if (whole && hookAt === 0) hookAt = clock.now()
    return whole
  })
  let hookConfirmed = false
  void waiter.promise.then(() => {
    hookConfirmed = true
  })
  try {
    if (!leftOver) {
      await mux.typeText(target.terminal, text)
      await clock.sleep(timing.settleMs)
    }
    // a long paste takes Claude a moment: Enter before the box shows it would be lost in the paste
    const shownBy = clock.now() + PASTE_SHOWN_MS
    while (!hookConfirmed && clock.now() < shownBy) {
      const input = readPane(await mux.capture(target.terminal)).input
      if (input === null || input !== '') break
      await clock.sleep(timing.pollMs)
    }
    for (let attempt = 1; attempt <= 2; attempt++) {
      await mux.sendKey(target.terminal, 'Enter')
      const deadline = clock.now() + timing.confirmMs
      let emptiedAt: number | null = null
      while (clock.now() < deadline) {
        await clock.sleep(timing.pollMs)
        if (hookConfirmed) return { delivered: true, confirmedBy: 'hook', attempts: attempt, confirmedAt: hookAt }
        if (emptiedAt === null && readPane(await mux.capture(target.terminal)).input === '') emptiedAt = clock.now()
        if (hookConfirmed) return { delivered: true, confirmedBy: 'hook', attempts: attempt, confirmedAt: hookAt }
        if (emptiedAt !== null && clock.now() - emptiedAt >= timing.hookGraceMs) {
          return { delivered: true, confirmedBy: 'screen', attempts: attempt, confirmedAt: emptiedAt }
        }
      }
      if (emptiedAt !== null) return { delivered: true, confirmedBy: 'screen', attempts: attempt, confirmedAt: emptiedAt }
    }
    throw new SessionsError('delivery_failed', 'the text was typed but not submitted (no prompt hook, input line not empty)')
  } finally {
    waiter.cancel()
  }
}

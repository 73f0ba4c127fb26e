/**
 * Reads Claude Code's screen (tmux capture-pane text). The screen is a fallback signal
 * only: hooks come first.
 */
export interface PaneReading {
  /** Text in the live input box, or null when no input box is drawn (dialog, exited). */
  input: string | null
  /** The footer says a turn is running (`esc to interrupt`). */
  busy: boolean
  /** A permission/selection dialog is open. */
  dialog: boolean
}

const INPUT_MARK = '\u276f\u00a0' // ❯ + NO-BREAK SPACE: the live input line
const RULE = /^\u2500{8,}/
const BUSY = /esc to interrupt/i
const DIALOG = /Do you want to proceed\?|Esc to cancel/
/** Continuation lines of the input are indented under the text, past the `❯ ` prefix. */
const CONTINUATION_INDENT = /^ {1,2}/

export function readPane(text: string): PaneReading {
  const lines = text.split('\n')
  let mark = -1
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith(INPUT_MARK)) {
      mark = i
      break
    }
  }
  if (mark < 0) {
    return { input: null, busy: lines.slice(-6).some((l) => BUSY.test(l)), dialog: lines.some((l) => DIALOG.test(l)) }
  }
  // the input runs from the mark to the closing rule; the footer is below that rule
  let end = mark + 1
  while (end < lines.length && !RULE.test(lines[end]!)) end++
  const parts = [
    lines[mark]!.slice(INPUT_MARK.length),
    ...lines.slice(mark + 1, end).map((l) => l.replace(CONTINUATION_INDENT, '')),
  ]
  const input = parts
    .map((p) => p.replace(/\s+$/u, ''))
    .join('\n')
    .replace(/^\s+|\s+$/gu, '')
  // only the footer counts: typed text saying "esc to interrupt" does not make Claude busy
  const busy = lines.slice(end).some((l) => BUSY.test(l))
  return { input, busy, dialog: false }
}

/** Claude waits for input: an input box, and no running turn. */
export const paneIsIdle = (text: string): boolean => {
  const r = readPane(text)
  return r.input !== null && !r.busy
}

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

export function readPane(text: string): PaneReading {
  const lines = text.split('\n')
  let input: string | null = null
  let inputIndex = -1
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    if (line.startsWith(INPUT_MARK)) {
      inputIndex = i
      const parts: string[] = [line.slice(INPUT_MARK.length)]
      // continuation lines of a multi-line input sit between the mark and the closing rule
      for (let j = i + 1; j < lines.length && !RULE.test(lines[j]!); j++) parts.push(lines[j]!)
      input = parts.map((p) => p.replace(/\s+$/u, '')).join('\n').replace(/^\s+|\s+$/gu, '')
      break
    }
  }
  const tail = inputIndex >= 0 ? lines.slice(inputIndex) : lines.slice(-6)
  const busy = tail.some((l) => /esc to interrupt/i.test(l))
  const dialog = inputIndex < 0 && lines.some((l) => /Do you want to proceed\?|Esc to cancel/.test(l))
  return { input, busy, dialog }
}

/** Claude waits for input: an input box, and no running turn. */
export const paneIsIdle = (text: string): boolean => {
  const r = readPane(text)
  return r.input !== null && !r.busy
}

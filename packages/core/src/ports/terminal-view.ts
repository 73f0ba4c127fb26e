/** Bounds on a viewed terminal's size (a browser asks; these stop an absurd or hostile one). */
export const TERMINAL_COLS = { min: 20, max: 500 } as const
export const TERMINAL_ROWS = { min: 5, max: 200 } as const

export interface TerminalSize {
  cols: number
  rows: number
}

/** A size within the bounds, or null. */
export function checkedTerminalSize(cols: unknown, rows: unknown): TerminalSize | null {
  const ok = (n: unknown, b: { min: number; max: number }): n is number => typeof n === 'number' && Number.isInteger(n) && n >= b.min && n <= b.max
  return ok(cols, TERMINAL_COLS) && ok(rows, TERMINAL_ROWS) ? { cols, rows } : null
}

/** One live view of a session's terminal (the web dashboard's): its output, and input under control. */
export interface TerminalView {
  /** Output: the current screen first (a full redraw), then every change. */
  onData(listener: (chunk: string) => void): void
  /** The view ended (the terminal is gone, or the view was closed). */
  onExit(listener: () => void): void
  /** Keys, as a terminal sends them; only a view opened with `control`. */
  write(data: string): void
  /** Only a view with `control` changes the terminal's size; a read-only one keeps its own. */
  resize(size: TerminalSize): void
  /** Backpressure: stop reading output while the viewer is slow. */
  pause(): void
  resume(): void
  close(): void
}

/**
 * Opens views of a session's terminal. Read-only views never change what the person at the real
 * terminal sees (not its size either); a view with `control` types and follows its own size.
 */
export interface TerminalViewer {
  /** The terminal's current size (a read-only view is drawn at exactly this size). */
  size(terminal: string): Promise<TerminalSize>
  open(terminal: string, options: TerminalSize & { control: boolean }): TerminalView
}

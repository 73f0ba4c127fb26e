/** Keys that may be sent to a session on their own. */
export const SENDABLE_KEYS = ['Escape', 'Enter', 'y', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const
export type SendableKey = (typeof SENDABLE_KEYS)[number]

export interface CreateTerminalOptions {
  /** tmux session name. */
  name: string
  cwd: string
  /** Variables set in the session's environment. */
  env: Record<string, string>
  /** Variables removed from the session's environment. */
  unsetEnv: string[]
  /** argv of the program to run; never a shell string. */
  command: string[]
  width?: number
  height?: number
}

/** A terminal multiplexer holding one terminal per session (tmux). */
export interface Multiplexer {
  create(options: CreateTerminalOptions): Promise<void>
  exists(name: string): Promise<boolean>
  /** Names of all sessions on our socket. */
  list(): Promise<string[]>
  kill(name: string): Promise<void>
  /** The visible screen plus `scrollback` lines of history, as plain text. */
  capture(name: string, scrollback?: number): Promise<string>
  /** Types `text` literally (leaves copy-mode first); never presses Enter. */
  typeText(name: string, text: string): Promise<void>
  sendKey(name: string, key: SendableKey): Promise<void>
  /** The session's own environment variables (used to re-adopt a terminal after data loss). */
  environment?(name: string): Promise<Record<string, string>>
  /**
   * The pid of the program each session runs (its first pane's), by session name; sessions
   * whose program has exited are left out. Lets the server notice an agent's exit at once.
   */
  programPids?(): Promise<Map<string, number>>
  /** Shows `label` in the session's status bar. */
  setLabel(name: string, label: string): Promise<void>
}

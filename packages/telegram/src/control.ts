import type { DeliveryMode, Session, ToolEvent } from '@claude-sessions/core'
import type { FormattedMessage } from './features/format.js'

/**
 * What the bot may do to sessions: the server implements it with its services (acting as the
 * operator). Methods throw `SessionsError` for bad input (unknown session, stopped, ...); the
 * bot shows the error's message.
 */
export interface SessionControl {
  /** Live sessions, oldest first; with `includeStopped`, stopped ones too. */
  list(options?: { includeStopped?: boolean }): Session[]
  /** A session by id, unique id prefix or name (throws `session_not_found`). */
  resolve(ref: string): Session
  /** Projects `/new` may start a session in (from the config), by name. */
  projects(): readonly Project[]
  /** Starts a session in `dir` (an optional first prompt). */
  create(request: { workingDir: string; name?: string; prompt?: string }): Promise<Session>
  kill(id: string): Promise<Session>
  /** Escape: interrupts what the session is doing. */
  interrupt(id: string): Promise<Session>
  /** `/clear`, then `prompt` if given. */
  clear(id: string, prompt?: string): Promise<Session>
  rename(id: string, name: string): Promise<Session>
  /** A short summary of what the session did (the summarizer; may take seconds). */
  summary(id: string): Promise<string>
  /** The last `lines` lines of the session's terminal. */
  output(id: string, lines: number): Promise<string>
  /** The session's last `limit` tool events, newest last. */
  tools(id: string, limit: number): ToolEvent[]
  /** Direct children of the session. */
  children(id: string): Session[]
  /**
   * Text for the session from Telegram, as a message in `mode`; `delivered` once typed or handed
   * to a hook, else `queued`. The id is the message's (for `onDelivered`).
   */
  send(id: string, text: string, mode: DeliveryMode): Promise<{ messageId: number; status: 'delivered' | 'queued' }>
}

export interface Project {
  name: string
  dir: string
}

/** An inline keyboard button: its label and the callback data (at most 64 bytes) a press sends. */
export interface Button {
  text: string
  data: string
}

/** What the bot answers with: text (plain and HTML, already split to fit) and buttons under the last piece. */
export interface BotReply {
  messages: FormattedMessage[]
  /** Rows of buttons, shown under the last message. */
  buttons?: Button[][]
}

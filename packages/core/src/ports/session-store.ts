import type { NewStoredEvent, StoredEvent } from '../events/stored-event.js'
import type { Session } from '../session/session.js'

export interface ListSessionsOptions {
  includeStopped?: boolean
}

/** The registry of sessions. The server is its only writer. */
export interface SessionStore {
  get(id: string): Session | undefined
  findByClaudeSessionId(claudeSessionId: string): Session | undefined
  list(options?: ListSessionsOptions): Session[]
  /** Throws `name_taken` when a live session already has the name. */
  insert(session: Session, tokenHash: string | null): void
  /** Replaces the stored session. Throws `session_not_found`, `name_taken`. */
  update(session: Session): void
  tokenHash(id: string): string | null
}

export interface ListEventsOptions {
  /** Only the newest `limit` events (a positive integer); absent means all. */
  limit?: number
  /** Only events with id greater than this. */
  afterId?: number
}

/** The log of hook events. */
export interface EventStore {
  /** Records an event. Writes may be batched; `list` and `count` see every appended event. */
  append(event: NewStoredEvent): void
  /** Events of a session, oldest first. */
  list(sessionId: string, options?: ListEventsOptions): StoredEvent[]
  count(): number
  /** Whether an event with this dedupe key was recorded. */
  hasDedupeKey(key: string): boolean
}

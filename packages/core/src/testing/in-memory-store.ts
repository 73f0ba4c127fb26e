import { SessionsError } from '../errors.js'
import type { NewStoredEvent, StoredEvent } from '../events/stored-event.js'
import type { EventStore, ListEventsOptions, ListSessionsOptions, SessionStore } from '../ports/session-store.js'
import type { Session } from '../session/session.js'

const nameClash = (sessions: Iterable<Session>, s: Session): boolean => {
  if (s.name === null || s.state === 'stopped') return false
  for (const other of sessions) {
    if (other.id !== s.id && other.name === s.name && other.state !== 'stopped') return true
  }
  return false
}

export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>()
  private readonly tokens = new Map<string, string | null>()

  get(id: string): Session | undefined {
    const s = this.sessions.get(id)
    return s ? { ...s } : undefined
  }

  findByClaudeSessionId(claudeSessionId: string): Session | undefined {
    for (const s of this.sessions.values()) if (s.claudeSessionId === claudeSessionId) return { ...s }
    return undefined
  }

  list(options: ListSessionsOptions = {}): Session[] {
    return [...this.sessions.values()]
      .filter((s) => options.includeStopped === true || s.state !== 'stopped')
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((s) => ({ ...s }))
  }

  insert(session: Session, tokenHash: string | null): void {
    if (this.sessions.has(session.id)) throw new SessionsError('invalid_input', `session ${session.id} exists`)
    if (nameClash(this.sessions.values(), session)) throw new SessionsError('name_taken', `name '${session.name}' is taken`)
    this.sessions.set(session.id, { ...session })
    this.tokens.set(session.id, tokenHash)
  }

  update(session: Session): void {
    if (!this.sessions.has(session.id)) throw new SessionsError('session_not_found', `no session '${session.id}'`)
    if (nameClash(this.sessions.values(), session)) throw new SessionsError('name_taken', `name '${session.name}' is taken`)
    this.sessions.set(session.id, { ...session })
  }

  tokenHash(id: string): string | null {
    return this.tokens.get(id) ?? null
  }
}

export class InMemoryEventStore implements EventStore {
  private readonly events: StoredEvent[] = []
  private readonly keys = new Set<string>()

  append(event: NewStoredEvent): void {
    const { dedupeKey, ...rest } = event
    if (dedupeKey) {
      if (this.keys.has(dedupeKey)) return
      this.keys.add(dedupeKey)
    }
    this.events.push({ ...rest, id: this.events.length + 1 })
  }

  list(sessionId: string, options: ListEventsOptions = {}): StoredEvent[] {
    const after = options.afterId ?? 0
    const matching = this.events.filter((e) => e.sessionId === sessionId && e.id > after)
    return options.limit === undefined ? matching : matching.slice(-options.limit)
  }

  count(): number {
    return this.events.length
  }

  hasDedupeKey(key: string): boolean {
    return this.keys.has(key)
  }
}

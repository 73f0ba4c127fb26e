import { SessionsError } from '../errors.js'
import type { UsageRecord, UsageStore, UsageTotals } from '../ports/usage-store.js'
import { ZERO_USAGE } from '../ports/usage-store.js'
import type { Session } from '../session/session.js'
import type { Actor } from '../session/tree.js'
import { rollUp } from '../usage/roll-up.js'
import type { ApiRequestRecord } from '../usage/otlp-logs.js'

export interface UsageServiceDeps {
  sessions: { list(options: { includeStopped?: boolean }): Session[]; resolve(ref: string): Session; events(ref: string, options: { limit?: number }): { events: readonly { claudeSessionId: string }[] } }
  store: UsageStore
}

export interface IngestOutcome {
  stored: number
  /** Already in the ledger (an exporter's retry). */
  duplicate: number
  /** For another session, or one we don't know. */
  refused: number
}

export interface SessionUsage {
  session: Session
  own: UsageTotals
  /** Itself and every descendant, each once. */
  tree: UsageTotals
}

/**
 * The usage ledger: Claude Code's `api_request` records stored once each, for the session they
 * belong to, and totals per session and subtree. A session's records come with its own token and
 * must carry one of its Claude session ids (the current one, or one its hooks showed before a
 * `/clear`); the operator's are matched to sessions by Claude's session id.
 */
export class UsageService {
  /** Claude session ids each session has shown, learned from its hook events. */
  private readonly claudeIds = new Map<string, Set<string>>()

  constructor(private readonly deps: UsageServiceDeps) {}

  ingest(actor: Actor, records: readonly ApiRequestRecord[]): IngestOutcome {
    const rows: UsageRecord[] = []
    let refused = 0
    // one look at the registry per batch, not per record
    const sessions = this.deps.sessions.list({ includeStopped: true })
    for (const r of records) {
      const owner = actor.kind === 'session' ? (this.belongsTo(sessions, actor.id, r.claudeSessionId) ? actor.id : null) : this.ownerOf(sessions, r.claudeSessionId)
      if (owner === null) refused += 1
      else rows.push({ ...r, sessionId: owner, source: 'otel' })
    }
    const stored = rows.length === 0 ? 0 : this.deps.store.add(rows)
    return { stored, duplicate: rows.length - stored, refused }
  }

  /** Every session's own and subtree totals (stopped ones included), since `since` when given. */
  all(options: { since?: number } = {}): SessionUsage[] {
    const sessions = this.deps.sessions.list({ includeStopped: true })
    const own = this.deps.store.totalsBySession(options.since === undefined ? {} : { since: options.since })
    const rolled = rollUp(sessions, own)
    return sessions.map((session) => ({ session, ...(rolled.get(session.id) ?? { own: ZERO_USAGE, tree: ZERO_USAGE }) }))
  }

  /** One session's own and subtree totals. */
  of(ref: string, options: { since?: number } = {}): SessionUsage {
    const session = this.deps.sessions.resolve(ref)
    const found = this.all(options).find((u) => u.session.id === session.id)
    if (found === undefined) throw new SessionsError('session_not_found', `no session '${ref}'`)
    return found
  }

  private belongsTo(sessions: readonly Session[], sessionId: string, claudeSessionId: string): boolean {
    const session = sessions.find((s) => s.id === sessionId)
    if (session === undefined) return false
    if (session.claudeSessionId === claudeSessionId) return true
    return this.knownIds(sessionId).has(claudeSessionId)
  }

  private ownerOf(sessions: readonly Session[], claudeSessionId: string): string | null {
    return sessions.find((s) => s.claudeSessionId === claudeSessionId || s.id === claudeSessionId)?.id ?? null
  }

  /** The Claude session ids of the session's stored hook events (before a `/clear` too). */
  private knownIds(sessionId: string): Set<string> {
    let ids = this.claudeIds.get(sessionId)
    if (ids === undefined || ids.size === 0) {
      ids = new Set(this.deps.sessions.events(sessionId, { limit: 10_000 }).events.map((e) => e.claudeSessionId))
      this.claudeIds.set(sessionId, ids)
    }
    return ids
  }
}

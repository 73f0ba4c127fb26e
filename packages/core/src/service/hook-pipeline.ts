/**
 * The hook pipeline: what runs on a hook event (POST /hooks/:event, or the spool imported at
 * start), in this order:
 *
 *  1. parse: the payload becomes a HookEvent (invalid ones are refused); the last assistant
 *     message is redacted.
 *  2. authorize: a hook naming a session (X-SM-Session) must carry that managed session's token
 *     (spooled ones are trusted); a token-less one is an external session's, created on first
 *     sight, and may not speak for a managed session.
 *  3. dedupe: an event id (or spool key) seen before is answered {} and goes no further.
 *  4. repliers, in the order they were added; their replies are merged. In the server:
 *       - the lock enforcer (apps/server lock-enforcement.ts, added in compose.ts when locks are
 *         enforced): denies edits in a checkout another session holds
 *       - MessageService: queued messages ride on a Stop (blocking it) or a tool hook's context
 *       - connectNotifiers (core notify/connect.ts, from the Telegram bridge): an external
 *         session's AskUserQuestion
 *       - the Telegram bridge (apps/server telegram/bridge.ts): the status card's current tool
 *  5. reduce: SessionService.apply runs the reducer and stores the session; the effect listeners
 *     (SessionService.onEffects) hear its effects, in the order they were added. In the server:
 *       - MessageService: the clear fence, turn ends for watches, typing when idle, failing on stop
 *       - compose.ts: the state log
 *       - the Telegram bridge: topics, then connectNotifiers' notifications, then the status card
 *     (the same listeners hear the effects of kills, keys and the watchdog, outside hooks)
 *  6. audit: the ToolAuditor records the event and answers with its policy decision, the
 *     stricter of its own and the repliers'; it is merged into the reply.
 *  7. store: the event row is appended (its raw payload redacted and capped).
 *  8. holders (ingestHeld only; never for a spooled event): the first that holds the reply keeps
 *     it until a person decides. In the server: the Telegram bridge's permission buttons.
 */
import type { ToolAuditor } from '../audit/auditor.js'
import { redactedPrefix, redactSecrets } from '../audit/redact.js'
import { SessionsError } from '../errors.js'
import { parseHookEvent, type HookEvent } from '../events/hook-event.js'
import { mergeReplies } from '../messages/plan.js'
import type { Clock } from '../ports/clock.js'
import type { EventStore, SessionStore } from '../ports/session-store.js'
import { SESSION_ID_PATTERN } from '../session/names.js'
import type { SessionEvent } from '../session/reducer.js'
import { newSession, type Session } from '../session/session.js'
import { Emitter } from './emitter.js'

/** The reply to a hook: Claude Code reads decisions and context from it. */
export type HookReply = Record<string, unknown>

/**
 * Something that answers hook events for another concern (messages): its reply is merged into
 * the hook's, and `continued` says the reply made Claude go on (a blocked Stop: the turn goes on).
 */
export type HookReplier = (session: Session, event: HookEvent, at: number, replay: boolean, payload: unknown) => { reply: HookReply; continued: boolean } | null

/**
 * Something that may hold a hook's reply while a person decides (Telegram's permission buttons):
 * given the reply made so far, a promise of what to add to it, or null to let the reply go at
 * once. `signal` aborts when the hook's request is gone; the promise must then settle soon.
 */
export type HookHolder = (session: Session, event: HookEvent, reply: HookReply, payload: unknown, signal: GoneSignal) => Promise<HookReply> | null

/**
 * The part of an AbortSignal that says a waiting party is gone (a held hook's request closed);
 * the one abort-signal type of the services and their notifiers (core has no DOM or Node types).
 */
export interface GoneSignal {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface HookInput {
  event: string
  /** The parsed JSON body. */
  payload: unknown
  /** The body as received (stored, capped). */
  raw: string
  /** `X-SM-Session`: set by hooks of managed sessions. */
  managerId: string | null
  token: string | null
  /**
   * The hook's own id for this event (sm-hook sends a random one with each event, and names its
   * spool file after it): an id seen before is not recorded again, whether it comes live or from
   * the spool.
   */
  eventId?: string | undefined
  /** Set for spooled events without an event id (older hook scripts): a second import is ignored. */
  dedupeKey?: string | undefined
  /** A spooled event: past, so nobody waits for its reply (it is recorded without a decision). */
  spooled?: boolean | undefined
  /** Spooled events come from our own data dir and carry no token. */
  trusted?: boolean | undefined
  /** When the event happened, if not now. */
  at?: number | undefined
}

/** A set that keeps the newest `max` keys. */
class RecentKeys {
  private readonly keys = new Set<string>()
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key)
  }
  add(key: string): void {
    this.keys.add(key)
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!)
  }
}

/** The event's key in the event store: its hook-given id, else the spool file's key. */
const dedupeKeyOf = (input: HookInput): string | null =>
  input.eventId !== undefined ? `hook:${input.eventId}` : (input.dedupeKey ?? null)

export interface HookPipelineDeps {
  sessions: SessionStore
  events: EventStore
  clock: Clock
  audit?: ToolAuditor
  config: { rawEventCap: number; redact?: readonly RegExp[] }
  /** Whether `token` is the secret of managed session `id`. */
  verifySessionToken(id: string, token: string): boolean
  /** The service's reducer step: runs the event, stores the session, tells the effect listeners. */
  apply(id: string, event: SessionEvent, at: number): Session
}

/** What a hook's ingestion made: the reply, and (unless it was a repeat) the session and event. */
export interface Ingested {
  reply: HookReply
  session?: Session
  event?: HookEvent
  replay: boolean
}

/** Hook ingestion, steps 1 to 8 above; the repliers and holders are registered here. */
export class HookPipeline {
  readonly repliers = new Emitter<Parameters<HookReplier>, ReturnType<HookReplier>>()
  readonly holders = new Emitter<Parameters<HookHolder>, ReturnType<HookHolder>>()
  /** Keys of events imported from the spool lately (a live request may come after its own spooled copy). */
  private readonly spooledKeys = new RecentKeys(100_000)

  constructor(private readonly deps: HookPipelineDeps) {}

  /** Steps 1 to 7: the reply, made at once. */
  ingest(input: HookInput): Ingested {
    const parsed = parseHookEvent(input.event, input.payload)
    const { events, clock, config } = this.deps
    // nothing stored keeps a secret; the prompt stays whole (delivery compares it with what it typed)
    const event =
      parsed.lastAssistantMessage === null ? parsed : { ...parsed, lastAssistantMessage: redactSecrets(parsed.lastAssistantMessage, config.redact).text }
    const at = input.at ?? clock.now()
    // who speaks first: a forged hook is refused even with an event id already stored
    const session = input.managerId !== null ? this.authorizedManaged(input) : this.externalFor(event, at)
    const key = dedupeKeyOf(input)
    // a spooled event is past: nobody waits for its reply
    const replay = input.spooled === true || (input.dedupeKey !== undefined && input.eventId === undefined)
    // Only the spool repeats an event (the hook spools what it is not sure was stored; a crash
    // re-imports a file): a spooled one is looked up in the store. A live one can only repeat one
    // imported from the spool first (a request stalled past the hook's timeout), so it is looked
    // up among those; the store's unique key drops any other repeat of the row.
    if (key !== null && (replay ? events.hasDedupeKey(key) : this.spooledKeys.has(key))) return { reply: {}, replay: true }
    if (key !== null && replay) this.spooledKeys.add(key)
    let reply: HookReply = {}
    let continued = false
    for (const answer of this.repliers.ask(session, event, at, replay, input.payload)) {
      if (answer === null) continue
      reply = mergeReplies(reply, answer.reply)
      continued ||= answer.continued
    }
    const current = this.deps.apply(session.id, continued ? { ...event, continued: true } : event, at)
    // the audit row first: an event row that reached the disk always has its audit row with it
    // other repliers' decisions (a workspace lock's deny) are recorded in the audit row too
    const decision = this.deps.audit?.record(current, event, input.payload, at, replay ? key : null, reply)
    events.append({
      sessionId: session.id,
      claudeSessionId: event.claudeSessionId,
      event: event.event,
      at,
      toolName: event.toolName,
      toolUseId: event.toolUseId,
      notificationType: event.notificationType,
      raw: redactedPrefix(input.raw, config.rawEventCap, config.redact),
      rawSize: input.raw.length,
      dedupeKey: key,
    })
    // the auditor answers with the stricter of its own decision and the other repliers'
    return { reply: decision ? mergeReplies(reply, decision) : reply, session: current, event, replay }
  }

  /** Steps 1 to 8: a holder may hold the reply, then it is a promise settled when the holder decides. */
  ingestHeld(input: HookInput, signal: GoneSignal): HookReply | Promise<HookReply> {
    const { reply, session, event, replay } = this.ingest(input)
    if (replay || session === undefined || event === undefined) return reply
    for (const held of this.holders.ask(session, event, reply, input.payload, signal)) {
      if (held !== null) return held.then((extra) => mergeReplies(reply, extra))
    }
    return reply
  }

  private authorizedManaged(input: HookInput): Session {
    const id = input.managerId!
    if (!SESSION_ID_PATTERN.test(id)) throw new SessionsError('invalid_input', `invalid session id '${id}'`)
    const session = this.deps.sessions.get(id)
    if (!session) throw new SessionsError('session_not_found', `no session '${id}'`)
    // an external session has no token: X-SM-Session may only name a managed one
    if (session.kind !== 'managed') throw new SessionsError('forbidden', `session ${id} was not started by sm: its hooks carry no X-SM-Session`)
    if (input.trusted === true) return session
    if (input.token === null || !this.deps.verifySessionToken(id, input.token)) {
      throw new SessionsError('unauthorized', 'missing or wrong session token')
    }
    return session
  }

  /**
   * The external session a token-less hook belongs to, created on first sight. A token-less
   * hook naming a managed session (by its manager id or its Claude session id) is refused:
   * only the managed session's own token speaks for it, so nobody can take its messages,
   * answer for it or move its state by forging its hooks (spec 0001, Hooks).
   */
  private externalFor(event: HookEvent, at: number): Session {
    const { sessions } = this.deps
    const known = sessions.get(event.claudeSessionId)
    if (known && known.kind === 'external') return known
    // an external session's id is its Claude session id, so this lookup runs on first sight only
    const managed = known ?? sessions.findByClaudeSessionId(event.claudeSessionId)
    if (managed && managed.kind !== 'external') {
      throw new SessionsError('forbidden', 'this hook names a session started by sm: it must carry X-SM-Session and that session\'s token')
    }
    const session = newSession({
      id: event.claudeSessionId,
      kind: 'external',
      state: 'starting',
      workingDir: event.cwd ?? '',
      tmuxSession: null,
      claudeSessionId: event.claudeSessionId,
      model: event.model,
      createdAt: at,
    })
    sessions.insert(session, null)
    return session
  }
}

import type { ToolAuditor } from '../audit/auditor.js'
import { redactedPrefix, redactSecrets } from '../audit/redact.js'
import { normalizeTask } from '../awareness/peers.js'
import { SessionsError } from '../errors.js'
import { parseHookEvent, type HookEvent } from '../events/hook-event.js'
import type { StoredEvent } from '../events/stored-event.js'
import type { Clock } from '../ports/clock.js'
import type { IdGenerator } from '../ports/id-generator.js'
import type { Multiplexer, SendableKey } from '../ports/multiplexer.js'
import type { EventStore, ListEventsOptions, SessionStore } from '../ports/session-store.js'
import { resolveSessionRef, SESSION_ID_PATTERN, validateName } from '../session/names.js'
import { paneIsIdle, readPane } from '../session/pane-state.js'
import { reduce, type Effect, type SessionEvent } from '../session/reducer.js'
import { isLive, newSession, tmuxSessionName, type Session } from '../session/session.js'
import { assertMayControl, checkSpawnLimits, descendantsOf, mayControl, OPERATOR, type Actor, type SpawnLimits } from '../session/tree.js'
import { deliverText, InputHeldError, type DeliveryResult, type DeliveryTiming } from './deliver.js'
import { mergeReplies } from '../messages/plan.js'
import { KeyedMutex } from './keyed-mutex.js'
import { PromptWaiters } from './prompt-waiters.js'

/**
 * Raw input and keys reach a session's agent as if a person typed them (slash commands, dialog
 * answers): only its parent or the operator may, as for an interrupt (a session may not type
 * into itself either).
 */
function assertMayDrive(actor: Actor, target: Session, what: string): void {
  if (mayControl(actor, target, 'interrupt')) return
  const who = actor.kind === 'session' ? `session ${actor.id}` : 'the operator'
  throw new SessionsError('forbidden', `${who} may not ${what} ${target.name ?? target.id}: only its parent${target.parentId ? ` (${target.parentId})` : ''} or the operator may`)
}

/** How long the idle input line must stay, with no hook, after a key answering a dialog. */
const ANSWER_QUIET_MS = 800

/**
 * Longest first prompt given to the agent as an argument. tmux refuses a command line over
 * ~16 KB ("command too long"), and the prompt shares it with the environment; a longer prompt
 * is pasted once the agent shows its input box.
 */
export const ARGV_PROMPT_MAX_CHARS = 2000

/** A model name as Claude Code takes it (`opus`, `claude-sonnet-4-5`, `claude-opus-4-1[1m]`): never an option. */
const MODEL_NAME = /^[A-Za-z0-9_.:@\/\[\]][A-Za-z0-9_.:@\/\[\]-]{0,199}$/

function checkModel(model: string): void {
  if (!MODEL_NAME.test(model)) {
    throw new SessionsError('invalid_input', `invalid model ${JSON.stringify(model)}: letters, digits and _ . : @ / [ ] - only, not starting with '-'`)
  }
}

/**
 * The agent's argv: the configured command, `--model <model>`, then `--` and the first prompt.
 * `--` ends the options, so a prompt like `--settings=…` or `--dangerously-skip-permissions`
 * reaches the model as text (Claude Code 2.1.330 honours it); the model was checked above.
 */
export function agentArgv(agentCommand: readonly string[], model: string | undefined, prompt: string, pasteFirst: boolean): string[] {
  const command = [...agentCommand]
  if (model !== undefined) command.push('--model', model)
  if (prompt !== '' && !pasteFirst) command.push('--', prompt)
  return command
}

export interface SessionServiceConfig {
  /** argv of the agent: `claude.command` followed by `claude.args`. */
  agentCommand: string[]
  /** Variables every session's terminal gets (server URL, data dir, ...). */
  env: Record<string, string>
  /** Variables removed from every session's terminal (`CLAUDECODE`). */
  unsetEnv: string[]
  /** Stored raw payloads are cut to this many characters. */
  rawEventCap: number
  delivery: DeliveryTiming
  /** A working session with no event for this long gets its screen checked. */
  staleMs: number
  /** After our Escape, how long to watch the screen for the idle input line. */
  interruptSettleMs: number
  /** Typing into a session still starting waits this long for its input line. */
  startWaitMs: number
  /** Extra secret patterns, redacted (with the built-in ones) from stored payloads and messages. */
  redact?: readonly RegExp[]
  /** Depth, fan-out and total of live sessions; none when absent. */
  limits?: SpawnLimits
}

export interface SessionServiceDeps {
  sessions: SessionStore
  events: EventStore
  mux: Multiplexer
  clock: Clock
  ids: IdGenerator
  /** One-way hash of a session token (the store keeps only hashes). */
  hashToken(token: string): string
  /** Whether `path` is an existing directory. */
  isDirectory(path: string): boolean
  /** Whether the agent program can be run (on PATH or an executable path). */
  commandAvailable?(command: string): boolean
  /** The tool-use audit and policy; without it tool events are only logged as events. */
  audit?: ToolAuditor
  config: SessionServiceConfig
}

export interface CreateSessionRequest {
  workingDir: string
  name?: string | undefined
  model?: string | undefined
  prompt?: string | undefined
  parentId?: string | undefined
  /** Policy profile; children inherit their parent's unless a stricter one is given. */
  policy?: string | undefined
  /** Set by `sm spawn`: the prompt is kept with the child. */
  spawned?: boolean | undefined
}

/**
 * Something that answers hook events for another concern (messages): its reply is merged into
 * the hook's, and `continued` says the reply made Claude go on (a blocked Stop: the turn goes on).
 */
export type HookReplier = (session: Session, event: HookEvent, at: number, replay: boolean, payload: unknown) => { reply: HookReply; continued: boolean } | null

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

/**
 * Something that may hold a hook's reply while a person decides (Telegram's permission buttons):
 * given the reply made so far, a promise of what to add to it, or null to let the reply go at
 * once. `signal` aborts when the hook's request is gone; the promise must then settle soon.
 */
export type HookHolder = (session: Session, event: HookEvent, reply: HookReply, payload: unknown, signal: GoneSignal) => Promise<HookReply> | null

/** The part of an AbortSignal a hook holder uses (core has no DOM or Node types). */
export interface GoneSignal {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
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

/** The reply to a hook: Claude Code reads decisions and context from it. */
export type HookReply = Record<string, unknown>

/** What changed in a session outside its hook events. */
export type SessionChange = 'created' | 'renamed' | 'task'
export type ChangeListener = (session: Session, change: SessionChange) => void

export type EffectListener = (session: Session, effects: readonly Effect[], event: SessionEvent) => void

/**
 * Sessions: create, name, type into, interrupt, kill; hook ingestion into the reducer; the
 * watchdog. All I/O goes through ports.
 */
export class SessionService {
  private readonly waiters = new PromptWaiters()
  private readonly typing = new KeyedMutex()
  private readonly listeners = new Set<EffectListener>()
  private readonly repliers: HookReplier[] = []
  private readonly holders: HookHolder[] = []
  /** Keys of events imported from the spool lately (a live request may come after its own spooled copy). */
  private readonly spooledKeys = new RecentKeys(100_000)
  private readonly changeListeners = new Set<ChangeListener>()
  /** Sessions whose terminal create() is starting right now: the watchdog leaves them alone. */
  private readonly starting = new Set<string>()
  /** Sessions whose input box held someone else's text when we came to type: since when. */
  private readonly held = new Map<string, number>()

  constructor(private readonly deps: SessionServiceDeps) {}

  onEffects(listener: EffectListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Called when a session is created (its terminal started), renamed, or its task set; returns the removal. */
  onChanged(listener: ChangeListener): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  private changed(session: Session, change: SessionChange): void {
    for (const listener of this.changeListeners) listener(session, change)
  }

  /** Adds a hook replier (the message service): asked for every hook event before the reducer. Returns its removal. */
  addHookReplier(replier: HookReplier): () => void {
    this.repliers.push(replier)
    return () => {
      const i = this.repliers.indexOf(replier)
      if (i >= 0) this.repliers.splice(i, 1)
    }
  }

  list(options: { includeStopped?: boolean } = {}): Session[] {
    return this.deps.sessions.list(options)
  }

  /** A session by id, unique id prefix or name. */
  resolve(ref: string): Session {
    const exact = this.deps.sessions.get(ref)
    if (exact) return exact
    return resolveSessionRef(this.deps.sessions.list({ includeStopped: true }), ref)
  }

  /** The session and all its descendants (any depth, stopped ones too), parents before children. */
  subtree(ref: string): Session[] {
    const root = this.resolve(ref)
    return [root, ...descendantsOf(root.id, this.deps.sessions.list({ includeStopped: true }))]
  }

  /** Whether `token` is the secret of managed session `id`. */
  verifySessionToken(id: string, token: string): boolean {
    const hash = this.deps.sessions.tokenHash(id)
    return hash !== null && hash === this.deps.hashToken(token)
  }

  async create(request: CreateSessionRequest): Promise<Session> {
    const { sessions, mux, clock, ids, config } = this.deps
    const name = request.name === undefined ? null : validateName(request.name)
    if (request.model !== undefined) checkModel(request.model)
    const prompt = request.prompt ?? ''
    const pasteFirst = prompt.length > ARGV_PROMPT_MAX_CHARS
    if (!this.deps.isDirectory(request.workingDir)) {
      throw new SessionsError('invalid_input', `not a directory: ${request.workingDir}`)
    }
    const program = config.agentCommand[0]
    if (program === undefined || this.deps.commandAvailable?.(program) === false) {
      throw new SessionsError('multiplexer_failed', `agent command '${program ?? ''}' not found; set claude.command in the config`)
    }
    const parent = request.parentId === undefined ? undefined : sessions.get(request.parentId)
    if (request.parentId !== undefined && !parent) {
      throw new SessionsError('session_not_found', `no parent session '${request.parentId}'`)
    }
    const policy = this.policyFor(request.policy, parent)
    if (config.limits) checkSpawnLimits(parent ?? null, sessions.list(), config.limits)
    let id = ids.sessionId()
    for (let i = 0; sessions.get(id) && i < 8; i++) id = ids.sessionId()
    if (sessions.get(id)) throw new SessionsError('internal', 'could not allocate a session id')
    const token = ids.token()
    const now = clock.now()
    const session = newSession({
      id,
      kind: 'managed',
      name,
      state: 'starting',
      workingDir: request.workingDir,
      tmuxSession: tmuxSessionName(id),
      model: request.model ?? null,
      parentId: request.parentId ?? null,
      policy,
      spawnPrompt: request.spawned === true ? (request.prompt ?? null) : null,
      createdAt: now,
    })
    sessions.insert(session, this.deps.hashToken(token))
    this.starting.add(id)
    const command = agentArgv(config.agentCommand, request.model, prompt, pasteFirst)
    try {
      await mux.create({
        name: session.tmuxSession!,
        cwd: request.workingDir,
        env: { ...config.env, CLAUDE_SESSION_MANAGER_ID: id, CLAUDE_SESSION_MANAGER_TOKEN: token },
        unsetEnv: config.unsetEnv,
        command,
      })
    } catch (error) {
      this.apply(session.id, { kind: 'tmux_gone' })
      throw error
    } finally {
      this.starting.delete(id)
    }
    await this.label(session)
    const created = this.deps.sessions.get(id) ?? session
    this.changed(created, 'created')
    if (pasteFirst) await this.pasteFirstPrompt(created, prompt)
    return this.deps.sessions.get(id) ?? created
  }

  /** A first prompt too long for the command line: pasted once the input box shows (like `sm send`). */
  private async pasteFirstPrompt(session: Session, prompt: string): Promise<void> {
    try {
      await this.input(session.id, prompt)
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      throw new SessionsError(SessionsError.is(error) ? error.code : 'delivery_failed', `session ${session.id} started, but its first prompt was not delivered: ${why}`, {
        cause: error,
      })
    }
  }

  private policyFor(requested: string | undefined, parent: Session | undefined): string | null {
    const { audit } = this.deps
    if (audit) return audit.profileFor(requested, parent ? parent.policy : undefined)
    if (requested !== undefined) throw new SessionsError('invalid_input', 'policies are not enabled on this server')
    return parent?.policy ?? null
  }

  async rename(ref: string, name: string, actor: Actor = OPERATOR): Promise<Session> {
    const session = this.resolve(ref)
    assertMayControl(actor, session, 'rename')
    const next = { ...session, name: validateName(name) }
    this.deps.sessions.update(next)
    this.changed(next, 'renamed')
    if (isLive(next)) await this.label(next)
    return next
  }

  /** `sm task`: what a session says it is doing (null clears it). A session sets only its own; the operator any. */
  setTask(ref: string, task: string | null, actor: Actor = OPERATOR): Session {
    const session = this.resolve(ref)
    if (actor.kind === 'session' && actor.id !== session.id) {
      throw new SessionsError('forbidden', `session ${actor.id} may not set the task of ${session.name ?? session.id}: a session sets only its own`)
    }
    const currentTask = task === null ? null : normalizeTask(task)
    if (task !== null && currentTask === null) throw new SessionsError('invalid_input', 'the task is empty (clear it with null: sm task --clear)')
    const next = { ...session, currentTask }
    this.deps.sessions.update(next)
    this.changed(next, 'task')
    return next
  }

  async kill(ref: string, actor: Actor = OPERATOR): Promise<Session> {
    const target = this.resolve(ref)
    assertMayControl(actor, target, 'kill')
    const session = this.managedTerminal(target)
    await this.deps.mux.kill(session.tmuxSession)
    return this.apply(session.id, { kind: 'tmux_gone' })
  }

  /** Kills a session and its whole subtree, children first; returns the sessions stopped. */
  async killTree(ref: string, actor: Actor = OPERATOR): Promise<Session[]> {
    const root = this.resolve(ref)
    assertMayControl(actor, root, 'kill')
    const tree = [root, ...descendantsOf(root.id, this.deps.sessions.list({ includeStopped: true }))]
    const killed: Session[] = []
    for (const s of tree.reverse()) {
      if (!isLive(s) || s.kind !== 'managed' || s.tmuxSession === null) continue
      await this.deps.mux.kill(s.tmuxSession).catch(() => undefined)
      killed.push(this.apply(s.id, { kind: 'tmux_gone' }))
    }
    return killed
  }

  /**
   * Types `text` and presses Enter, confirmed; concurrent sends to one session are serialized.
   * Raw input reaches the agent as if a person typed it (slash commands too): only the
   * session's parent or the operator may (spec 0008, Ownership).
   */
  async input(ref: string, text: string, actor: Actor = OPERATOR): Promise<{ session: Session; result: DeliveryResult }> {
    if (text.length === 0) throw new SessionsError('invalid_input', 'text is empty')
    const target = this.resolve(ref)
    assertMayDrive(actor, target, 'type into')
    const session = this.live(this.managedTerminal(target))
    const result = await this.typing.run(session.id, async () => {
      // a session just created may not have drawn its input box yet
      const current = this.deps.sessions.get(session.id) ?? session
      const fresh = current.state === 'starting' || this.deps.clock.now() - current.createdAt < this.deps.config.startWaitMs
      if (fresh) await this.untilReady(session)
      try {
        const delivered = await deliverText(
          { mux: this.deps.mux, clock: this.deps.clock, waiters: this.waiters },
          { sessionId: session.id, terminal: session.tmuxSession },
          text,
          this.deps.config.delivery,
        )
        this.held.delete(session.id)
        return delivered
      } catch (error) {
        if (error instanceof InputHeldError && !this.held.has(session.id)) this.held.set(session.id, this.deps.clock.now())
        throw error
      }
    })
    return { session: this.deps.sessions.get(session.id) ?? session, result }
  }

  /** Sessions where typing was refused because their input box held someone else's text, and since when. */
  heldInputs(): { sessionId: string; since: number }[] {
    return [...this.held].map(([sessionId, since]) => ({ sessionId, since }))
  }

  /**
   * Looks again at sessions whose input box held someone else's text: returns those whose box
   * is empty now (no longer held: what waits for them may be typed), and forgets stopped ones.
   */
  async recheckHeld(): Promise<string[]> {
    const freed: string[] = []
    for (const id of [...this.held.keys()]) {
      const session = this.deps.sessions.get(id)
      if (!session || !isLive(session) || session.tmuxSession === null) {
        this.held.delete(id)
        continue
      }
      const screen = readPane(await this.deps.mux.capture(session.tmuxSession).catch(() => ''))
      if (screen.input === '') {
        this.held.delete(id)
        freed.push(id)
      }
    }
    return freed
  }

  /**
   * Managed live sessions whose agent should be running now: the agent-exit watch follows
   * their processes (sessions whose terminal create() is still starting are left out).
   */
  watchedAgents(): { sessionId: string; terminal: string }[] {
    return this.deps.sessions
      .list()
      .filter((s) => s.kind === 'managed' && s.tmuxSession !== null && !this.starting.has(s.id))
      .map((s) => ({ sessionId: s.id, terminal: s.tmuxSession! }))
  }

  /**
   * The agent process of a managed session has exited (seen by the server's agent-exit watch):
   * the session stops at once when its terminal is gone with it (the usual case: tmux closes a
   * session whose only program ended). A terminal still there is left to the watchdog.
   */
  async agentExited(id: string): Promise<Session | null> {
    const session = this.deps.sessions.get(id)
    if (!session || !isLive(session) || session.kind !== 'managed' || session.tmuxSession === null || this.starting.has(id)) return null
    if (await this.deps.mux.exists(session.tmuxSession)) return null
    this.held.delete(id)
    return this.apply(id, { kind: 'tmux_gone' })
  }

  /**
   * A session just created: waits (bounded) for its input line on screen. SessionStart alone is
   * not enough: Claude Code fires it before it draws the input box.
   */
  private async untilReady(session: Session & { tmuxSession: string }): Promise<void> {
    const { clock, mux, config } = this.deps
    const deadline = clock.now() + config.startWaitMs
    while (clock.now() < deadline) {
      const current = this.deps.sessions.get(session.id)
      if (!current || current.state === 'stopped') return
      const screen = readPane(await mux.capture(session.tmuxSession).catch(() => ''))
      // ready, or showing a dialog (refused at once by the delivery, not waited on)
      if (screen.input !== null || screen.dialog) return
      await clock.sleep(200)
    }
  }

  /**
   * Sends one key. No hook fires after Escape, nor after "No" in a dialog: after Escape, or a
   * key answering a dialog, the screen is watched briefly for the idle input line.
   */
  async sendKey(ref: string, key: SendableKey, actor: Actor = OPERATOR): Promise<Session> {
    const target = this.resolve(ref)
    // every key reaches the agent (a digit or y/n answers its permission dialog): Escape is an
    // interrupt, any other key is input; both only for the parent or the operator
    if (key === 'Escape') assertMayControl(actor, target, 'interrupt')
    else assertMayDrive(actor, target, 'press keys in')
    const session = this.live(this.managedTerminal(target))
    await this.typing.run(session.id, () => this.deps.mux.sendKey(session.tmuxSession, key))
    const answering = session.state === 'waiting_permission' || session.state === 'waiting_answer'
    if (key !== 'Escape' && !answering) return this.deps.sessions.get(session.id) ?? session
    if (key === 'Escape') this.apply(session.id, { kind: 'interrupted' })
    const { clock, mux, config } = this.deps
    // After "Yes" the screen shows the input line for a moment before the tool's hooks land:
    // an answer counts as "No" only when the idle line stays, with no hook, for a while.
    const quietMs = key === 'Escape' ? 0 : ANSWER_QUIET_MS
    const deadline = clock.now() + config.interruptSettleMs
    let idleSince: number | null = null
    while (clock.now() < deadline) {
      await clock.sleep(100)
      const current = this.deps.sessions.get(session.id)
      if (!current || current.state === 'idle' || current.state === 'stopped') return current ?? session
      // an answered dialog that a hook moved on (Yes: the tool runs) needs no screen reading
      if (key !== 'Escape' && (current.state !== session.state || current.lastEventAt !== session.lastEventAt)) return current
      if (!paneIsIdle(await mux.capture(session.tmuxSession))) idleSince = null
      else if ((idleSince ??= clock.now()) + quietMs <= clock.now()) return this.apply(session.id, { kind: 'pane_idle' })
    }
    return this.deps.sessions.get(session.id) ?? session
  }

  /** The session's screen plus history, last `lines` lines. */
  async output(ref: string, lines: number): Promise<{ session: Session; text: string }> {
    const session = this.live(this.managedTerminal(this.resolve(ref)))
    const screen = await this.deps.mux.capture(session.tmuxSession, lines)
    // trailing blank rows go; a trailing U+00A0 (the input line's mark) stays
    const all = screen.replace(/[\n ]+$/, '').split('\n')
    return { session, text: all.slice(-lines).join('\n') }
  }

  events(ref: string, options: ListEventsOptions = {}): { session: Session; events: StoredEvent[] } {
    const session = this.resolve(ref)
    return { session, events: this.deps.events.list(session.id, options) }
  }

  /** Records a hook event and moves the session's state. Creates external sessions on first sight. */
  ingestHook(input: HookInput): HookReply {
    return this.ingest(input).reply
  }

  /**
   * `ingestHook`, but a hook holder (Telegram's permission buttons) may hold the reply: then a
   * promise of the reply, settled when the holder decides. `signal` aborts when the hook's
   * request is gone (the holder then lets go).
   */
  ingestHookHeld(input: HookInput, signal: GoneSignal): HookReply | Promise<HookReply> {
    const { reply, session, event, replay } = this.ingest(input)
    if (replay || session === undefined || event === undefined) return reply
    for (const holder of this.holders) {
      const held = holder(session, event, reply, input.payload, signal)
      if (held !== null) return held.then((extra) => mergeReplies(reply, extra))
    }
    return reply
  }

  /** Adds a hook holder: asked after the reply is made, for hooks whose reply may wait. Returns its removal. */
  addHookHolder(holder: HookHolder): () => void {
    this.holders.push(holder)
    return () => {
      const i = this.holders.indexOf(holder)
      if (i >= 0) this.holders.splice(i, 1)
    }
  }

  private ingest(input: HookInput): { reply: HookReply; session?: Session; event?: HookEvent; replay: boolean } {
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
    for (const replier of this.repliers) {
      const answer = replier(session, event, at, replay, input.payload)
      if (answer === null) continue
      reply = mergeReplies(reply, answer.reply)
      continued ||= answer.continued
    }
    const current = this.apply(session.id, continued ? { ...event, continued: true } : event, at)
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

  /**
   * Brings the registry in line with tmux: sessions whose terminal is gone are stopped; working
   * or waiting sessions silent for `staleMs` whose screen shows the idle input line return to
   * idle (not `starting` ones: without SessionStart they stay starting).
   * Live `claude-*` terminals we have no record of are adopted.
   */
  async reconcile(options: { adopt?: boolean } = {}): Promise<{ stopped: string[]; idled: string[]; adopted: string[] }> {
    const { sessions, mux, clock, config } = this.deps
    // sessions first, terminals second: a session created in between is not judged by an older list
    const live = sessions.list()
    const terminals = new Set(await mux.list())
    const result = { stopped: [] as string[], idled: [] as string[], adopted: [] as string[] }
    for (const s of live) {
      // its terminal may not exist yet: create() is still starting it
      if (s.kind !== 'managed' || s.tmuxSession === null || this.starting.has(s.id)) continue
      if (!terminals.has(s.tmuxSession)) {
        this.apply(s.id, { kind: 'tmux_gone' })
        result.stopped.push(s.id)
        continue
      }
      const quietSince = s.lastEventAt ?? s.lastActivityAt
      // a dialog hides the input line, so a waiting session whose screen shows it was answered "No".
      // A session still `starting` never sent SessionStart (its hooks don't reach us): the screen
      // check must not hide that by calling it idle.
      const busy = s.state !== 'idle' && s.state !== 'error' && s.state !== 'starting'
      if (busy && clock.now() - quietSince >= config.staleMs) {
        try {
          if (paneIsIdle(await mux.capture(s.tmuxSession))) {
            this.apply(s.id, { kind: 'pane_idle' })
            result.idled.push(s.id)
          }
        } catch {
          // the terminal vanished between list and capture: the next pass stops it
        }
      }
    }
    if (options.adopt === true) {
      for (const terminal of terminals) {
        const id = /^claude-([0-9a-f]{8})$/.exec(terminal)?.[1]
        if (id === undefined || sessions.get(id)?.state === 'starting') continue
        const known = sessions.get(id)
        if (known && isLive(known)) continue
        result.adopted.push(await this.adopt(id, terminal, known))
      }
    }
    return result
  }

  private async adopt(id: string, terminal: string, known: Session | undefined): Promise<string> {
    const { sessions, mux, clock } = this.deps
    const now = clock.now()
    const idle = paneIsIdle(await mux.capture(terminal).catch(() => ''))
    if (known) {
      sessions.update({ ...known, state: idle ? 'idle' : 'working', stoppedAt: null, lastActivityAt: now })
      return id
    }
    const session = newSession({ id, kind: 'managed', state: idle ? 'idle' : 'working', workingDir: '', tmuxSession: terminal, createdAt: now })
    const env = (await mux.environment?.(terminal).catch(() => undefined)) ?? {}
    const token = env['CLAUDE_SESSION_MANAGER_TOKEN']
    sessions.insert(session, token ? this.deps.hashToken(token) : null)
    return id
  }

  private authorizedManaged(input: HookInput): Session {
    const id = input.managerId!
    if (!SESSION_ID_PATTERN.test(id)) throw new SessionsError('invalid_input', `invalid session id '${id}'`)
    const session = this.deps.sessions.get(id)
    if (!session) throw new SessionsError('session_not_found', `no session '${id}'`)
    // an external session has no token: X-SM-Session may only name a managed one
    if (session.kind !== 'managed') throw new SessionsError('forbidden', `session ${id} was not started by sm: its hooks carry no X-SM-Session`)
    if (input.trusted === true) return session
    if (input.token === null || !this.verifySessionToken(id, input.token)) {
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

  /** Runs an event through the reducer, stores the result, tells listeners. */
  private apply(id: string, event: SessionEvent, at = this.deps.clock.now()): Session {
    const current = this.deps.sessions.get(id)
    if (!current) throw new SessionsError('session_not_found', `no session '${id}'`)
    const reduction = reduce(current, event, at)
    const session = reduction.session
    if (session !== current) this.deps.sessions.update(session)
    let effects = reduction.effects
    if (effects.some((e) => e.type === 'prompt_submitted')) {
      effects = effects.map((e) => (e.type === 'prompt_submitted' ? { ...e, typedByManager: this.waiters.notify(id, e.prompt) } : e))
    }
    if (effects.length > 0) for (const listener of this.listeners) listener(session, effects, event)
    return session
  }

  private async label(session: Session): Promise<void> {
    if (session.tmuxSession === null) return
    const text = session.name === null ? session.id : `${session.name} ${session.id}`
    await this.deps.mux.setLabel(session.tmuxSession, text).catch(() => undefined)
  }

  private managedTerminal(session: Session): Session & { tmuxSession: string } {
    if (session.kind !== 'managed' || session.tmuxSession === null) {
      throw new SessionsError('not_typable', `session ${session.id} was not started by sm; it can't be driven`)
    }
    return session as Session & { tmuxSession: string }
  }

  private live<T extends Session>(session: T): T {
    if (!isLive(session)) throw new SessionsError('session_stopped', `session ${session.id} has stopped`)
    return session
  }
}

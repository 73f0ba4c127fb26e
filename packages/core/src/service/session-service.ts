import type { ToolAuditor } from '../audit/auditor.js'
import { normalizeTask } from '../awareness/peers.js'
import { SessionsError } from '../errors.js'
import type { StoredEvent } from '../events/stored-event.js'
import type { Clock } from '../ports/clock.js'
import type { IdGenerator } from '../ports/id-generator.js'
import type { Multiplexer, SendableKey } from '../ports/multiplexer.js'
import type { EventStore, ListEventsOptions, SessionStore } from '../ports/session-store.js'
import { resolveSessionRef, validateName } from '../session/names.js'
import { reduce, type Effect, type SessionEvent } from '../session/reducer.js'
import { isLive, type Session } from '../session/session.js'
import { assertMayControl, descendantsOf, mayControl, OPERATOR, type Actor, type SpawnLimits } from '../session/tree.js'
import { createSession, type CreateSessionRequest } from './create-session.js'
import type { DeliveryResult, DeliveryTiming } from './deliver.js'
import { Emitter } from './emitter.js'
import { HookPipeline, type GoneSignal, type HookHolder, type HookInput, type HookReplier, type HookReply } from './hook-pipeline.js'
import { reconcile } from './reconcile.js'
import { TerminalInput } from './terminal-input.js'

export { agentArgv, ARGV_PROMPT_MAX_CHARS } from './create-session.js'
export type { CreateSessionRequest } from './create-session.js'
export type { GoneSignal, HookHolder, HookInput, HookReplier, HookReply } from './hook-pipeline.js'

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
  /** Where managed sessions export their OpenTelemetry logs (the usage ledger); null or absent: nowhere. */
  telemetry?: { endpoint: string } | null
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

/** What changed in a session outside its hook events. */
export type SessionChange = 'created' | 'renamed' | 'task'
export type ChangeListener = (session: Session, change: SessionChange) => void

export type EffectListener = (session: Session, effects: readonly Effect[], event: SessionEvent) => void

/**
 * Sessions: create (create-session.ts), name, type into and interrupt (terminal-input.ts), kill;
 * hook ingestion into the reducer (hook-pipeline.ts); the watchdog (reconcile.ts). All I/O goes
 * through ports.
 */
export class SessionService {
  /** Who hears of a session's effects (from hooks, kills, keys and the watchdog) and of its other changes. */
  private readonly effectListeners = new Emitter<Parameters<EffectListener>>()
  private readonly changeListeners = new Emitter<Parameters<ChangeListener>>()
  private readonly updateListeners = new Emitter<[Session]>()
  /** Hook ingestion; its repliers and holders, and the order everything runs in on a hook. */
  private readonly hooks: HookPipeline
  /** Sessions whose terminal create() is starting right now: the watchdog leaves them alone. */
  private readonly starting = new Set<string>()
  /** Typing and keys into the sessions' terminals. */
  private readonly terminal: TerminalInput

  constructor(private readonly deps: SessionServiceDeps) {
    this.hooks = new HookPipeline({
      ...deps,
      verifySessionToken: (id, token) => this.verifySessionToken(id, token),
      apply: (id, event, at) => this.apply(id, event, at),
    })
    this.terminal = new TerminalInput({ ...deps, apply: (id, event) => this.apply(id, event) })
  }

  onEffects(listener: EffectListener): () => void {
    return this.effectListeners.on(listener)
  }

  /** Called when a session is created (its terminal started), renamed, or its task set; returns the removal. */
  onChanged(listener: ChangeListener): () => void {
    return this.changeListeners.on(listener)
  }

  /** Called with the new record whenever a session's record changes, for any reason (the web page's push). */
  onUpdated(listener: (session: Session) => void): () => void {
    return this.updateListeners.on(listener)
  }

  private changed(session: Session, change: SessionChange): void {
    this.changeListeners.emit(session, change)
    this.updateListeners.emit(session)
  }

  /** Adds a hook replier (the message service): asked for every hook event before the reducer. Returns its removal. */
  addHookReplier(replier: HookReplier): () => void {
    return this.hooks.repliers.on(replier)
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
    return createSession(
      {
        ...this.deps,
        starting: this.starting,
        apply: (id, event) => this.apply(id, event),
        label: (session) => this.label(session),
        created: (session) => this.changed(session, 'created'),
        input: (id, text) => this.input(id, text),
      },
      request,
    )
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
    const result = await this.terminal.type(session, text)
    return { session: this.deps.sessions.get(session.id) ?? session, result }
  }

  /**
   * A person takes (true) or gives back (false) control of a managed session's terminal from the
   * web dashboard: while they have it, nothing is typed there (messages wait, queued). The
   * operator only: an agent never takes control of a terminal.
   */
  setHumanControl(ref: string, controlled: boolean, actor: Actor = OPERATOR): Session {
    if (actor.kind !== 'operator') throw new SessionsError('forbidden', 'only a person (the operator) may take control of a terminal, not a session')
    const session = this.resolve(ref)
    this.terminal.setControlled(session.id, controlled)
    return session
  }

  /** True while a person has control of the session's terminal. */
  underHumanControl(id: string): boolean {
    return this.terminal.isControlled(id)
  }

  /** Sessions where typing was refused because their input box held someone else's text, and since when. */
  heldInputs(): { sessionId: string; since: number }[] {
    return this.terminal.heldInputs()
  }

  /**
   * Looks again at sessions whose input box held someone else's text: returns those whose box
   * is empty now (no longer held: what waits for them may be typed), and forgets stopped ones.
   */
  async recheckHeld(): Promise<string[]> {
    return this.terminal.recheckHeld()
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
    this.terminal.forget(id)
    return this.apply(id, { kind: 'tmux_gone' })
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
    return this.terminal.sendKey(this.live(this.managedTerminal(target)), key)
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
    return this.hooks.ingest(input).reply
  }

  /**
   * `ingestHook`, but a hook holder (Telegram's permission buttons) may hold the reply: then a
   * promise of the reply, settled when the holder decides. `signal` aborts when the hook's
   * request is gone (the holder then lets go).
   */
  ingestHookHeld(input: HookInput, signal: GoneSignal): HookReply | Promise<HookReply> {
    return this.hooks.ingestHeld(input, signal)
  }

  /** Adds a hook holder: asked after the reply is made, for hooks whose reply may wait. Returns its removal. */
  addHookHolder(holder: HookHolder): () => void {
    return this.hooks.holders.on(holder)
  }

  /**
   * The watchdog (reconcile.ts): sessions whose terminal is gone stop, quiet ones whose screen
   * is idle return to idle; with `adopt`, live `claude-*` terminals we have no record of are adopted.
   */
  async reconcile(options: { adopt?: boolean } = {}): Promise<{ stopped: string[]; idled: string[]; adopted: string[] }> {
    const { sessions, mux, clock, config, hashToken } = this.deps
    const apply = (id: string, event: SessionEvent) => this.apply(id, event)
    const result = await reconcile({ sessions, mux, clock, staleMs: config.staleMs, hashToken, starting: this.starting, apply }, options)
    for (const id of result.adopted) {
      const adopted = sessions.get(id)
      if (adopted) this.updateListeners.emit(adopted)
    }
    return result
  }

  /** Runs an event through the reducer, stores the result, tells listeners. */
  private apply(id: string, event: SessionEvent, at = this.deps.clock.now()): Session {
    const current = this.deps.sessions.get(id)
    if (!current) throw new SessionsError('session_not_found', `no session '${id}'`)
    const reduction = reduce(current, event, at)
    const session = reduction.session
    if (session !== current) {
      this.deps.sessions.update(session)
      this.updateListeners.emit(session)
    }
    let effects = reduction.effects
    if (effects.some((e) => e.type === 'prompt_submitted')) {
      effects = effects.map((e) => (e.type === 'prompt_submitted' ? { ...e, typedByManager: this.terminal.promptSubmitted(id, e.prompt) } : e))
    }
    if (effects.length > 0) this.effectListeners.emit(session, effects, event)
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

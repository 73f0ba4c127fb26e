import { SessionsError } from '../errors.js'
import type { HookEvent } from '../events/hook-event.js'
import { MESSAGE_MAX_CHARS, type DeliveryMode, type DeliveryVia, type Message } from '../messages/message.js'
import { carriesMessages, forStop, forToolHook, forTyping, stopReply, toolContextReply } from '../messages/plan.js'
import type { Clock } from '../ports/clock.js'
import type { ListMessagesFilter, MessageStore, Watch, WatchStore } from '../ports/message-store.js'
import type { Effect } from '../session/reducer.js'
import { isLive, type Session } from '../session/session.js'
import { assertMayControl, mayControl, OPERATOR, type Actor } from '../session/tree.js'
import { ClearFence } from './clear-fence.js'
import { promptMatches } from './deliver.js'
import type { HookReply } from './hook-pipeline.js'
import { KeyedMutex } from './keyed-mutex.js'
import type { SessionService } from './session-service.js'
import { storedPrompt, typedText, typedVia } from './typed-batch.js'
import { Watches } from './watches.js'

export interface MessageServiceConfig {
  /** Stops in a row a turn may be continued with messages; after that they wait to be typed. */
  maxStopBlocks: number
  /** After our `/clear`: how long its Stop/SessionEnd/SessionStart are fenced off at most. */
  fenceMs: number
  /** `sm wait`: how long a finished session must stay quiet to count as done. */
  waitSettleMs: number
  /** `sm spawn --wait`: when "still busy" is sent if the child never finishes. */
  spawnWaitTimeoutMs: number
}

export interface MessageServiceDeps {
  sessions: SessionService
  messages: MessageStore
  watches: WatchStore
  clock: Clock
  /** Runs `work` after `ms` (the server: an unref'd timer). Default: clock.sleep. */
  timer?: (ms: number, work: () => void) => void
  /** Failures of background work (typing when a session goes idle, watch timers). */
  onError?: (error: unknown) => void
  config: MessageServiceConfig
}

export interface SendRequest {
  from: Actor
  to: string
  text: string
  mode?: DeliveryMode
}

export interface SendResult {
  message: Message
  /** `delivered` once typed or handed to a hook; else `queued` (delivered at the recipient's next chance). */
  status: 'delivered' | 'queued'
}

/** After a restart: how many of a session's newest hook events are searched for a typed message's prompt. */
const PROMPTS_SEARCHED = 1000

/**
 * Messages between sessions, with delivery modes, and watches (`sm wait`, `sm spawn --wait`:
 * watches.ts). Every message is stored before anything is tried and is delivered at most once:
 * by a hook reply (Stop block, tool hook context) or by typing when the recipient is idle (not
 * inside a `/clear`: clear-fence.ts).
 */
export class MessageService {
  /** Our blocks in the current chain of continued Stops, per session (a Stop with stop_hook_active false starts a chain). */
  private readonly blocks = new Map<string, number>()
  /** Sessions inside a `/clear` we typed. */
  private readonly fence: ClearFence
  /** Messages being typed right now: no hook may carry them meanwhile. */
  private readonly inFlight = new Set<number>()
  /** `sm wait` and `sm spawn --wait`. */
  private readonly watches: Watches
  private readonly typing = new KeyedMutex()
  /** Recipients that may have queued messages: hooks of any other session skip the store. */
  private readonly waiting = new Set<string>()
  private readonly deliveredListeners = new Set<(message: Message) => void>()

  private readonly unsubscribe: (() => void)[]

  constructor(private readonly deps: MessageServiceDeps) {
    const later = (ms: number, work: () => void) => this.later(ms, work)
    this.fence = new ClearFence({ clock: deps.clock, config: deps.config, later })
    const fenced = (id: string) => this.fence.fenced(id)
    this.watches = new Watches({ ...deps, later, notify: (id, text) => this.notify(id, text), fenced })
    this.unsubscribe = [
      deps.sessions.addHookReplier((session, event, at, replay) => this.onHook(session, event, at, replay)),
      deps.sessions.onEffects((session, effects) => this.onEffects(session, effects)),
    ]
  }

  /** Stops answering hooks and following sessions (server shutdown). */
  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off()
  }

  /** Called with each message as it is delivered (a hook reply carried it, or it was typed). Returns the removal. */
  onDelivered(listener: (message: Message) => void): () => void {
    this.deliveredListeners.add(listener)
    return () => this.deliveredListeners.delete(listener)
  }

  list(filter: ListMessagesFilter = {}): Message[] {
    return this.deps.messages.list(filter)
  }

  /** Stores the message, then delivers it as its mode says. */
  async send(request: SendRequest): Promise<SendResult> {
    const mode = request.mode ?? 'sequential'
    const text = request.text
    if (text.trim() === '') throw new SessionsError('invalid_input', 'message is empty')
    if (text.length > MESSAGE_MAX_CHARS) throw new SessionsError('payload_too_large', `message is ${text.length} characters; the limit is ${MESSAGE_MAX_CHARS}`)
    const recipient = this.deps.sessions.resolve(request.to)
    if (request.from.kind === 'session' && request.from.id === recipient.id) throw new SessionsError('invalid_input', "can't send a message to yourself")
    if (recipient.kind !== 'managed' || recipient.tmuxSession === null) {
      throw new SessionsError('not_typable', `session ${recipient.id} was not started by sm; it can't receive messages`)
    }
    if (!isLive(recipient)) throw new SessionsError('session_stopped', `session ${recipient.name ?? recipient.id} has stopped`)
    if (mode === 'urgent' && !mayControl(request.from, recipient, 'interrupt')) {
      // urgent presses Escape in the recipient: an interrupt, which is its parent's or the operator's
      throw new SessionsError(
        'forbidden',
        `an urgent message interrupts ${recipient.name ?? recipient.id}: only its parent${recipient.parentId ? ` (${recipient.parentId})` : ''} or the operator may send one (send it as important)`,
      )
    }
    const sender = request.from.kind === 'session' ? this.deps.sessions.resolve(request.from.id) : null
    this.waiting.add(recipient.id)
    const message = this.deps.messages.insert({
      recipientId: recipient.id,
      senderId: sender?.id ?? null,
      senderName: sender ? (sender.name ?? sender.id) : null,
      text,
      mode,
      createdAt: this.deps.clock.now(),
    })
    try {
      if (mode === 'urgent') await this.deliverUrgent(recipient.id, message)
      else await this.flush(recipient.id)
    } catch (error) {
      // stored and still queued: it goes with the recipient's next Stop or idle moment; the
      // sender must not be told it failed (a retry would deliver it twice)
      this.deps.onError?.(error)
    }
    const after = this.deps.messages.get(message.id) ?? message
    return { message: after, status: after.status === 'delivered' ? 'delivered' : 'queued' }
  }

  /** A message from the server itself (watch outcomes, failures), delivered as important. */
  private notify(recipientId: string, text: string): void {
    const recipient = this.deps.sessions.list({ includeStopped: true }).find((s) => s.id === recipientId)
    if (!recipient || !isLive(recipient) || recipient.kind !== 'managed') return
    this.waiting.add(recipientId)
    this.deps.messages.insert({ recipientId, senderId: null, senderName: null, text, mode: 'important', createdAt: this.deps.clock.now() })
    this.background(this.flush(recipientId))
  }

  /**
   * `sm wait` / `sm spawn --wait`: one message to `watcherId` when the target finishes its work
   * (a finished turn, then `quietMs` with no new turn), exits, or `timeoutMs` passes.
   */
  watch(watcherId: string, targetRef: string, quietMs: number, timeoutMs: number): Watch {
    return this.watches.add(watcherId, targetRef, quietMs, timeoutMs)
  }

  /**
   * `sm clear`: interrupts a working session, types `/clear`, waits for its SessionStart
   * (source clear), then types the prompt if any. Its Stop/SessionEnd/SessionStart never count
   * as a finished turn for watches or queues.
   */
  async clear(ref: string, prompt: string | undefined, actor: Actor = OPERATOR): Promise<Session> {
    const { sessions } = this.deps
    const target = sessions.resolve(ref)
    assertMayControl(actor, target, 'clear')
    if (!isLive(target)) throw new SessionsError('session_stopped', `session ${target.name ?? target.id} has stopped`)
    if (target.state !== 'idle' && target.state !== 'starting') await sessions.sendKey(target.id, 'Escape', actor)
    // never rejects: whether or not anyone still waits for it when the fence runs out
    const cleared = this.fence.untilCleared(target.id)
    try {
      await this.typing.run(target.id, () => sessions.input(target.id, '/clear', actor))
    } catch (error) {
      cleared.cancel()
      throw error
    }
    if (!(await cleared.done)) {
      throw new SessionsError('delivery_failed', `no SessionStart (clear) within ${Math.round(this.deps.config.fenceMs / 1000)} s after /clear`)
    }
    if (prompt !== undefined && prompt.trim() !== '') await this.typing.run(target.id, () => sessions.input(target.id, prompt, actor))
    return sessions.resolve(target.id)
  }

  /**
   * After a restart: watches armed again; a message whose typing had begun is delivered if the
   * session's recorded prompts (UserPromptSubmit, spooled ones included) carry its text, so it
   * is never typed twice; then idle sessions with queued messages are served.
   */
  resume(): void {
    this.watches.resume()
    for (const id of this.deps.messages.recipientsWithQueued()) {
      this.waiting.add(id)
      try {
        this.settleTypedFromLog(id)
      } catch (error) {
        this.deps.onError?.(error)
      }
      this.background(this.flush(id))
    }
  }

  /** Tries again to type what waits for `id` (its input box held someone else's text, and is empty now). */
  retryQueued(id: string): void {
    this.waiting.add(id)
    this.background(this.flush(id))
  }

  /** Queued messages of `id` whose typing began and is not going on in this process, grouped by batch. */
  private typedBatches(id: string): Message[][] {
    const batches = new Map<number, Message[]>()
    for (const m of this.deps.messages.queued(id)) {
      if (m.typingSince === null || this.inFlight.has(m.id)) continue
      const batch = batches.get(m.typingSince)
      if (batch) batch.push(m)
      else batches.set(m.typingSince, [m])
    }
    return [...batches.values()]
  }

  /** Typed batches that a recorded prompt of `id`, at or after their typing began, carries: delivered. */
  private settleTypedFromLog(id: string): void {
    const batches = this.typedBatches(id)
    if (batches.length === 0) return
    const recipient = this.deps.sessions.resolve(id)
    const prompts = this.deps.sessions
      .events(id, { limit: PROMPTS_SEARCHED })
      .events.filter((e) => e.event === 'UserPromptSubmit')
      .map((e) => ({ at: e.at, prompt: storedPrompt(e) }))
    for (const batch of batches) {
      const since = batch[0]!.typingSince!
      const text = typedText(batch, recipient)
      const seen = prompts.find((p) => p.at >= since && p.prompt !== null && promptMatches(text, p.prompt))
      if (seen) this.deliveredNow(batch, typedVia(batch), seen.at)
    }
  }

  /** A prompt of `id` arrived (live or spooled): typed batches it carries are delivered. */
  private settleTypedByPrompt(recipient: Session, prompt: string, at: number): void {
    for (const batch of this.typedBatches(recipient.id)) {
      if (at >= batch[0]!.typingSince! && promptMatches(typedText(batch, recipient), prompt)) this.deliveredNow(batch, typedVia(batch), at)
    }
  }

  /** Queued messages no hook or typist holds right now, oldest first. */
  private available(id: string): Message[] {
    if (!this.waiting.has(id)) return []
    const queued = this.deps.messages.queued(id)
    if (queued.length === 0) this.waiting.delete(id)
    return queued.filter((m) => !this.inFlight.has(m.id))
  }

  private deliveredNow(messages: readonly Message[], via: DeliveryVia, at: number): Message[] {
    const delivered = messages.filter((m) => this.deps.messages.markDelivered(m.id, via, at))
    if (this.deliveredListeners.size > 0) {
      for (const m of delivered) {
        const done: Message = { ...m, status: 'delivered', via, deliveredAt: at }
        for (const listener of this.deliveredListeners) {
          try {
            listener(done)
          } catch (error) {
            this.deps.onError?.(error)
          }
        }
      }
    }
    return delivered
  }

  private onHook(session: Session, event: HookEvent, at: number, replay: boolean): { reply: HookReply; continued: boolean } | null {
    if (event.event === 'UserPromptSubmit' && event.prompt !== null && session.kind === 'managed' && this.waiting.has(session.id)) {
      // a message typed before a restart (or whose confirmation timed out) arrived after all
      this.settleTypedByPrompt(session, event.prompt, at)
    }
    if (replay || session.kind !== 'managed') return null
    if (event.event === 'SessionStart' && event.source === 'clear') return null
    if (this.fence.fenced(session.id)) return null
    const carrier = carriesMessages(event)
    if (carrier === 'stop') {
      // Claude says whether this Stop ends a turn some hook already continued
      const inARow = event.stopHookActive ? (this.blocks.get(session.id) ?? 0) : 0
      const messages = this.deliveredNow(forStop(this.available(session.id), inARow, this.deps.config.maxStopBlocks), 'stop_hook', at)
      if (messages.length === 0) {
        this.blocks.delete(session.id)
        return null
      }
      this.blocks.set(session.id, inARow + 1)
      return { reply: stopReply(messages), continued: true }
    }
    if (carrier === 'tool') {
      const messages = this.deliveredNow(forToolHook(this.available(session.id)), 'tool_hook', at)
      return messages.length === 0 ? null : { reply: toolContextReply(event.event, messages), continued: false }
    }
    return null
  }

  private onEffects(session: Session, effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'claude_session_changed' && this.fence.lift(session.id)) {
        // the SessionStart of our /clear: the fence lifts, what waited may go
        this.background(this.flush(session.id))
      } else if (effect.type === 'stopped') {
        this.onStopped(session)
      } else if (effect.type === 'turn_ended' && effect.finished && !effect.failed && !this.fence.fenced(session.id)) {
        this.watches.turnEnded(session.id)
      } else if (effect.type === 'state_changed' && effect.to === 'idle' && !this.fence.fenced(session.id)) {
        this.background(this.flush(session.id))
      }
    }
  }

  private onStopped(session: Session): void {
    const { messages, clock } = this.deps
    this.blocks.delete(session.id)
    this.fence.drop(session.id)
    for (const m of messages.queued(session.id)) {
      if (!messages.markFailed(m.id, 'session stopped', clock.now())) continue
      if (m.senderId !== null && m.senderId !== session.id) {
        this.notify(m.senderId, `[sm] message to ${session.name ?? session.id} (${session.id}) failed: the session stopped before it was delivered`)
      }
    }
    this.watches.stopped(session.id)
  }

  /** Types what is queued while the session is idle: a slash command alone, else the oldest run. */
  private flush(id: string): Promise<void> {
    return this.typing.run(id, async () => {
      const { sessions, messages, clock } = this.deps
      for (;;) {
        const session = sessions.list({ includeStopped: true }).find((s) => s.id === id)
        if (!session || !(session.state === 'idle' || session.state === 'starting') || this.fence.fenced(id)) return
        const batch = forTyping(this.available(id))
        if (batch.length === 0) return
        const text = typedText(batch, session)
        for (const m of batch) this.inFlight.add(m.id)
        try {
          if (/^\/clear\b/.test(text)) this.fence.set(id)
          // noted before a key is pressed: a restart while typing must not type it again blindly
          const since = clock.now()
          for (const m of batch) messages.markTyping(m.id, since)
          // the time it was confirmed: the Stop of its turn may be handled before input() returns
          const { result } = await sessions.input(id, text)
          this.deliveredNow(batch, 'typed', result.confirmedAt)
        } finally {
          for (const m of batch) this.inFlight.delete(m.id)
        }
      }
    })
  }

  private async deliverUrgent(id: string, message: Message): Promise<void> {
    const { sessions, clock } = this.deps
    await this.typing.run(id, async () => {
      const session = sessions.resolve(id)
      this.inFlight.add(message.id)
      try {
        if (session.state !== 'idle' && session.state !== 'starting') await sessions.sendKey(id, 'Escape')
        const text = typedText([message], session)
        if (/^\/clear\b/.test(text)) this.fence.set(id)
        this.deps.messages.markTyping(message.id, clock.now())
        const { result } = await sessions.input(id, text)
        this.deliveredNow([message], 'interrupt', result.confirmedAt)
      } finally {
        this.inFlight.delete(message.id)
      }
    })
  }

  private later(ms: number, work: () => void): void {
    const run = () => {
      try {
        work()
      } catch (error) {
        this.deps.onError?.(error)
      }
    }
    if (this.deps.timer) this.deps.timer(ms, run)
    else this.deps.clock.sleep(ms).then(run, (error: unknown) => this.deps.onError?.(error))
  }

  private background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.deps.onError?.(error))
  }
}

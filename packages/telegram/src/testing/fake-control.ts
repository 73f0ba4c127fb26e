import { isLive, MESSAGE_MAX_CHARS, newSession, resolveSessionRef, SessionsError, tmuxSessionName, validateName, type DeliveryMode, type Session, type ToolEvent } from '@claude-sessions/core'
import type { BotReply, Project, SessionControl } from '../control.js'
import { CHUNK_LIMIT } from '../features/format.js'
import { checkHtml } from './fake-html.js'
import { aToolEvent as aNewToolEvent } from '@claude-sessions/core/testing'

/** For tests: the time sessions are made at by default. */
export const T0 = 1_700_000_000_000

export interface ControlCall {
  method: keyof SessionControl
  args: unknown[]
}

type SessionFields = Partial<Session> & Pick<Session, 'id'>

/** A stored tool event: core's test event with the fields a bare one lacks emptied, then the ones given. */
export function aToolEvent(fields: Partial<ToolEvent> = {}): ToolEvent {
  const empty = { sessionId: 'aaaa1111', sessionName: null, claudeSessionId: 'claude-1', toolUseId: null, cwd: null, project: null, toolInput: null, command: null }
  const { dedupeKey: _, ...event } = aNewToolEvent({ at: T0, ...empty })
  return { id: 1, ...event, ...fields }
}

/**
 * An in-memory `SessionControl` for the router's tests: canned sessions, projects, outputs,
 * summaries and tool events; it records every call and fails a method on demand. It refuses
 * what the server's control refuses, with the same codes (see `sessionControlContract`).
 */
export class FakeControl implements SessionControl {
  readonly sessions: Session[] = []
  projectList: Project[] = []
  readonly calls: ControlCall[] = []
  readonly outputs = new Map<string, string>()
  readonly summaries = new Map<string, string>()
  readonly toolEvents = new Map<string, ToolEvent[]>()
  sendStatus: 'delivered' | 'queued' = 'delivered'
  /** Which paths are directories `create` may start a session in (the fake does no I/O). */
  isDirectory: (path: string) => boolean = (path) => path.startsWith('/')
  /** Throws `invalid_name` for a name sessions can't have, as the server does. */
  checkName: (name: string) => void = (name) => void validateName(name)
  private readonly failures = new Map<keyof SessionControl, unknown>()
  private nextId = 1
  private nextMessageId = 100

  /** Adds a live (idle, managed) session unless `fields` say otherwise. */
  add(fields: SessionFields): Session {
    const base = newSession({ id: fields.id, kind: 'managed', state: 'idle', workingDir: `/home/tester/${fields.id}`, tmuxSession: tmuxSessionName(fields.id), createdAt: T0 })
    const session: Session = { ...base, ...fields }
    this.sessions.push(session)
    return session
  }

  /** Every later call of `method` throws `error`. */
  fail(method: keyof SessionControl, error: unknown): void {
    this.failures.set(method, error)
  }

  /** The argument lists of the calls of `method`. */
  callsOf(method: keyof SessionControl): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args)
  }

  /** Calls that change something (not list, resolve, projects, children, tools). */
  actions(): ControlCall[] {
    const reads = new Set<keyof SessionControl>(['list', 'resolve', 'projects', 'children', 'tools', 'output', 'summary'])
    return this.calls.filter((c) => !reads.has(c.method))
  }

  private record(method: keyof SessionControl, ...args: unknown[]): void {
    this.calls.push({ method, args })
    if (this.failures.has(method)) throw this.failures.get(method)
  }

  private get(id: string): Session {
    const s = this.sessions.find((x) => x.id === id)
    if (s === undefined) throw new SessionsError('session_not_found', `no session ${id}`)
    return s
  }

  private live(id: string): Session {
    const s = this.get(id)
    if (!isLive(s)) throw new SessionsError('session_stopped', `session ${id} has stopped`)
    return s
  }

  /** Only sessions sm started have a terminal to kill, type into or read. */
  private managed(s: Session): Session {
    if (s.kind !== 'managed' || s.tmuxSession === null) throw new SessionsError('not_typable', `session ${s.id} was not started by sm; it can't be driven`)
    return s
  }

  /** A live session other than `id` holds `name`. */
  private nameTaken(name: string, id: string | null): boolean {
    return this.sessions.some((x) => x.name === name && x.id !== id && isLive(x))
  }

  list(options: { includeStopped?: boolean } = {}): Session[] {
    this.record('list', options)
    return this.sessions.filter((s) => options.includeStopped === true || isLive(s))
  }

  resolve(ref: string): Session {
    this.record('resolve', ref)
    return resolveSessionRef(this.sessions, ref)
  }

  projects(): readonly Project[] {
    this.record('projects')
    return this.projectList
  }

  async create(request: { workingDir: string; name?: string; prompt?: string }): Promise<Session> {
    this.record('create', request)
    if (request.name !== undefined) this.checkName(request.name)
    if (!this.isDirectory(request.workingDir)) throw new SessionsError('invalid_input', `not a directory: ${request.workingDir}`)
    if (request.name !== undefined && this.nameTaken(request.name, null)) throw new SessionsError('name_taken', `name '${request.name}' is taken`)
    const id = `f${String(this.nextId++).padStart(7, '0')}`
    return this.add({ id, workingDir: request.workingDir, name: request.name ?? null, state: 'starting' })
  }

  async kill(id: string): Promise<Session> {
    this.record('kill', id)
    const s = this.managed(this.live(id))
    s.state = 'stopped'
    s.stoppedAt = T0
    return s
  }

  async interrupt(id: string): Promise<Session> {
    this.record('interrupt', id)
    this.managed(this.get(id))
    return this.live(id)
  }

  async clear(id: string, prompt?: string): Promise<Session> {
    this.record('clear', ...(prompt === undefined ? [id] : [id, prompt]))
    return this.managed(this.live(id))
  }

  async rename(id: string, name: string): Promise<Session> {
    this.record('rename', id, name)
    // a stopped session may be renamed too; only live sessions hold their names
    const s = this.get(id)
    this.checkName(name)
    if (isLive(s) && this.nameTaken(name, id)) throw new SessionsError('name_taken', `the name ${name} is taken`)
    s.name = name
    return s
  }

  async summary(id: string): Promise<string> {
    this.record('summary', id)
    this.managed(this.get(id))
    this.live(id)
    return this.summaries.get(id) ?? ''
  }

  async output(id: string, lines: number): Promise<string> {
    this.record('output', id, lines)
    this.managed(this.get(id))
    this.live(id)
    if (!Number.isInteger(lines) || lines < 0) throw new SessionsError('invalid_input', `scrollback must be a non-negative integer, got ${lines}`)
    // as the server's: rows' trailing spaces and trailing blank rows go, then the last `lines` rows
    const all = (this.outputs.get(id) ?? '').replace(/ +$/gm, '').replace(/[\n ]+$/, '').split('\n')
    return all.slice(-lines).join('\n')
  }

  tools(id: string, limit: number): ToolEvent[] {
    this.record('tools', id, limit)
    return (this.toolEvents.get(id) ?? []).slice(-limit)
  }

  children(id: string): Session[] {
    this.record('children', id)
    return this.sessions.filter((s) => s.parentId === id)
  }

  async send(id: string, text: string, mode: DeliveryMode): Promise<{ messageId: number; status: 'delivered' | 'queued' }> {
    this.record('send', id, text, mode)
    if (text.trim() === '') throw new SessionsError('invalid_input', 'message is empty')
    if (text.length > MESSAGE_MAX_CHARS) throw new SessionsError('payload_too_large', `message is ${text.length} characters; the limit is ${MESSAGE_MAX_CHARS}`)
    this.managed(this.get(id))
    this.live(id)
    return { messageId: this.nextMessageId++, status: this.sendStatus }
  }
}

/** A reply's text, its pieces joined by line breaks. */
export const replyText = (reply: BotReply | undefined): string => (reply?.messages ?? []).map((m) => m.text).join('\n')

/** What is wrong with a reply's pieces: HTML that Telegram would refuse or show other than the text, or a piece over the limit. */
export function replyProblems(reply: BotReply | undefined): string[] {
  const problems: string[] = []
  for (const [i, m] of (reply?.messages ?? []).entries()) {
    if (m.text.length > CHUNK_LIMIT) problems.push(`piece ${i} has ${m.text.length} characters`)
    const parsed = checkHtml(m.html)
    if ('error' in parsed) problems.push(`piece ${i}: ${parsed.error}`)
    else if (parsed.text !== m.text) problems.push(`piece ${i} shows ${JSON.stringify(parsed.text)}, not ${JSON.stringify(m.text)}`)
  }
  return problems
}

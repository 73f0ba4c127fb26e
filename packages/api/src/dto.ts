import type { DeliveryMode, DeliveryVia, Message, MessageStatus, ErrorCode, Session, SessionState, StoredEvent, ToolEvent, ToolStatsKey, ToolStatsRow } from '@claude-sessions/core'
import type { DeliveryResult } from '@claude-sessions/core/services'
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js'

/** `text` parsed, or `fallback` when it is not JSON or too deep to send back as JSON. */
function parsedOr(text: string, fallback: unknown): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return fallback
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/** A session on the wire. */
export interface SessionDto {
  id: string
  kind: 'managed' | 'external'
  name: string | null
  state: SessionState
  workingDir: string
  tmuxSession: string | null
  claudeSessionId: string | null
  model: string | null
  parentId: string | null
  createdAt: string
  lastActivityAt: string
  /** When it entered its current state. */
  stateSince: string
  stoppedAt: string | null
  lastTool: string | null
  backgroundTasks: number
  /** Policy profile; null: the default one. */
  policy: string | null
  /** The prompt it was spawned with (`sm spawn`), else null. */
  spawnPrompt: string | null
  /** When it was spawned (its creation, for a spawned session), else null. */
  spawnedAt: string | null
  currentTask: string | null
}

export interface EventDto {
  id: number
  event: string
  at: string
  claudeSessionId: string
  toolName: string | null
  toolUseId: string | null
  notificationType: string | null
  rawSize: number
  truncated: boolean
  /** The payload, or null when it was cut to the size cap. */
  payload: unknown
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

export interface HealthDto {
  ok: true
  /** `degraded` while the store can't write (a full disk): hooks are still answered, their events kept in memory. */
  status: 'ok' | 'degraded'
  degraded?: { reason: string; since: number; unwritten: number }
  version: string
  tmuxSocket: string
  pid: number
  uptimeMs: number
  sessions: number
}

export interface SessionsDto {
  sessions: SessionDto[]
}
export interface SessionEnvelope {
  session: SessionDto
}
export interface InputDto {
  session: SessionDto
  delivery: DeliveryResult
}
export interface OutputDto {
  session: SessionDto
  text: string
}
/** `GET /sessions/:ref/summary`: `summary` is 1–3 lines joined by `\n`; `lines` the screen lines read. */
export interface SummaryDto {
  session: SessionDto
  summary: string
  lines: number
}
export interface EventsDto {
  session: SessionDto
  events: EventDto[]
}
export interface LastMessageDto {
  session: SessionDto
  message: string | null
}

/** One tool audit event on the wire: `toolInput` parsed, `toolResponse` the stored (maybe cut) text. */
export interface ToolEventDto extends Omit<ToolEvent, 'at' | 'toolInput'> {
  at: string
  toolInput: unknown
}
export interface ToolsDto {
  tools: ToolEventDto[]
}
export interface SessionToolsDto {
  session: SessionDto
  tools: ToolEventDto[]
}
export interface ToolStatsDto {
  by: ToolStatsKey
  rows: ToolStatsRow[]
}

/** A child in `sm children`. */
export interface ChildDto extends SessionDto {
  status: 'running' | 'idle' | 'completed' | 'error' | 'stopped'
  ageMs: number
  /** 1 for a direct child. */
  depth: number
  /** Its last assistant message (the completion message once it is done). */
  lastMessage: string | null
}
export interface ChildrenDto {
  session: SessionDto
  children: ChildDto[]
}
export interface MessageDto {
  id: number
  recipientId: string
  senderId: string | null
  senderName: string | null
  text: string
  mode: DeliveryMode
  status: MessageStatus
  createdAt: string
  deliveredAt: string | null
  via: DeliveryVia | null
  error: string | null
  /** While queued: when sm began typing it (unconfirmed yet). */
  typingSince: string | null
}
export interface MessageEnvelope {
  message: MessageDto
  /** What the sender is told at once. */
  status: 'delivered' | 'queued'
}
export interface MessagesDto {
  messages: MessageDto[]
}
export interface WatchDto {
  watch: { id: number; target: string; deadline: string }
}
export interface KilledDto {
  sessions: SessionDto[]
}
/** Another live session (`sm others`, `sm who`): what it is doing and whether it works in the same repository. */
export interface PeerDto {
  id: string
  name: string | null
  kind: 'managed' | 'external'
  state: SessionState
  workingDir: string
  parentId: string | null
  /** Same working dir, git root, worktree family or normalized remote as the asking session. */
  sameRepo: boolean
  /** What it says it is doing (`sm task`). */
  task: string | null
  /** Its last assistant message, cut to 300 characters. */
  lastMessage: string | null
  createdAt: string
  lastActivityAt: string
}
/** `GET /sessions/:ref/others`: `session` is the asking one. */
export interface OthersDto {
  session: SessionDto
  others: PeerDto[]
}
/** One of Claude's own subagents (`sm subagents`). */
export interface SubagentDto {
  id: string
  type: string | null
  state: 'running' | 'done'
  /** Null when its SubagentStart is older than the events read. */
  startedAt: string | null
  endedAt: string | null
  /** Since it started. */
  ageMs: number | null
  /** From start to end, once done. */
  durationMs: number | null
  description: string | null
  lastMessage: string | null
}
export interface BackgroundTaskDto {
  id: string
  type: string | null
  status: string | null
  description: string | null
  agentType: string | null
}
/** `GET /sessions/:ref/subagents`. */
export interface SubagentsDto {
  session: SessionDto
  subagents: SubagentDto[]
  /** The newest Stop's `background_tasks`; null when no Stop was read or its payload was cut. */
  backgroundTasks: BackgroundTaskDto[] | null
  backgroundTasksAt: string | null
  /** How many hook events were read (the newest `limit`). */
  eventsRead: number
}

/** The web dashboard's terminal socket: server → page (JSON text frames; output travels as binary frames). */
export type TerminalServerMessage =
  | { type: 'hello'; cols: number; rows: number; control: boolean; controlledElsewhere: boolean }
  | { type: 'control'; control: boolean; controlledElsewhere: boolean }
  | { type: 'error'; message: string }

/** Page → server. */
export type TerminalClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'take'; cols: number; rows: number }
  | { type: 'release' }

/** A PermissionRequest held for a person (the approval queue): a tool call, or AskUserQuestion's questions. */
export interface DecisionDto {
  id: string
  sessionId: string
  sessionName: string | null
  kind: 'permission' | 'question'
  toolName: string
  toolInput: unknown
  /** Whether "Always allow" can be offered (Claude sent permission suggestions). */
  canAlwaysAllow: boolean
  questions: { question: string; header: string; multiSelect: boolean; options: { label: string; description: string }[] }[] | null
  openedAt: string
}

/** How a held request ended: `by` a channel, the terminal, the wait running out, or gone. */
export interface DecisionEndDto {
  id: string
  by: 'web' | 'telegram' | 'terminal' | 'timeout' | 'gone'
  verdict: 'allow' | 'always' | 'deny' | 'answer' | null
  who: string | null
  /** "Allowed by @alice (Telegram)", "Answered in the terminal." */
  text: string
}

/** `event: snapshot` of the web dashboard's `/api/web/events`: the whole wall. */
export interface WallSnapshotDto {
  /** Requests waiting for a person, oldest first. */
  decisions: DecisionDto[]
  sessions: SessionDto[]
  /** The server's clock (ms), so the page can show time in state without trusting its own. */
  now: number
}

const iso = (ms: number): string => new Date(ms).toISOString()

export function toSessionDto(s: Session): SessionDto {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    state: s.state,
    workingDir: s.workingDir,
    tmuxSession: s.tmuxSession,
    claudeSessionId: s.claudeSessionId,
    model: s.model,
    parentId: s.parentId,
    createdAt: iso(s.createdAt),
    lastActivityAt: iso(s.lastActivityAt),
    stateSince: iso(s.stateSince),
    stoppedAt: s.stoppedAt === null ? null : iso(s.stoppedAt),
    lastTool: s.lastTool,
    backgroundTasks: s.backgroundTasks,
    policy: s.policy,
    spawnPrompt: s.spawnPrompt,
    spawnedAt: s.spawnPrompt === null ? null : iso(s.createdAt),
    currentTask: s.currentTask,
  }
}

export function toEventDto(e: StoredEvent): EventDto {
  const truncated = e.raw.length < e.rawSize
  // stored before bodies were bounded: maybe too deep to send back as JSON
  const payload = truncated ? null : parsedOr(e.raw, null)
  return {
    id: e.id,
    event: e.event,
    at: iso(e.at),
    claudeSessionId: e.claudeSessionId,
    toolName: e.toolName,
    toolUseId: e.toolUseId,
    notificationType: e.notificationType,
    rawSize: e.rawSize,
    truncated,
    payload,
  }
}

export function toToolEventDto(e: ToolEvent): ToolEventDto {
  // stored as text when it was not JSON
  const toolInput = e.toolInput === null ? null : parsedOr(e.toolInput, e.toolInput)
  return { ...e, at: iso(e.at), toolInput }
}

export function toMessageDto(m: Message): MessageDto {
  return {
    ...m,
    createdAt: iso(m.createdAt),
    deliveredAt: m.deliveredAt === null ? null : iso(m.deliveredAt),
    typingSince: m.typingSince === null ? null : iso(m.typingSince),
  }
}

// Drift guards: every field of the model is on the wire or listed here as left out on purpose; a
// field added to the model without a decision is a compile error (as the SQLite row has).
type Unsent<Model, Dto, LeftOut extends keyof Model = never> = Exclude<keyof Model, keyof Dto | LeftOut>
/** Session fields not sent: the last message has its own route (`/last-message`), lastEventAt is internal. */
type SessionLeftOut = 'lastMessage' | 'lastEventAt'
const _sessionDtoCovers: [Unsent<Session, SessionDto, SessionLeftOut>] extends [never] ? true : Unsent<Session, SessionDto, SessionLeftOut> = true
/** An event's raw body goes as `payload` (parsed), or null when it was cut; events are listed per session (its id is in the path). */
type EventLeftOut = 'raw' | 'sessionId'
const _eventDtoCovers: [Unsent<StoredEvent, EventDto, EventLeftOut>] extends [never] ? true : Unsent<StoredEvent, EventDto, EventLeftOut> = true
const _toolEventDtoCovers: [Unsent<ToolEvent, ToolEventDto>] extends [never] ? true : Unsent<ToolEvent, ToolEventDto> = true
const _messageDtoCovers: [Unsent<Message, MessageDto>] extends [never] ? true : Unsent<Message, MessageDto> = true
void [_sessionDtoCovers, _eventDtoCovers, _toolEventDtoCovers, _messageDtoCovers]

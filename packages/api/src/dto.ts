import type { DeliveryResult, ErrorCode, Session, SessionState, StoredEvent, ToolEvent, ToolStatsKey, ToolStatsRow } from '@claude-sessions/core'

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
  stoppedAt: string | null
  lastTool: string | null
  backgroundTasks: number
  /** Policy profile; null: the default one. */
  policy: string | null
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
    stoppedAt: s.stoppedAt === null ? null : iso(s.stoppedAt),
    lastTool: s.lastTool,
    backgroundTasks: s.backgroundTasks,
    policy: s.policy,
  }
}

export function toEventDto(e: StoredEvent): EventDto {
  const truncated = e.raw.length < e.rawSize
  let payload: unknown = null
  if (!truncated) {
    try {
      payload = JSON.parse(e.raw)
    } catch {
      payload = null
    }
  }
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
  let toolInput: unknown = e.toolInput
  if (e.toolInput !== null) {
    try {
      toolInput = JSON.parse(e.toolInput)
    } catch {
      // stored as text when it was not JSON
    }
  }
  return { ...e, at: iso(e.at), toolInput }
}

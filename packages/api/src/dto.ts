import type { DeliveryResult, ErrorCode, Session, SessionState, StoredEvent } from '@claude-sessions/core'

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

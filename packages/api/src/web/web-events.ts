import { isLive, type Session } from '@claude-sessions/core'
import { describeEnd, type DecisionEnd, type DecisionQueue, type HeldDecision, type SessionService } from '@claude-sessions/core/services'
import { toSessionDto, type DecisionDto, type DecisionEndDto, type WallSnapshotDto } from '../dto.js'

/** Stopped sessions stay on the wall this long after they stopped. */
export const WALL_STOPPED_WINDOW_MS = 60 * 60_000


export interface WebEventsOptions {
  service: Pick<SessionService, 'list' | 'onUpdated'>
  /** The approval queue: its requests go out as `decision` and `decided` events. */
  decisions?: Pick<DecisionQueue, 'list' | 'onEvent' | 'waitMs'>
  now(): number
  /** A client whose socket has not taken this many bytes is dropped (it reconnects to a fresh snapshot). */
  backlogBytes?: number
  /** Changes within this many ms go out together, each session once (its newest record). */
  flushMs?: number
  heartbeatMs?: number
}

const encoder = new TextEncoder()
const frame = (event: string, data: unknown): Uint8Array => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)

export function toDecisionDto(d: HeldDecision): DecisionDto {
  return {
    id: d.id,
    sessionId: d.session.id,
    sessionName: d.session.name,
    kind: d.kind,
    toolName: d.toolName,
    toolInput: d.toolInput,
    canAlwaysAllow: d.suggestions.length > 0,
    questions: d.questions,
    openedAt: new Date(d.openedAt).toISOString(),
  }
}

export function toDecisionEndDto(id: string, end: DecisionEnd, waitMs: number): DecisionEndDto {
  return { id, by: end.by, verdict: end.verdict, who: end.who, text: describeEnd(end, waitMs) }
}

/** On the wall: live, or stopped within the last hour. */
export const onWall = (s: Session, now: number): boolean => isLive(s) || (s.stoppedAt !== null && now - s.stoppedAt < WALL_STOPPED_WINDOW_MS)

/**
 * The wall's push channel: a server-sent-event stream that starts with a snapshot and then
 * carries each changed session (coalesced per `flushMs`), `gone` when one leaves the wall, and a
 * heartbeat comment. A client that falls `backlogBytes` behind is cut off, never buffered without
 * bound; its `EventSource` reconnects and gets a fresh snapshot.
 */
export function wallEvents(options: WebEventsOptions): Response {
  const { service, now } = options
  const backlog = options.backlogBytes ?? 4 * 1024 * 1024
  const flushMs = options.flushMs ?? 10
  const pending = new Map<string, Session>()
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let unsubscribe: (() => void) | undefined
  let closed = false

  const stop = (): void => {
    closed = true
    unsubscribe?.()
    clearTimeout(flushTimer)
    clearInterval(heartbeat)
    pending.clear()
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (chunk: Uint8Array): void => {
          if (closed) return
          controller.enqueue(chunk)
          if ((controller.desiredSize ?? 0) <= 0) {
            stop()
            controller.error(new Error('client too slow'))
          }
        }
        const flush = (): void => {
          flushTimer = undefined
          const at = now()
          const batch = [...pending.values()]
          pending.clear()
          for (const s of batch) send(onWall(s, at) ? frame('session', { session: toSessionDto(s) }) : frame('gone', { id: s.id }))
        }
        const at = now()
        const snapshot: WallSnapshotDto = {
          decisions: (options.decisions?.list() ?? []).map(toDecisionDto),
          sessions: service.list({ includeStopped: true }).filter((s) => onWall(s, at)).map(toSessionDto),
          now: at,
        }
        send(frame('snapshot', snapshot))
        const offDecisions = options.decisions?.onEvent((e) => {
          if (closed) return
          if (e.type === 'opened') send(frame('decision', toDecisionDto(e.decision)))
          else send(frame('decided', toDecisionEndDto(e.decision.id, e.end, options.decisions?.waitMs ?? 0)))
        })
        const offSessions = service.onUpdated((s) => {
          if (closed) return
          pending.set(s.id, s)
          flushTimer ??= setTimeout(flush, flushMs)
        })
        unsubscribe = () => {
          offSessions()
          offDecisions?.()
        }
        heartbeat = setInterval(() => send(encoder.encode(': keep-alive\n\n')), options.heartbeatMs ?? 15_000)
      },
      cancel() {
        stop()
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: backlog }),
  )
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
  })
}

import type { ToolEvent } from '@claude-sessions/core'
import type { ToolAuditor } from '@claude-sessions/core/audit'
import { toToolEventDto } from './dto.js'

/** One `GET /tools/stream` client. */
export interface ToolStreamSubscriber {
  /**
   * Whether the client wants the event (its filter; may update the filter, e.g. a growing tree).
   * Absent: it wants every event (no filter), and is not asked event by event.
   */
  wants?: (event: ToolEvent) => boolean
  /** Hands the client one whole SSE frame, UTF-8: the same bytes for every subscriber, never changed. */
  send(frame: Uint8Array): void
}

/** The SSE frame of a recorded tool event: `event: tool`, its id, its DTO as JSON (one line). */
export const toolFrame = (event: ToolEvent): string => `event: tool\nid: ${event.id}\ndata: ${JSON.stringify(toToolEventDto(event))}\n\n`

export interface ToolBroadcastOptions {
  /** Runs the fan-out of a batch later (default: STREAM_BATCH_MS later, so the events of that time go out as one write per stream). */
  defer?: (work: () => void) => void
  /** Formats an event once, for every subscriber that wants it (default toolFrame). */
  frame?: (event: ToolEvent) => string
  /** A subscriber that throws: it is dropped, the others go on. */
  onError?: (error: unknown) => void
  /**
   * True while the hook path has work queued for this turn of the event loop (the server: a
   * write that hooks wait for to be answered). The streams' next step then waits a turn,
   * MAX_YIELDS turns in a row at most, so streams never starve.
   */
  yieldTo?: () => boolean
}

const utf8 = new TextEncoder()

/**
 * Events recorded within this many ms go to each stream as one write: a busy server (hundreds of
 * hooks a second, hundreds of streams) makes a few writes per stream a second instead of one per
 * event per stream, which would take the event loop from the hooks.
 */
export const STREAM_BATCH_MS = 25

/** Bytes handed to streams per turn of the event loop (at least one chunk). */
const SLICE_BYTES = 64 * 1024

/** Events serialised per turn of the event loop: a burst of hundreds never holds the hooks up. */
const ENCODE_PER_TURN = 8

/** Turns in a row the streams' work may wait for the hook path (ToolBroadcastOptions.yieldTo). */
const MAX_YIELDS = 8

/** The frames serialised since the last fan-out, and who gets which. */
interface Batch {
  frames: Uint8Array[]
  /** The clients at the batch's start: those with a filter get the frames they want, the others all. */
  takeAll: ToolStreamSubscriber[]
  filtered: ToolStreamSubscriber[]
  chunks: Map<ToolStreamSubscriber, Uint8Array[]>
}

/**
 * The live tool stream's fan-out: one listener on the auditor however many clients, each event
 * serialised and encoded once and the same bytes handed to every client that wants it.
 *
 * Nothing of it runs in the hook's own turn of the event loop: a recorded event is serialised on
 * a later turn (a few per turn, and right away, so the event's objects die young instead of
 * living on through a garbage collection), the frames of STREAM_BATCH_MS go to each client as one
 * chunk, and the chunks are written a slice per turn, each step after the hook replies of its turn.
 */
export class ToolBroadcast {
  private readonly subscribers = new Set<ToolStreamSubscriber>()
  /** Recorded, not yet serialised, oldest first. */
  private recorded: ToolEvent[] = []
  private batch: Batch | null = null
  private scheduled = false
  /** Chunks handed out a slice at a time, oldest first. */
  private outbox: [ToolStreamSubscriber, Uint8Array][] = []
  /** Whether a turn of work (serialising or a slice) is queued. */
  private working = false
  private stopListening: (() => void) | null = null
  private readonly defer: (work: () => void) => void
  private readonly frame: (event: ToolEvent) => string

  constructor(
    private readonly audit: ToolAuditor,
    private readonly options: ToolBroadcastOptions = {},
  ) {
    this.defer = options.defer ?? ((work) => void setTimeout(work, STREAM_BATCH_MS))
    this.frame = options.frame ?? toolFrame
  }

  /** Adds a client; returns its removal. The auditor is listened to only while clients exist. */
  subscribe(subscriber: ToolStreamSubscriber): () => void {
    // the open batch goes to those who were there: the new client starts with the next one
    this.fanOut()
    this.subscribers.add(subscriber)
    this.stopListening ??= this.audit.onRecorded((event) => this.push(event))
    return () => {
      this.subscribers.delete(subscriber)
      if (this.subscribers.size === 0 && this.stopListening !== null) {
        this.stopListening()
        this.stopListening = null
        this.recorded = []
        this.batch = null
        this.outbox = []
      }
    }
  }

  get size(): number {
    return this.subscribers.size
  }

  private push(event: ToolEvent): void {
    this.recorded.push(event)
    this.kick()
  }

  private kick(): void {
    if (this.working) return
    this.working = true
    this.nextTurn(0)
  }

  /** One step of the streams' work per turn of the event loop, after the hooks of that turn. */
  private nextTurn(yielded: number): void {
    setImmediate(() => {
      // queued in the turn before, this runs ahead of the hooks' write of this turn: let that go first
      if (yielded < MAX_YIELDS && this.options.yieldTo?.() === true) return this.nextTurn(yielded + 1)
      if (this.recorded.length > 0) this.encode()
      else this.sendSlice()
      if (this.recorded.length > 0 || this.outbox.length > 0) this.nextTurn(0)
      else this.working = false
    })
  }

  /** Serialises the next few recorded events into the open batch (opening one, and timing its fan-out). */
  private encode(): void {
    const events = this.recorded.splice(0, ENCODE_PER_TURN)
    if (this.subscribers.size === 0) return
    if (this.batch === null) {
      const takeAll: ToolStreamSubscriber[] = []
      const filtered: ToolStreamSubscriber[] = []
      for (const subscriber of this.subscribers) (subscriber.wants === undefined ? takeAll : filtered).push(subscriber)
      this.batch = { frames: [], takeAll, filtered, chunks: new Map() }
    }
    const batch = this.batch
    for (const event of events) {
      // a frame per event, in order: one chunk per client per batch (one socket write, not one per event)
      const wanting: ToolStreamSubscriber[] = []
      for (const subscriber of batch.filtered) {
        if (!this.subscribers.has(subscriber)) continue
        try {
          if (subscriber.wants!(event)) wanting.push(subscriber)
        } catch (error) {
          this.drop(subscriber, error)
        }
      }
      if (batch.takeAll.length === 0 && wanting.length === 0) continue
      let frame: Uint8Array
      try {
        frame = utf8.encode(this.frame(event))
      } catch (error) {
        // an event that can't be written is skipped; the streams go on
        this.options.onError?.(error)
        continue
      }
      batch.frames.push(frame)
      for (const subscriber of wanting) {
        const list = batch.chunks.get(subscriber)
        if (list === undefined) batch.chunks.set(subscriber, [frame])
        else list.push(frame)
      }
    }
    if (batch.frames.length > 0 && !this.scheduled) {
      this.scheduled = true
      this.defer(() => {
        this.scheduled = false
        this.fanOut()
      })
    }
  }

  /** The open batch's chunks join the outbox: all frames shared by every client that takes all. */
  private fanOut(): void {
    const batch = this.batch
    if (batch === null || batch.frames.length === 0) return
    this.batch = null
    const { frames } = batch
    const everything = frames.length === 1 ? frames[0]! : Buffer.concat(frames)
    for (const subscriber of batch.takeAll) this.outbox.push([subscriber, everything])
    for (const [subscriber, list] of batch.chunks) {
      this.outbox.push([subscriber, list.length === frames.length ? everything : list.length === 1 ? list[0]! : Buffer.concat(list)])
    }
    this.kick()
  }

  /**
   * One slice of the outbox (SLICE_BYTES) per turn of the event loop: hook requests get their
   * turn in between. One outbox for every batch: a client gets its chunks in order.
   */
  private sendSlice(): void {
    let bytes = 0
    let i = 0
    while (i < this.outbox.length && (bytes === 0 || bytes + this.outbox[i]![1].length <= SLICE_BYTES)) {
      const [subscriber, chunk] = this.outbox[i++]!
      if (!this.subscribers.has(subscriber)) continue
      bytes += chunk.length
      try {
        subscriber.send(chunk)
      } catch (error) {
        this.drop(subscriber, error)
      }
    }
    this.outbox.splice(0, i)
  }

  private drop(subscriber: ToolStreamSubscriber, error: unknown): void {
    this.subscribers.delete(subscriber)
    this.options.onError?.(error)
  }
}

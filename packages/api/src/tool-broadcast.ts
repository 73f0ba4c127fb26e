import type { ToolAuditor, ToolEvent } from '@claude-sessions/core'
import { toToolEventDto } from './dto.js'

/** One `GET /tools/stream` client. */
export interface ToolStreamSubscriber {
  /** Whether the client wants the event (its filter; may update the filter, e.g. a growing tree). */
  wants(event: ToolEvent): boolean
  /** Hands the client one whole SSE frame, UTF-8: the same bytes for every subscriber, never changed. */
  send(frame: Uint8Array): void
}

/** The SSE frame of a recorded tool event: `event: tool`, its id, its DTO as JSON (one line). */
export const toolFrame = (event: ToolEvent): string => `event: tool\nid: ${event.id}\ndata: ${JSON.stringify(toToolEventDto(event))}\n\n`

export interface ToolBroadcastOptions {
  /** Runs the fan-out later (default: STREAM_BATCH_MS later, so the events of that time go out as one write per stream). */
  defer?: (work: () => void) => void
  /** Formats an event once, for every subscriber that wants it (default toolFrame). */
  frame?: (event: ToolEvent) => string
  /** A subscriber that throws: it is dropped, the others go on. */
  onError?: (error: unknown) => void
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

/**
 * The live tool stream's fan-out: one listener on the auditor however many clients, each event
 * serialised and encoded once and the same bytes handed to every client that wants it. Events are batched
 * for STREAM_BATCH_MS and sent as one chunk per client, so the hook path (which records them) never
 * waits for streams.
 */
export class ToolBroadcast {
  private readonly subscribers = new Set<ToolStreamSubscriber>()
  private pending: ToolEvent[] = []
  private scheduled = false
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
    this.subscribers.add(subscriber)
    this.stopListening ??= this.audit.onRecorded((event) => this.push(event))
    return () => {
      this.subscribers.delete(subscriber)
      if (this.subscribers.size === 0 && this.stopListening !== null) {
        this.stopListening()
        this.stopListening = null
        this.pending = []
      }
    }
  }

  get size(): number {
    return this.subscribers.size
  }

  private push(event: ToolEvent): void {
    this.pending.push(event)
    if (this.scheduled) return
    this.scheduled = true
    this.defer(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const events = this.pending
    this.pending = []
    // one chunk per subscriber per batch: the frames it wants, in order (one socket write, not one per event)
    const chunks = new Map<ToolStreamSubscriber, Uint8Array[]>()
    const frames: Uint8Array[] = []
    for (const event of events) {
      const wanting: ToolStreamSubscriber[] = []
      for (const subscriber of this.subscribers) {
        try {
          if (subscriber.wants(event)) wanting.push(subscriber)
        } catch (error) {
          this.drop(subscriber, error)
        }
      }
      if (wanting.length === 0) continue
      let frame: Uint8Array
      try {
        frame = utf8.encode(this.frame(event))
      } catch (error) {
        // an event that can't be written is skipped; the streams go on
        this.options.onError?.(error)
        continue
      }
      frames.push(frame)
      for (const subscriber of wanting) {
        const list = chunks.get(subscriber)
        if (list === undefined) chunks.set(subscriber, [frame])
        else list.push(frame)
      }
    }
    // most clients want every event: they share one buffer
    let everything: Uint8Array | null = null
    const sends: [ToolStreamSubscriber, Uint8Array][] = []
    for (const [subscriber, list] of chunks) {
      if (list.length === 1) sends.push([subscriber, list[0]!])
      else if (list.length === frames.length) sends.push([subscriber, (everything ??= Buffer.concat(frames))])
      else sends.push([subscriber, Buffer.concat(list)])
    }
    this.sendInSlices(sends, 0)
  }

  /** A slice of the writes per turn of the event loop (SLICE_BYTES): hook requests get their turn in between. */
  private sendInSlices(sends: [ToolStreamSubscriber, Uint8Array][], from: number): void {
    let i = from
    let bytes = 0
    while (i < sends.length && (bytes === 0 || bytes + sends[i]![1].length <= SLICE_BYTES)) {
      const [subscriber, chunk] = sends[i++]!
      if (!this.subscribers.has(subscriber)) continue
      bytes += chunk.length
      try {
        subscriber.send(chunk)
      } catch (error) {
        this.drop(subscriber, error)
      }
    }
    if (i < sends.length) setImmediate(() => this.sendInSlices(sends, i))
  }

  private drop(subscriber: ToolStreamSubscriber, error: unknown): void {
    this.subscribers.delete(subscriber)
    this.options.onError?.(error)
  }
}

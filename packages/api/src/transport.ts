/** One HTTP request of the client: a JSON body (already serialised) or none. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  url: URL
  headers: Record<string, string>
  body?: string | undefined
  timeoutMs: number
}

/** The reply as text, whatever its status; a server that can't be reached rejects with ApiError `unavailable`. */
export interface TransportReply {
  status: number
  text: string
}

export interface EventStream {
  /** Resolves once the server has subscribed us (its `ready` event); rejects on a refused request. */
  ready: Promise<void>
  /** Resolves when the stream ends: closed by us, or by the server going away (rejects then). */
  done: Promise<void>
  close(): void
}

/**
 * How the client reaches the server: `fetch` (browsers, and Node when start-up time does not
 * matter) or node:http (the `sm` CLI, where loading fetch would cost every command ~30 ms).
 */
export interface Transport {
  request(req: TransportRequest): Promise<TransportReply>
  /** A text/event-stream: `onEvent` with each event's name and data (`ready` resolves the stream's `ready`). */
  stream(url: URL, headers: Record<string, string>, onEvent: (name: string, data: string) => void): EventStream
}

/** The `ready` of an event stream and what settles it (once). */
export function readySignal(): { ready: Promise<void>; markReady: () => void; failReady: (e: Error) => void } {
  let markReady!: () => void
  let failReady!: (e: Error) => void
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve
    failReady = reject
  })
  ready.catch(() => undefined)
  return { ready, markReady, failReady }
}

import { ApiError, readySignal, sseParser, type ErrorBody, type EventStream, type Transport } from '@claude-sessions/api/client'

/** What the transport needs of an app: hono's `fetch`. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>
}

/** A transport that can also drop its open streams, as a server going away would. */
export interface AppTransport extends Transport {
  /** Ends every open event stream with an error (the server went away while the client followed). */
  disconnect(): void
}

/**
 * The client's transport straight into `app.fetch`: the whole HTTP API (routes, middleware,
 * error mapping, JSON) in the same process, with no port and no socket. Event streams read the
 * app's streamed body; `close()` aborts the request, as a client hanging up does.
 */
export function appTransport(app: FetchApp): AppTransport {
  const open = new Set<(error: Error) => void>()
  return {
    async request({ method, url, headers, body }) {
      const res = await app.fetch(new Request(url, { method, headers, ...(body === undefined ? {} : { body }) }))
      return { status: res.status, text: await res.text() }
    },

    stream(url, headers, onEvent): EventStream {
      const abort = new AbortController()
      let closing = false
      const { ready, markReady, failReady } = readySignal()
      let cut!: (error: Error) => void
      const gone = new Promise<never>((_resolve, reject) => (cut = reject))
      gone.catch(() => undefined)
      open.add(cut)
      const done = (async () => {
        try {
          const res = await app.fetch(new Request(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal }))
          if (res.status !== 200) {
            const { error } = (await res.json().catch(() => ({}))) as Partial<ErrorBody>
            throw new ApiError(error?.code ?? 'internal', error?.message ?? `HTTP ${res.status}`, res.status)
          }
          const feed = sseParser((name, data) => (name === 'ready' ? markReady() : onEvent(name, data)))
          const decoder = new TextDecoder()
          const reader = res.body!.getReader()
          abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined))
          for (;;) {
            const { done: ended, value } = await Promise.race([reader.read(), gone])
            if (ended) break
            feed(decoder.decode(value, { stream: true }))
          }
          if (!closing) throw new ApiError('unavailable', 'the server closed the stream', 0)
        } catch (error) {
          const e = error instanceof ApiError ? error : new ApiError('unavailable', `stream failed: ${(error as Error).message}`, 0)
          failReady(e)
          if (!closing) throw e
        } finally {
          open.delete(cut)
          abort.abort()
        }
      })()
      done.catch(() => undefined)
      return {
        ready,
        done,
        close() {
          closing = true
          abort.abort()
        },
      }
    },

    disconnect() {
      for (const cut of [...open]) cut(new Error('socket hang up'))
    },
  }
}

import { ApiError } from './api-error.js'
import type { ErrorBody } from './dto.js'
import { sseParser } from './sse.js'
import { readySignal, type EventStream, type Transport } from './transport.js'

const unreachable = (url: URL, error: unknown): ApiError => {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code
  const reason = code === 'ECONNREFUSED' ? 'not running' : error instanceof Error ? error.message : String(error)
  return new ApiError('unavailable', `server at ${url.origin} unavailable: ${reason}`, 0)
}

async function refusal(res: Response): Promise<ApiError> {
  let err: ErrorBody['error'] | undefined
  try {
    err = ((await res.json()) as Partial<ErrorBody>).error
  } catch {
    err = undefined
  }
  return new ApiError(err?.code ?? 'internal', err?.message ?? `HTTP ${res.status}`, res.status)
}

/** The client over `fetch`: runs in browsers and in Node alike (no Node modules). */
export const fetchTransport: Transport = {
  async request({ method, url, headers, body, timeoutMs }) {
    let res: Response
    try {
      res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      if ((error as Error | null)?.name === 'TimeoutError') throw new ApiError('unavailable', `server at ${url.origin} unavailable: timed out`, 0)
      throw unreachable(url, error)
    }
    try {
      return { status: res.status, text: await res.text() }
    } catch (error) {
      throw new ApiError('unavailable', `server connection failed: ${(error as Error).message}`, 0)
    }
  },

  stream(url, headers, onEvent): EventStream {
    const abort = new AbortController()
    let closing = false
    const { ready, markReady, failReady } = readySignal()
    const done = (async () => {
      try {
        const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal }).catch((error: unknown) => {
          throw closing ? error : unreachable(url, error)
        })
        if (res.status !== 200) throw await refusal(res)
        const feed = sseParser((name, data) => (name === 'ready' ? markReady() : onEvent(name, data)))
        const decoder = new TextDecoder()
        const reader = res.body!.getReader()
        for (;;) {
          const { done: ended, value } = await reader.read()
          if (ended) break
          feed(decoder.decode(value, { stream: true }))
        }
        if (!closing) throw new ApiError('unavailable', 'the server closed the stream', 0)
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('unavailable', `stream failed: ${(error as Error).message}`, 0)
        failReady(e)
        if (!closing) throw e
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
}

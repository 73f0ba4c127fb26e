import { request } from 'node:http'
import type { ErrorBody } from './dto.js'
import { ApiError } from './api-error.js'

export interface EventStream {
  /** Resolves once the server has subscribed us (its `ready` event); rejects on a refused request. */
  ready: Promise<void>
  /** Resolves when the stream ends: closed by us, or by the server going away (rejects then). */
  done: Promise<void>
  close(): void
}

/** Reads a text/event-stream response, calling `onEvent` for each event with its name and data. */
export function openEventStream(url: URL, headers: Record<string, string>, onEvent: (name: string, data: string) => void): EventStream {
  let closing = false
  let markReady!: () => void
  let failReady!: (e: Error) => void
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve
    failReady = reject
  })
  let req: ReturnType<typeof request>
  const done = new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      failReady(e)
      if (closing) resolve()
      else reject(e)
    }
    req = request(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8')
      if (res.statusCode !== 200) {
        let text = ''
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          let err: ErrorBody['error'] | undefined
          try {
            err = (JSON.parse(text) as Partial<ErrorBody>).error
          } catch {
            err = undefined
          }
          fail(new ApiError(err?.code ?? 'internal', err?.message ?? `HTTP ${res.statusCode}`, res.statusCode ?? 0))
        })
        return
      }
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let name = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim()
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
          }
          if (data.length === 0) continue
          if (name === 'ready') markReady()
          else onEvent(name, data.join('\n'))
        }
      })
      res.on('end', () => (closing ? resolve() : fail(new ApiError('unavailable', 'the server closed the stream', 0))))
      res.on('error', (e) => fail(new ApiError('unavailable', `stream failed: ${e.message}`, 0)))
    })
    req.on('error', (e: NodeJS.ErrnoException) => {
      fail(new ApiError('unavailable', `server at ${url.origin} unavailable: ${e.code === 'ECONNREFUSED' ? 'not running' : e.message}`, 0))
    })
    req.end()
  })
  done.catch(() => undefined)
  ready.catch(() => undefined)
  return {
    ready,
    done,
    close() {
      closing = true
      req.destroy()
    },
  }
}

import { request } from 'node:http'
import { ApiError } from './api-error.js'
import type { ErrorBody } from './dto.js'
import { sseParser } from './sse.js'
import { readySignal, type EventStream, type Transport } from './transport.js'

const unreachable = (url: URL, error: NodeJS.ErrnoException): ApiError =>
  new ApiError('unavailable', `server at ${url.origin} unavailable: ${error.code === 'ECONNREFUSED' ? 'not running' : error.message}`, 0)

/**
 * The client over node:http: what `sm` uses, as node:http is loaded with Node itself while the
 * first `fetch` of a process loads its HTTP stack (tens of milliseconds on every command).
 */
export const nodeTransport: Transport = {
  request({ method, url, headers, body, timeoutMs }) {
    const payload = body === undefined ? undefined : Buffer.from(body)
    const all = payload === undefined ? headers : { ...headers, 'content-length': String(payload.length) }
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers: all, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (err) => reject(new ApiError('unavailable', `server connection failed: ${err.message}`, 0)))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      })
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(url, err)))
      req.end(payload)
    })
  },

  stream(url, headers, onEvent): EventStream {
    let closing = false
    const { ready, markReady, failReady } = readySignal()
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
        const feed = sseParser((name, data) => (name === 'ready' ? markReady() : onEvent(name, data)))
        res.on('data', feed)
        res.on('end', () => (closing ? resolve() : fail(new ApiError('unavailable', 'the server closed the stream', 0))))
        res.on('error', (e) => fail(new ApiError('unavailable', `stream failed: ${e.message}`, 0)))
      })
      req.on('error', (e: NodeJS.ErrnoException) => fail(unreachable(url, e)))
      req.end()
    })
    done.catch(() => undefined)
    return {
      ready,
      done,
      close() {
        closing = true
        req.destroy()
      },
    }
  },
}

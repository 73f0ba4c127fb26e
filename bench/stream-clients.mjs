// The load for bench/streams.mjs, in its own process (so reading the streams does not slow the
// measuring client): `node bench/stream-clients.mjs <url> <token> <subscribers> <idle> [raw|http]`.
// Opens the SSE subscribers and the idle connections, prints `ready` once all are open, and on
// SIGTERM (or stdin closing) prints `{"events":n,"bytes":n,"open":n,"counted":n,"sameBytes":bool}`
// and exits.
//
// Every subscriber takes every byte. `raw` (the default) reads each stream from a plain socket
// (the GET written by hand) into one buffer of its own: the load costs the machine the bytes (out
// of the kernel into this process), not an HTTP client's work or a fresh buffer per chunk. `http`
// reads with node's http client, whose parsing of 200 chunked streams costs this process more CPU
// than the server spends writing them, on the same two cores. Events are counted on one subscriber
// in COUNT_EVERY (`events`: the fewest any counted stream got), and `sameBytes` says whether all
// streams got the same bytes.
import { request } from 'node:http'
import net from 'node:net'

const COUNT_EVERY = 20
const MARK = 'event: tool'
const [url, token, subscribers, idle, mode = 'raw'] = process.argv.slice(2)
const { hostname, port } = new URL(url)
const perStream = []

/** Counts MARK in a stream's chunks, a mark split between two chunks included. */
function counter(counts) {
  let tail = ''
  return (chunk) => {
    const text = tail + chunk.toString('latin1')
    for (let i = text.indexOf(MARK); i !== -1; i = text.indexOf(MARK, i + 1)) counts.events++
    tail = text.slice(-(MARK.length - 1))
  }
}

/** Bytes read from a plain-socket stream at once: its one buffer, used for every read. */
const READ_BUFFER_BYTES = 64 * 1024

function rawStream(counts) {
  return new Promise((resolve, reject) => {
    const count = counts.events === null ? null : counter(counts)
    let head = true
    const socket = net.connect(
      {
        host: hostname,
        port: Number(port),
        // each read copies the bytes into this stream's own buffer: node's default would allocate
        // and zero a fresh 64 KB buffer per read, then copy the bytes out of it again (measured:
        // about 40% of this process's CPU with 200 streams), which is an artefact of the reader,
        // not the bytes of the stream
        onread: {
          buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
          callback: (n, buffer) => {
            const d = buffer.subarray(0, n)
            if (head) {
              head = false
              const status = d.toString('latin1', 0, 12)
              if (status !== 'HTTP/1.1 200') return reject(new Error(`stream: ${status}`))
              resolve()
            }
            counts.bytes += n
            count?.(d)
          },
        },
      },
      () => socket.write(`GET /tools/stream HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n\r\n`),
    )
    socket.on('error', reject)
  })
}

function httpStream(counts) {
  return new Promise((resolve, reject) => {
    const count = counts.events === null ? null : counter(counts)
    const req = request({ host: hostname, port, path: '/tools/stream', headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`))
      res.on('data', (d) => {
        counts.bytes += d.length
        count?.(d)
      })
      resolve()
    })
    req.on('error', reject)
    req.end()
  })
}

await Promise.all(
  Array.from({ length: Number(subscribers) }, (_, n) => {
    const counts = { bytes: 0, events: n % COUNT_EVERY === 0 ? 0 : null }
    perStream.push(counts)
    return mode === 'http' ? httpStream(counts) : rawStream(counts)
  }),
)
const sockets = []
for (let i = 0; i < Number(idle); i++) {
  const s = net.connect({ host: hostname, port: Number(port) })
  s.on('error', () => undefined)
  sockets.push(s)
}
await new Promise((r) => setTimeout(r, 300))
// what came before this point (the response head, `ready`) is not the measured stream
const start = perStream.map((c) => c.bytes)
process.stdout.write('ready\n')
const finish = () => {
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length
  const counted = perStream.filter((c) => c.events !== null)
  const events = Math.min(...counted.map((c) => c.events))
  const taken = perStream.map((c, i) => c.bytes - start[i])
  const bytes = taken.reduce((sum, b) => sum + b, 0)
  const sameBytes = taken.every((b) => b === taken[0])
  process.stdout.write(`${JSON.stringify({ events, bytes, open, counted: counted.length, sameBytes })}\n`)
  process.exit(0)
}
process.on('SIGTERM', finish)
process.stdin.on('end', finish)
process.stdin.resume()

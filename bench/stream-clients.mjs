// The load for bench/streams.mjs, in its own process (so reading the streams does not slow the
// measuring client): `node bench/stream-clients.mjs <url> <token> <subscribers> <idle>`. Opens
// the SSE subscribers and the idle connections, prints `ready` once all are open, and on SIGTERM
// (or stdin closing) prints `{"events":n,"bytes":n,"open":n}` and exits.
import { request } from 'node:http'
import net from 'node:net'

const [url, token, subscribers, idle] = process.argv.slice(2)
const { hostname, port } = new URL(url)
const received = { events: 0, bytes: 0 }
const streams = []
await Promise.all(
  Array.from(
    { length: Number(subscribers) },
    () =>
      new Promise((resolve, reject) => {
        const req = request({ host: hostname, port, path: '/tools/stream', headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`))
          res.on('data', (d) => {
            received.bytes += d.length
            for (let i = d.indexOf('event: tool'); i !== -1; i = d.indexOf('event: tool', i + 1)) received.events++
          })
          resolve()
        })
        req.on('error', reject)
        req.end()
        streams.push(req)
      }),
  ),
)
const sockets = []
for (let i = 0; i < Number(idle); i++) {
  const s = net.connect({ host: hostname, port: Number(port) })
  s.on('error', () => undefined)
  sockets.push(s)
}
await new Promise((r) => setTimeout(r, 300))
process.stdout.write('ready\n')
const finish = () => {
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length
  process.stdout.write(`${JSON.stringify({ ...received, open })}\n`)
  process.exit(0)
}
process.on('SIGTERM', finish)
process.stdin.on('end', finish)
process.stdin.resume()

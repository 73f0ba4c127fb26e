// The hook path while the server also serves streams and idle connections: sequential keep-alive
// POST /hooks/PreToolUse round trips (each with a fresh X-SM-Event id, as the hook script sends),
// measured on the same server first with nothing else connected (the baseline, same run), then
// with 200 live `GET /tools/stream` subscribers (every hook is a tool event each of them gets)
// plus 1,000 idle keep-alive connections. Target: p99 ≤ 1.5× the baseline.
import { Agent, request } from 'node:http'
import net from 'node:net'
import { post } from './ingest.mjs'
import { fmtMs, log, noteLine, resultLine, startSmServer, summarize } from './support.mjs'

const SUBSCRIBERS = 200
const IDLE = 1000
const TARGET_RATIO = 1.5

async function roundTrips(url, rounds, warmup) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const times = []
  let non2xx = 0
  for (let i = 0; i < rounds + warmup; i++) {
    const r = await post(agent, `${url}/hooks/PreToolUse`)
    if (r.status !== 200) non2xx++
    if (i >= warmup) times.push(r.ms)
  }
  agent.destroy()
  return { ...summarize(times), non2xx }
}

/** `count` SSE subscribers on /tools/stream; resolves once each has its headers. Counts the bytes each receives. */
async function subscribe(server, count) {
  const streams = []
  const received = { bytes: 0, events: 0 }
  const { hostname, port } = new URL(server.url)
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const req = request(
            { host: hostname, port, path: '/tools/stream', headers: { authorization: `Bearer ${server.operatorToken}`, accept: 'text/event-stream' }, agent: false },
            (res) => {
              if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`))
              res.on('data', (d) => {
                received.bytes += d.length
                for (const b of d) if (b === 0x0a) received.events += 0.5 // "data: …\n\n"
              })
              resolve()
            },
          )
          req.on('error', reject)
          req.end()
          streams.push(req)
        }),
    ),
  )
  return { close: () => streams.forEach((r) => r.destroy()), received }
}

/** `count` TCP connections that send nothing. */
async function idleConnections(server, count) {
  const { hostname, port } = new URL(server.url)
  const sockets = []
  for (let i = 0; i < count; i++) {
    const s = net.connect({ host: hostname, port: Number(port) })
    s.on('error', () => undefined)
    sockets.push(s)
  }
  await new Promise((r) => setTimeout(r, 300))
  return { close: () => sockets.forEach((s) => s.destroy()), open: () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length }
}

export async function benchStreams({ quick }) {
  const rounds = quick ? 500 : 2000
  const warmup = 100
  const server = await startSmServer({ label: 'streams' })
  try {
    log(`streams: ${rounds} sequential hook round trips alone, then with ${SUBSCRIBERS} SSE subscribers and ${IDLE} idle connections`)
    const alone = await roundTrips(server.url, rounds, warmup)
    const streams = await subscribe(server, SUBSCRIBERS)
    const idle = await idleConnections(server, IDLE)
    const loaded = await roundTrips(server.url, rounds, warmup)
    const health = await fetch(`${server.url}/health`).then((r) => r.status).catch(() => 'failed')
    const openIdle = idle.open()
    streams.close()
    idle.close()
    const ratio = loaded.p99 / alone.p99
    return [
      resultLine({
        name: 'hook round trip, nothing else connected',
        figure: `p50 ${fmtMs(alone.p50)} / p99 ${fmtMs(alone.p99)}`,
        data: { alone },
      }),
      resultLine({
        name: `hook round trip, ${SUBSCRIBERS} SSE + ${IDLE} idle`,
        figure: `p50 ${fmtMs(loaded.p50)} / p99 ${fmtMs(loaded.p99)}`,
        baseline: `p99 ${fmtMs(alone.p99)}`,
        ratio,
        target: `p99 ≤ ${TARGET_RATIO}×`,
        pass: ratio <= TARGET_RATIO && loaded.non2xx === 0,
        data: { loaded, ratio },
      }),
      resultLine({
        name: '  events streamed meanwhile',
        figure: `${Math.round(streams.received.events).toLocaleString('en-US')} events, ${(streams.received.bytes / 1e6).toFixed(1)} MB to ${SUBSCRIBERS} subscribers`,
        data: { streamed: streams.received },
      }),
      noteLine(`non-2xx hooks: ${alone.non2xx + loaded.non2xx}; /health with everything connected: ${health}; idle connections still open at the end: ${openIdle} of ${IDLE}`),
    ]
  } finally {
    await server.stop()
  }
}

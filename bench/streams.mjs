// The hook path while the server also serves streams and idle connections: sequential keep-alive
// POST /hooks/PreToolUse round trips (each with a fresh X-SM-Event id, as the hook script sends),
// measured on one server with nothing else connected (the baseline, same run) and with 200 live
// `GET /tools/stream` subscribers (every hook is a tool event each of them gets) plus 1,000 idle
// connections, opened by another process. Target: p99 ≤ 1.5× the baseline.
//
// The server is warmed first (WARM round trips: its p99 falls about threefold over the first few
// thousand hooks, as the JIT settles, and a cold baseline would flatter every ratio). Then the
// phases alternate (alone, 200 plain-socket readers, 200 node http readers, one plain-socket
// reader) and the samples are pooled per condition, so drift in the machine's speed falls on all
// alike; each phase discards its first round trips (while the streams' first batches settle).
// The target is read with the plain-socket readers: they cost the machine the bytes and little
// more. The one-reader line shows what a single stream costs the hook path on this machine.
import { spawn } from 'node:child_process'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { post } from './ingest.mjs'
import { REPO, fmtMs, log, noteLine, resultLine, startSmServer, summarize } from './support.mjs'

const SUBSCRIBERS = 200
const IDLE = 1000
const TARGET_RATIO = 1.5
const WARM = 6000

/** `rounds` sequential round trips after `warmup` unmeasured ones: their times (ms) and non-2xx count. */
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
  return { times, non2xx }
}

/** The subscribers (`raw` or `http` readers) and idle connections, opened by another process; resolves once they are all open. */
async function startLoad(server, mode, subscribers, idle) {
  const args = [join(REPO, 'bench/stream-clients.mjs'), server.url, server.operatorToken, String(subscribers), String(idle), mode]
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d) => (out += d))
  await new Promise((resolve, reject) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined)
    child.stdout.on('data', check)
    child.once('exit', (code) => reject(new Error(`stream clients exited (${code}) before ready`)))
  })
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.end()
      await exited
      return JSON.parse(out.trim().split('\n').at(-1))
    },
  }
}

/** A loaded phase: round trips with `mode` readers connected, then what the readers took. */
async function loadedPhase(server, mode, rounds, warmup, subscribers = SUBSCRIBERS, idle = IDLE) {
  const load = await startLoad(server, mode, subscribers, idle)
  const trips = await roundTrips(server.url, rounds, warmup)
  // a new connection: the connection cap closes the idle ones (idle past its minimum) to make room
  const health = await fetch(`${server.url}/health`).then((r) => r.status).catch(() => 'failed')
  // the last batch (every 25 ms) reaches the subscribers
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { ...trips, health, streamed: await load.stop() }
}

/** The pooled figures of one loaded condition: every reader got every event, and the same bytes? */
function pooled(phases, perPhase) {
  const streams = phases.map((p) => p.streamed)
  return {
    summary: summarize(phases.flatMap((p) => p.times)),
    non2xx: phases.reduce((sum, p) => sum + p.non2xx, 0),
    health: [...new Set(phases.map((p) => p.health))].join(', '),
    events: Math.min(...streams.map((s) => s.events)),
    bytes: streams.reduce((sum, s) => sum + s.bytes, 0),
    counted: streams[0].counted,
    complete: streams.every((s) => s.events === perPhase && s.sameBytes),
    open: streams.at(-1).open,
  }
}

export async function benchStreams({ quick }) {
  const phases = quick ? 1 : 4
  const rounds = quick ? 500 : 1500
  const warmup = quick ? 200 : 300
  const perPhase = rounds + warmup
  const server = await startSmServer({ label: 'streams' })
  try {
    const warm = quick ? 1000 : WARM
    log(
      `streams: ${warm} round trips to warm the server, then ${phases} × (${rounds} sequential hook round trips alone, with ${SUBSCRIBERS} SSE subscribers (plain sockets) and ${IDLE} idle connections, with ${SUBSCRIBERS} http-client subscribers and ${IDLE} idle, with one subscriber; ${warmup} unmeasured first in each)`,
    )
    const warmed = await roundTrips(server.url, 0, warm)
    const aloneTimes = []
    let aloneNon2xx = warmed.non2xx
    const raw = []
    const http = []
    const one = []
    for (let phase = 0; phase < phases; phase++) {
      const alone = await roundTrips(server.url, rounds, warmup)
      aloneTimes.push(...alone.times)
      aloneNon2xx += alone.non2xx
      raw.push(await loadedPhase(server, 'raw', rounds, warmup))
      http.push(await loadedPhase(server, 'http', rounds, warmup))
      one.push(await loadedPhase(server, 'raw', rounds, warmup, 1, 0))
    }
    const alone = summarize(aloneTimes)
    const plain = pooled(raw, perPhase)
    const client = pooled(http, perPhase)
    const single = pooled(one, perPhase)
    const ratio = plain.summary.p99 / alone.p99
    const clientRatio = client.summary.p99 / alone.p99
    const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`
    return [
      resultLine({
        name: 'hook round trip, nothing else connected',
        figure: `p50 ${fmtMs(alone.p50)} / p99 ${fmtMs(alone.p99)}`,
        data: { alone },
      }),
      resultLine({
        name: `hook round trip, ${SUBSCRIBERS} SSE + ${IDLE} idle`,
        figure: `p50 ${fmtMs(plain.summary.p50)} / p99 ${fmtMs(plain.summary.p99)}`,
        baseline: `p99 ${fmtMs(alone.p99)}`,
        ratio,
        target: `p99 ≤ ${TARGET_RATIO}×`,
        pass: ratio <= TARGET_RATIO && plain.non2xx === 0 && aloneNon2xx === 0 && plain.complete,
        data: { loaded: plain.summary, ratio },
      }),
      resultLine({
        name: '  the same, readers on node http',
        figure: `p50 ${fmtMs(client.summary.p50)} / p99 ${fmtMs(client.summary.p99)}`,
        baseline: `p99 ${fmtMs(alone.p99)}`,
        ratio: clientRatio,
        data: { loaded: client.summary, ratio: clientRatio },
      }),
      resultLine({
        name: '  one SSE subscriber, no idle',
        figure: `p50 ${fmtMs(single.summary.p50)} / p99 ${fmtMs(single.summary.p99)}`,
        baseline: `p99 ${fmtMs(alone.p99)}`,
        ratio: single.summary.p99 / alone.p99,
        data: { loaded: single.summary },
      }),
      resultLine({
        name: '  events streamed meanwhile',
        figure: `${plain.events.toLocaleString('en-US')} events to each subscriber per phase; ${mb(plain.bytes)} + ${mb(client.bytes)} in all`,
        data: { plain, client },
      }),
      noteLine(
        `events counted on ${plain.counted} of ${SUBSCRIBERS} streams: each got all ${perPhase.toLocaleString('en-US')} of every phase, and every stream the same bytes: ${plain.complete && client.complete && single.complete ? 'yes' : 'NO'}`,
      ),
      noteLine(
        `non-2xx hooks: ${aloneNon2xx + plain.non2xx + client.non2xx + single.non2xx}; /health with everything connected: ${plain.health}; idle connections open after it: ${plain.open} of ${IDLE} (the others closed by the connection cap to make room)`,
      ),
    ]
  } finally {
    await server.stop()
  }
}

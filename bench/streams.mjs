// The hook path while the server also serves streams and idle connections: sequential keep-alive
// POST /hooks/PreToolUse round trips (each with a fresh X-SM-Event id, as the hook script sends),
// measured on the same server first with nothing else connected (the baseline, same run), then
// with 200 live `GET /tools/stream` subscribers (every hook is a tool event each of them gets)
// plus 1,000 idle keep-alive connections. Target: p99 ≤ 1.5× the baseline.
import { spawn } from 'node:child_process'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { post } from './ingest.mjs'
import { REPO, fmtMs, log, noteLine, resultLine, startSmServer, summarize } from './support.mjs'

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

/** The subscribers and idle connections, opened by another process; resolves once they are all open. */
async function startLoad(server) {
  const child = spawn(process.execPath, [join(REPO, 'bench/stream-clients.mjs'), server.url, server.operatorToken, String(SUBSCRIBERS), String(IDLE)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
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

export async function benchStreams({ quick }) {
  const rounds = quick ? 500 : 2000
  const warmup = 100
  const server = await startSmServer({ label: 'streams' })
  try {
    log(`streams: ${rounds} sequential hook round trips alone, then with ${SUBSCRIBERS} SSE subscribers and ${IDLE} idle connections`)
    const alone = await roundTrips(server.url, rounds, warmup)
    const load = await startLoad(server)
    const loaded = await roundTrips(server.url, rounds, warmup)
    const health = await fetch(`${server.url}/health`).then((r) => r.status).catch(() => 'failed')
    const streamed = await load.stop()
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
        figure: `${streamed.events.toLocaleString('en-US')} events, ${(streamed.bytes / 1e6).toFixed(1)} MB to ${SUBSCRIBERS} subscribers (another process)`,
        data: { streamed },
      }),
      noteLine(`non-2xx hooks: ${alone.non2xx + loaded.non2xx}; /health with everything connected: ${health}; idle connections still open at the end: ${streamed.open} of ${IDLE} (the rest closed by the connection cap)`),
    ]
  } finally {
    await server.stop()
  }
}

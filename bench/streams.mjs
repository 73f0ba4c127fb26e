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
// A note says where the CPU went while the round trips ran (Linux, from /proc): the server's (and
// per hook), the readers', the measuring client's, and other processes' (a run during which other
// processes were busy is not comparable: the p99 is made by who else wants the two cores).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { post } from './ingest.mjs'
import { REPO, fmtMs, log, noteLine, resultLine, startSmServer, summarize } from './support.mjs'

const SUBSCRIBERS = 200
const IDLE = 1000
const TARGET_RATIO = 1.5
const WARM = 6000

/** Linux: ms of CPU a process has used (all its threads), from /proc (clock ticks of 10 ms). */
const TICK_MS = 10
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

/** Linux: ms of CPU the whole machine has been busy (all CPUs; user, nice, system, irq, softirq). */
function machineBusyMs() {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
  return (user + nice + system + irq + softirq) * TICK_MS
}

/**
 * Where the machine's CPU went while `work` ran (Linux; null elsewhere): the server's, the
 * readers' (`readerPid`), this process's (the measuring client), and every other process's.
 */
async function measuredCpu(serverPid, readerPid, work) {
  if (!existsSync('/proc/stat')) return { result: await work(), cpu: null }
  const snapshot = () => ({ at: performance.now(), busy: machineBusyMs(), server: processCpuMs(serverPid), readers: readerPid === null ? 0 : processCpuMs(readerPid), client: processCpuMs(process.pid) })
  const before = snapshot()
  const result = await work()
  const after = snapshot()
  const used = (key) => after[key] - before[key]
  const cpu = { wallMs: after.at - before.at, server: used('server'), readers: used('readers'), client: used('client') }
  cpu.others = Math.max(0, used('busy') - cpu.server - cpu.readers - cpu.client)
  return { result, cpu }
}

/** The CPU of a condition's phases summed, as shares of one core, and the server's per hook. */
function cpuShares(phases, hooks) {
  if (phases.some((p) => p.cpu === null)) return null
  const sum = (key) => phases.reduce((total, p) => total + p.cpu[key], 0)
  const wall = sum('wallMs')
  const share = (key) => Math.round((100 * sum(key)) / wall)
  return { server: share('server'), serverMsPerHook: sum('server') / hooks, readers: share('readers'), client: share('client'), others: share('others') }
}

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
    pid: child.pid,
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
  const { result: trips, cpu } = await measuredCpu(server.pid, load.pid, () => roundTrips(server.url, rounds, warmup))
  // a new connection: the connection cap closes the idle ones (idle past its minimum) to make room
  const health = await fetch(`${server.url}/health`).then((r) => r.status).catch(() => 'failed')
  // the last batch (every 25 ms) reaches the subscribers
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { ...trips, cpu, health, streamed: await load.stop() }
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
    cpu: cpuShares(phases, phases.length * perPhase),
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
    const alonePhases = []
    let aloneNon2xx = warmed.non2xx
    const raw = []
    const http = []
    const one = []
    for (let phase = 0; phase < phases; phase++) {
      const { result: alone, cpu } = await measuredCpu(server.pid, null, () => roundTrips(server.url, rounds, warmup))
      alonePhases.push({ cpu })
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
    const aloneCpu = cpuShares(alonePhases, phases * perPhase)
    const cpuText = (c, readers) =>
      `server ${c.server}% (${c.serverMsPerHook.toFixed(2)} ms a hook)${readers ? `, readers ${c.readers}%` : ''}, the measuring client ${c.client}%, other processes ${c.others}%`
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
      ...(aloneCpu === null
        ? []
        : [
            noteLine(
              `CPU while measuring, in % of one core (of ${cpus().length}): alone ${cpuText(aloneCpu, false)}; ${SUBSCRIBERS} plain-socket readers ${cpuText(plain.cpu, true)}; node http readers ${cpuText(client.cpu, true)}; one reader ${cpuText(single.cpu, true)}`,
              { alone: aloneCpu, plain: plain.cpu, http: client.cpu, one: single.cpu },
            ),
          ]),
      noteLine(
        `non-2xx hooks: ${aloneNon2xx + plain.non2xx + client.non2xx + single.non2xx}; /health with everything connected: ${plain.health}; idle connections open after it: ${plain.open} of ${IDLE} (the others closed by the connection cap to make room)`,
      ),
    ]
  } finally {
    await server.stop()
  }
}

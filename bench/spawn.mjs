// Spawning: one parent managed session (the fake Claude Code, hooks installed with
// `sm hooks install`) spawns 20 children at once through the API as itself (`POST /sessions/spawn`
// with its session id and token, as `sm spawn` inside a session does); each child runs a short
// prompt. Measured: the time from the spawn calls to all 20 children done (their first Stop at the
// server: `completed`, idle after a finished turn), the server process's CPU time
// (/proc/<pid>/stat utime+stime) and its resident memory meanwhile. Baseline in the same run: one
// child spawned alone, time to done. The children are killed after each burst; full mode repeats
// (single, burst) three times. The server runs with `limits: { max_children: 25 }`.
import { readFileSync } from 'node:fs'
import { childCpuMsOf, cpuMsOf, fmtInt, fmtMs, log, memKbOf, resultLine, startSmServer, summarize, waitUntil } from './support.mjs'

const CHILDREN = 20
const EXTRA_CONFIG = 'limits:\n  max_children: 25\n'

/** Busy and total jiffies of the whole machine (/proc/stat), for the CPU share of everything. */
function machineTicks() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const total = f.reduce((a, b) => a + b, 0)
    return { busy: total - f[3] - (f[4] ?? 0), total }
  } catch {
    return null
  }
}

export async function benchSpawn({ quick }) {
  const rounds = quick ? 1 : 3
  const server = await startSmServer({ label: 'spawn', agent: 'fake', extraConfig: EXTRA_CONFIG })
  const lines = []
  try {
    const parent = await server.createManagedSession('bench-parent')
    await waitUntil(async () => (await server.api('GET', `/sessions/${parent.id}`)).session.state === 'idle', { message: 'the parent idle' })
    const children = async () => (await server.api('GET', `/sessions/${parent.id}/children`)).children

    /** Spawns `k` children at once as the parent; resolves when every one has finished its turn. */
    async function burst(k, tag) {
      const cpu0 = cpuMsOf(server.pid)
      const childCpu0 = childCpuMsOf(server.pid)
      const mach0 = machineTicks()
      const rss0 = memKbOf(server.pid)
      let peakRssKb = rss0?.rssKb ?? NaN
      const t0 = Date.now()
      const h0 = process.hrtime.bigint()
      const callMs = []
      const spawned = await Promise.all(
        Array.from({ length: k }, (_, j) =>
          server.api('POST', '/sessions/spawn', { prompt: `child ${tag}-${j}: say hello`, name: `c-${tag}-${j}` }, parent).then((r) => {
            callMs.push(Number(process.hrtime.bigint() - h0) / 1e6)
            return r.session.id
          }),
        ),
      )
      const spawnCallsMs = Number(process.hrtime.bigint() - h0) / 1e6
      const ids = new Set(spawned)
      await waitUntil(
        async () => {
          const mem = memKbOf(server.pid)
          if (mem) peakRssKb = Math.max(peakRssKb, mem.rssKb)
          const done = (await children()).filter((c) => ids.has(c.id) && c.status === 'completed')
          return done.length === k
        },
        { timeoutMs: 120_000, intervalMs: 50, message: `${k} children completed` },
      )
      const polledMs = Number(process.hrtime.bigint() - h0) / 1e6
      const cpuMs = cpuMsOf(server.pid) - cpu0
      const childCpuMs = childCpuMsOf(server.pid) - childCpu0
      const mach1 = machineTicks()
      const mem = memKbOf(server.pid)
      if (mem) peakRssKb = Math.max(peakRssKb, mem.rssKb)
      // each child's first Stop at the server: when it was done, to the ms
      const doneAt = []
      for (const id of spawned) {
        const { events } = await server.api('GET', `/sessions/${id}/events?limit=100`)
        const stop = events.find((e) => e.event === 'Stop')
        doneAt.push(stop ? Date.parse(stop.at) - t0 : NaN)
      }
      const perChild = summarize(doneAt)
      return {
        k,
        allDoneMs: perChild.max,
        perChild,
        spawnCallsMs,
        firstCallMs: Math.min(...callMs),
        polledMs,
        cpuMs,
        childCpuMs,
        machineBusyShare: mach0 && mach1 ? (mach1.busy - mach0.busy) / (mach1.total - mach0.total) : null,
        rssBeforeKb: rss0?.rssKb ?? null,
        peakRssKb,
        hwmKb: mem?.hwmKb ?? null,
        doneAt,
        ids: spawned,
      }
    }

    async function killAll(ids) {
      for (const id of ids) await server.api('DELETE', `/sessions/${id}`)
      await waitUntil(async () => (await children()).filter((c) => ids.includes(c.id)).every((c) => c.status === 'stopped'), { timeoutMs: 30_000, message: 'children stopped' })
      // let the agents' SessionEnd hooks and exits settle before the next measurement
      await new Promise((r) => setTimeout(r, 1000))
    }

    const singles = []
    const bursts = []
    for (let r = 0; r < rounds; r++) {
      log(`spawn: round ${r + 1}/${rounds}: 1 child alone, then ${CHILDREN} at once`)
      const one = await burst(1, `r${r}-single`)
      singles.push(one)
      await killAll(one.ids)
      const many = await burst(CHILDREN, `r${r}-burst`)
      bursts.push(many)
      await killAll(many.ids)
    }

    const med = (xs) => summarize(xs).p50
    const single = med(singles.map((s) => s.allDoneMs))
    const all = bursts.map((b) => b.allDoneMs)
    const allMed = med(all)
    const range = (xs, f) => (xs.length > 1 ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : f(xs[0]))
    const roundsNote = rounds > 1 ? ` (median of ${rounds}: ${range(all, fmtMs)})` : ''
    lines.push(
      resultLine({
        name: `${CHILDREN} children spawned at once → all done`,
        figure: `${fmtMs(allMed)}${roundsNote}`,
        baseline: `1 child alone: ${fmtMs(single)}`,
        ratio: allMed / single,
        pass: null,
        data: { bursts: bursts.map(({ ids, ...b }) => b), singles: singles.map(({ ids, ...s }) => s) },
      }),
    )
    const perChild = summarize(bursts.flatMap((b) => b.doneAt))
    lines.push(resultLine({ name: '  per child in the burst, spawn → done', figure: `p50 ${fmtMs(perChild.p50)} / min ${fmtMs(perChild.min)}`, data: { stats: perChild } }))
    lines.push(
      resultLine({
        name: `  the ${CHILDREN} spawn calls answered (first … last)`,
        figure: `${fmtMs(med(bursts.map((b) => b.firstCallMs)))} … ${fmtMs(med(bursts.map((b) => b.spawnCallsMs)))}`,
        baseline: `1 call: ${fmtMs(med(singles.map((s) => s.spawnCallsMs)))}`,
        data: { bursts: bursts.map((b) => ({ first: b.firstCallMs, last: b.spawnCallsMs })), singles: singles.map((s) => s.spawnCallsMs) },
      }),
    )
    const cpu = med(bursts.map((b) => b.cpuMs))
    const cpuOne = med(singles.map((s) => s.cpuMs))
    lines.push(
      resultLine({
        name: '  server CPU during the burst (utime+stime)',
        figure: `${fmtInt(cpu)} ms (${fmtInt(cpu / CHILDREN)} ms/child, ${(100 * med(bursts.map((b) => b.cpuMs / b.polledMs))).toFixed(0)}% of a core)`,
        baseline: `1 child: ${fmtInt(cpuOne)} ms`,
        ratio: cpu / (cpuOne * CHILDREN),
        data: { bursts: bursts.map((b) => b.cpuMs), singles: singles.map((s) => s.cpuMs), reapedChildrenCpuMs: bursts.map((b) => b.childCpuMs) },
      }),
    )
    const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`
    lines.push(
      resultLine({
        name: '  server RSS, before → peak during the burst',
        figure: `${mb(med(bursts.map((b) => b.rssBeforeKb)))} → ${mb(Math.max(...bursts.map((b) => b.peakRssKb)))}`,
        baseline: `VmHWM ${mb(Math.max(...bursts.map((b) => b.hwmKb)))}`,
        data: { bursts: bursts.map((b) => ({ before: b.rssBeforeKb, peak: b.peakRssKb, hwm: b.hwmKb })) },
      }),
    )
    const share = bursts.map((b) => b.machineBusyShare).filter((x) => x !== null)
    if (share.length) {
      lines.push(
        resultLine({
          name: '  (diag) machine CPU busy during the burst (all processes)',
          figure: `${(100 * med(share)).toFixed(0)}% of all cores`,
          baseline: `server's reaped children (tmux clients): ${fmtInt(med(bursts.map((b) => b.childCpuMs)))} ms`,
          data: { share, reapedChildrenCpuMs: bursts.map((b) => b.childCpuMs) },
        }),
      )
    }
  } finally {
    await server.stop()
  }
  lines.push(await sleepingAgentDiag(rounds))
  return lines
}

/**
 * Diagnostic: the same burst of spawn calls to a server whose agent just sleeps (no agent
 * start-up, no hooks): what the server and tmux cost alone.
 */
async function sleepingAgentDiag(rounds) {
  const server = await startSmServer({ label: 'spawn-sleep', extraConfig: EXTRA_CONFIG })
  try {
    const parent = await server.createManagedSession('bench-parent-sleep')
    const last = []
    const cpu = []
    for (let r = 0; r < rounds; r++) {
      const cpu0 = cpuMsOf(server.pid)
      const h0 = process.hrtime.bigint()
      const ids = await Promise.all(Array.from({ length: CHILDREN }, (_, j) => server.api('POST', '/sessions/spawn', { prompt: `child ${j}` }, parent).then((x) => x.session.id)))
      last.push(Number(process.hrtime.bigint() - h0) / 1e6)
      cpu.push(cpuMsOf(server.pid) - cpu0)
      for (const id of ids) await server.api('DELETE', `/sessions/${id}`)
    }
    const med = (xs) => summarize(xs).p50
    return resultLine({
      name: `  (diag) ${CHILDREN} spawn calls, agent that just sleeps`,
      figure: `all answered ${fmtMs(med(last))}`,
      baseline: `server CPU ${fmtInt(med(cpu))} ms`,
      data: { lastCallMs: last, serverCpuMs: cpu },
    })
  } finally {
    await server.stop()
  }
}

// Hook overhead: what one Claude Code hook event costs with hooks/sm-hook, against the
// smallest thing that could do the job: `sh -c 'curl -s --data-binary @- URL'` POSTing the same
// payload to a no-op node:http server. Every invocation is a fresh `sh -c` process with the real
// PreToolUse payload written to its stdin; the variants run interleaved.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  HOOK,
  PAYLOAD,
  baseEnv,
  closedPort,
  fmtMs,
  interleaved,
  log,
  resultLine,
  shQuote,
  startNoopServer,
  startSmServer,
  summarize,
  tempDir,
  timedRun,
} from './support.mjs'

const TARGET = 1.2

const hookScript = `${shQuote(HOOK)} PreToolUse`
const curlScript = (url) => `curl -s --data-binary @- ${shQuote(`${url}/hooks/PreToolUse`)}`

/** A variant: one timed `sh -c` run, checked. Failed checks are counted, their times kept. */
function variant(name, script, env, check) {
  const v = {
    name,
    failures: [],
    async run() {
      const r = await timedRun('sh', ['-c', script], { env, input: PAYLOAD })
      const problem = check(r)
      if (problem) v.failures.push(problem)
      return r.ms
    },
  }
  return v
}

const repliesEmptyObject = (r) => (r.code === 0 && r.stdout === '{}' ? null : `exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr.slice(0, 200))}`)
const hookSpooled = (r) => (r.code === 0 && r.stdout === '' ? null : `exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}`)
const curlRefused = (r) => (r.code === 7 ? null : `curl exit ${r.code} (expected 7, connection refused)`)

async function measure(variants, rounds, warmup) {
  await interleaved(warmup, variants.map((v) => v.run))
  for (const v of variants) v.failures.length = 0
  const samples = await interleaved(rounds, variants.map((v) => v.run))
  return variants.map((v, i) => ({ name: v.name, stats: summarize(samples[i]), failures: v.failures.length, firstFailure: v.failures[0] ?? null }))
}

const pair = (s) => `p50 ${fmtMs(s.p50)} / p99 ${fmtMs(s.p99)}`

function line(name, m, base, note) {
  const ratio = m.stats.p50 / base.stats.p50
  const failed = m.failures + base.failures
  return resultLine({
    name,
    figure: pair(m.stats),
    baseline: pair(base.stats),
    ratio,
    target: `p50 ≤ ${TARGET}×`,
    pass: ratio <= TARGET && failed === 0,
    data: { stats: m.stats, baseline: base.stats, baselineName: base.name, p99Ratio: m.stats.p99 / base.stats.p99, failures: m.failures, baselineFailures: base.failures, firstFailure: m.firstFailure ?? base.firstFailure, note },
  })
}

export async function benchHookOverhead({ quick }) {
  const rounds = quick ? 150 : 1000
  const warmup = quick ? 10 : 30
  const server = await startSmServer({ label: 'hook' })
  const noop = await startNoopServer()
  const lines = []
  try {
    const managed = await server.createManagedSession('bench-hook')
    const home = tempDir('hook-client')
    // The hook's data dir (where it would spool); the server has its own.
    const hookData = tempDir('hook-data')
    const spool = join(hookData, 'spool')
    const env = { ...baseEnv(home), CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: hookData }
    const managedEnv = { ...env, CLAUDE_SESSION_MANAGER_ID: managed.id, CLAUDE_SESSION_MANAGER_TOKEN: managed.token }
    const noopEnv = { ...env, CLAUDE_SESSIONS_URL: noop.url }

    // --- server up
    log(`hook overhead, server up: ${rounds} rounds × 4 variants (interleaved), ${warmup} warm-up rounds`)
    const up = await measure(
      [
        variant('curl → no-op server (baseline)', curlScript(noop.url), baseEnv(home), repliesEmptyObject),
        variant('sm-hook → server, external session', hookScript, env, repliesEmptyObject),
        variant('sm-hook → server, managed session', hookScript, managedEnv, repliesEmptyObject),
        variant('sm-hook → no-op server', hookScript, noopEnv, repliesEmptyObject),
      ],
      rounds,
      warmup,
    )
    const [base, external, managedRun, hookNoop] = up
    lines.push(line('hook PreToolUse, external session', external, base))
    lines.push(line('hook PreToolUse, managed session', managedRun, base))
    lines.push({
      ...line('  (diag) sm-hook → no-op server', hookNoop, base, 'the script alone, without the real server'),
      target: '',
      pass: null,
    })

    // --- server down: connection refused, the hook spools the payload
    const port = await closedPort()
    const downUrl = `http://127.0.0.1:${port}`
    const downEnv = { ...env, CLAUDE_SESSIONS_URL: downUrl }
    rmSync(spool, { recursive: true, force: true })
    log(`hook overhead, server down (port ${port} closed): ${rounds} rounds × 2 variants, ${warmup} warm-up rounds`)
    const hookDown = variant('sm-hook → closed port (spools)', hookScript, downEnv, hookSpooled)
    const curlDown = variant('curl → closed port (baseline)', curlScript(downUrl), baseEnv(home), curlRefused)
    await interleaved(warmup, [curlDown.run, hookDown.run])
    rmSync(spool, { recursive: true, force: true })
    curlDown.failures.length = 0
    hookDown.failures.length = 0
    const samples = await interleaved(rounds, [curlDown.run, hookDown.run])
    const files = readdirSync(spool)
    const spooled = files.filter((f) => f.endsWith('.json')).length
    const leftovers = files.length - spooled
    rmSync(spool, { recursive: true, force: true })
    const down = { name: hookDown.name, stats: summarize(samples[1]), failures: hookDown.failures.length, firstFailure: hookDown.failures[0] ?? null }
    const downBase = { name: curlDown.name, stats: summarize(samples[0]), failures: curlDown.failures.length, firstFailure: curlDown.failures[0] ?? null }
    const downLine = line('hook PreToolUse, server down (spool)', down, downBase)
    downLine.data.spooledFiles = spooled
    downLine.data.expectedSpooledFiles = rounds
    downLine.data.leftoverFiles = leftovers
    if (spooled !== rounds || leftovers !== 0) downLine.pass = false
    lines.push(downLine)
    lines.push(
      resultLine({
        name: '  spool files written',
        figure: `${spooled} of ${rounds}`,
        target: `= ${rounds}, no .tmp`,
        pass: spooled === rounds && leftovers === 0,
        data: { spooled, expected: rounds, leftovers },
      }),
    )
  } finally {
    await noop.stop()
    await server.stop()
  }
  return lines
}

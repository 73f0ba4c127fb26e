// Policy round trip: a PreToolUse of `rm -rf ./build` (the real payload) through hooks/sm-hook to
// the real server, for three managed sessions run interleaved: one under the default profile
// (logged, reply `{}`), one under `strict` (reply: deny), one under a profile that asks. The
// policy must cost nothing noticeable: deny and ask against none, same run, target ≤ 1.1×.
// Also, as a diagnostic, the server's own handling time (Server-Timing) of each over HTTP.
import { Agent, request } from 'node:http'
import { HOOK, PAYLOAD, baseEnv, fmtMs, interleaved, log, resultLine, shQuote, startSmServer, summarize, tempDir, timedRun } from './support.mjs'

const TARGET = 1.1
const EXTRA_CONFIG = 'policy:\n  profiles:\n    careful: { recursive_delete: ask }\n'

const decisionOf = (stdout) => {
  try {
    return JSON.parse(stdout).hookSpecificOutput?.permissionDecision ?? 'none'
  } catch {
    return `unparsable ${JSON.stringify(stdout.slice(0, 100))}`
  }
}

function variant(name, env, expected) {
  const v = {
    name,
    failures: [],
    async run() {
      const r = await timedRun('sh', ['-c', `${shQuote(HOOK)} PreToolUse`], { env, input: PAYLOAD })
      const got = r.code === 0 ? decisionOf(r.stdout) : `exit ${r.code}`
      if (got !== expected) v.failures.push(`expected ${expected}, got ${got}`)
      return r.ms
    },
  }
  return v
}

/** Server handling time of one PreToolUse over a keep-alive connection, from its Server-Timing header. */
function serverMs(agent, url, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': PAYLOAD.length, ...headers } }, (res) => {
      res.resume()
      res.on('end', () => resolve(Number(/dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '')?.[1] ?? NaN)))
    })
    req.on('error', reject)
    req.end(PAYLOAD)
  })
}

const pair = (s) => `p50 ${fmtMs(s.p50)} / p99 ${fmtMs(s.p99)}`

export async function benchPolicy({ quick }) {
  const rounds = quick ? 150 : 600
  const warmup = quick ? 10 : 30
  const server = await startSmServer({ label: 'policy', extraConfig: EXTRA_CONFIG })
  const lines = []
  try {
    const home = tempDir('policy-client')
    const hookData = tempDir('policy-hook-data')
    const envOf = (s) => ({ ...baseEnv(home), CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: hookData, CLAUDE_SESSION_MANAGER_ID: s.id, CLAUDE_SESSION_MANAGER_TOKEN: s.token })
    const sessions = {
      none: await server.createManagedSession('bench-policy-none'),
      deny: await server.createManagedSession('bench-policy-deny', 'strict'),
      ask: await server.createManagedSession('bench-policy-ask', 'careful'),
    }
    const variants = [variant('no policy (logged)', envOf(sessions.none), 'none'), variant('strict (deny)', envOf(sessions.deny), 'deny'), variant('careful (ask)', envOf(sessions.ask), 'ask')]
    log(`policy round trip: ${rounds} rounds × 3 variants (interleaved), ${warmup} warm-up rounds`)
    await interleaved(warmup, variants.map((v) => v.run))
    for (const v of variants) v.failures.length = 0
    const samples = await interleaved(rounds, variants.map((v) => v.run))
    const stats = samples.map(summarize)
    const base = stats[0]
    lines.push(resultLine({ name: 'PreToolUse round trip, no policy', figure: pair(base), target: '', pass: variants[0].failures.length === 0 ? null : false, data: { stats: base, failures: variants[0].failures.length, firstFailure: variants[0].failures[0] ?? null } }))
    for (const i of [1, 2]) {
      const ratio = stats[i].p50 / base.p50
      const failed = variants[i].failures.length + variants[0].failures.length
      lines.push(
        resultLine({
          name: `PreToolUse round trip, ${variants[i].name}`,
          figure: pair(stats[i]),
          baseline: pair(base),
          ratio,
          target: `p50 ≤ ${TARGET}×`,
          pass: ratio <= TARGET && failed === 0,
          data: { stats: stats[i], baseline: base, p99Ratio: stats[i].p99 / base.p99, failures: variants[i].failures.length, firstFailure: variants[i].failures[0] ?? variants[0].failures[0] ?? null },
        }),
      )
    }

    // diagnostic: the server's own time per decision, without process start-up noise
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const url = `${server.url}/hooks/PreToolUse`
    const handling = { none: [], deny: [], ask: [] }
    const calls = Object.keys(handling).map((k) => async () => {
      const ms = await serverMs(agent, url, { 'x-sm-session': sessions[k].id, authorization: `Bearer ${sessions[k].token}` })
      handling[k].push(ms)
      return ms
    })
    await interleaved(quick ? 200 : 2000, calls)
    agent.destroy()
    for (const [k, values] of Object.entries(handling)) {
      const s = summarize(values.filter((v) => Number.isFinite(v)))
      lines.push(resultLine({ name: `  (diag) server handling, ${k}`, figure: pair(s), target: '', pass: null, data: { stats: s } }))
    }
  } finally {
    await server.stop()
  }
  return lines
}

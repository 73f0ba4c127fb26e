// `sm status` cold start: a fresh `node apps/sm/bin/sm.cjs status` process against the running
// server (operator token from the data dir; two managed sessions and one external session
// registered), against a bare `node -e 0`. `sm --version` is reported alongside. Interleaved.
import {
  PAYLOAD,
  SM_BIN,
  baseEnv,
  fmtMs,
  interleaved,
  log,
  resultLine,
  startSmServer,
  summarize,
  tempDir,
  timedRun,
} from './support.mjs'

const TARGET = 1.5

export async function benchColdStart({ quick }) {
  const rounds = quick ? 10 : 20
  const warmup = 3
  const server = await startSmServer({ label: 'cold' })
  const lines = []
  try {
    await server.createManagedSession('bench-one')
    await server.createManagedSession('bench-two')
    const hook = await fetch(`${server.url}/hooks/PreToolUse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PAYLOAD })
    if (!hook.ok) throw new Error(`registering the external session: ${hook.status}`)

    // No config file in HOME: a client without one is the common case (and reads no YAML).
    const env = { ...baseEnv(tempDir('cold-client')), CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: server.dataDir }
    const node = process.execPath
    const failures = { node: [], status: [], version: [] }
    let statusOutput = ''
    let versionOutput = ''
    const variants = [
      async () => {
        const r = await timedRun(node, ['-e', '0'], { env })
        if (r.code !== 0) failures.node.push(`exit ${r.code}`)
        return r.ms
      },
      async () => {
        const r = await timedRun(node, [SM_BIN, 'status'], { env })
        if (r.code !== 0 || !r.stdout.includes('bench-one') || !r.stdout.includes('bench-two')) {
          failures.status.push(`exit ${r.code}: ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`)
        }
        statusOutput = r.stdout
        return r.ms
      },
      async () => {
        const r = await timedRun(node, [SM_BIN, '--version'], { env })
        if (r.code !== 0 || r.stdout.trim() === '') failures.version.push(`exit ${r.code}: ${r.stderr.slice(0, 200)}`)
        versionOutput = r.stdout.trim()
        return r.ms
      },
    ]
    log(`cold start: ${rounds} rounds × (node -e 0, sm status, sm --version), interleaved, ${warmup} warm-up rounds`)
    await interleaved(warmup, variants)
    for (const f of Object.values(failures)) f.length = 0
    const [nodeMs, statusMs, versionMs] = await interleaved(rounds, variants)
    const base = summarize(nodeMs)
    const status = summarize(statusMs)
    const version = summarize(versionMs)
    const baseline = `node -e 0: ${fmtMs(base.p50)}`
    lines.push(
      resultLine({
        name: 'sm status, cold start (median)',
        figure: fmtMs(status.p50),
        baseline,
        ratio: status.p50 / base.p50,
        target: `≤ ${TARGET}×`,
        pass: status.p50 / base.p50 <= TARGET && failures.status.length === 0 && failures.node.length === 0,
        data: { stats: status, baseline: base, failures: failures.status, output: statusOutput },
      }),
      resultLine({
        name: 'sm --version, cold start (median)',
        figure: fmtMs(version.p50),
        baseline,
        ratio: version.p50 / base.p50,
        data: { stats: version, baseline: base, failures: failures.version, version: versionOutput },
      }),
    )
  } finally {
    await server.stop()
  }
  return lines
}

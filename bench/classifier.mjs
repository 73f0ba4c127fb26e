// The audit classifier over the labeled corpus: commands per second, and the time per command
// (p50/p99 over every corpus entry, many rounds). Baseline: JSON.parse + JSON.stringify of the
// same entry, a floor any per-event work pays anyway. Uses the built @claude-sessions/core/audit.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO, fmtMs, log, resultLine, summarize } from './support.mjs'

const P99_TARGET_MS = 1

export async function benchClassifier({ quick }) {
  const core = await import(join(REPO, 'packages/core/dist/audit/index.js'))
  const corpus = readFileSync(join(REPO, 'packages/core/fixtures/audit/corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
  const context = { cwd: '/home/tester/project', home: '/home/tester' }
  const classify = (e) => (e.tool ? core.classifyToolUse(e.tool, e.toolInput, context) : core.classifyCommand(e.input, context))
  const rounds = quick ? 20 : 200
  log(`classifier: ${corpus.length} corpus entries × ${rounds} rounds`)
  for (const e of corpus) classify(e) // warm-up
  const times = []
  const baseline = []
  let flagged = 0
  const t0 = process.hrtime.bigint()
  for (let r = 0; r < rounds; r++) {
    for (const e of corpus) {
      const a = process.hrtime.bigint()
      const v = classify(e)
      const b = process.hrtime.bigint()
      JSON.stringify(JSON.parse(JSON.stringify(e)))
      const c = process.hrtime.bigint()
      times.push(Number(b - a) / 1e6)
      baseline.push(Number(c - b) / 1e6)
      if (v.destructive || v.sensitive) flagged++
    }
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6
  const stats = summarize(times)
  const base = summarize(baseline)
  const perSecond = (corpus.length * rounds) / (times.reduce((a, b) => a + b, 0) / 1000)
  return [
    resultLine({
      name: 'classifier, time per command',
      figure: `p50 ${fmtMs(stats.p50)} / p99 ${fmtMs(stats.p99)}`,
      baseline: `JSON round trip p50 ${fmtMs(base.p50)}`,
      ratio: stats.p50 / base.p50,
      target: `p99 < ${P99_TARGET_MS} ms`,
      pass: stats.p99 < P99_TARGET_MS,
      data: { stats, baseline: base },
    }),
    resultLine({
      name: '  classifier throughput',
      figure: `${Math.round(perSecond).toLocaleString('en-US')} commands/s`,
      data: { perSecond, entries: corpus.length, rounds, flagged: flagged / rounds, wallMs: totalMs },
    }),
  ]
}

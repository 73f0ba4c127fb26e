// Benchmarks of claude-sessions. `pnpm bench` (setup, then this), or `node bench/run.mjs`.
//
//   node bench/run.mjs [--only hook|ingest|streams|cold|classifier|policy|delivery|spawn|telegram|web[,…]] [--quick] [--profile]
//
// Prints a report (figure, baseline measured in the same run, ratio, target, PASS/FAIL) and
// writes the same figures to .bench/latest.json (and .bench/<time>.json). Figures are wall
// times on a shared machine: read ratios, not absolutes. The exit code is 0 whatever the
// figures; 1 only when a benchmark could not run.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, release } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchClassifier } from './classifier.mjs'
import { benchColdStart } from './cold-start.mjs'
import { benchDelivery } from './delivery.mjs'
import { benchHookOverhead } from './hook-overhead.mjs'
import { benchIngest } from './ingest.mjs'
import { benchPolicy } from './policy.mjs'
import { benchSpawn } from './spawn.mjs'
import { benchStreams } from './streams.mjs'
import { benchTelegram } from './telegram.mjs'
import { benchWeb } from './web.mjs'
import { REPO, TMUX_SOCKET, cleanupSync, killTmux, printTable } from './support.mjs'

const BENCHES = {
  hook: { title: 'Hook overhead (hooks/sm-hook vs curl, one process per event)', run: benchHookOverhead },
  ingest: { title: 'HTTP transport: latency, ingest under load, durability', run: benchIngest },
  streams: { title: 'Hook path with 200 SSE subscribers and 1,000 idle connections', run: benchStreams },
  cold: { title: 'CLI cold start', run: benchColdStart },
  classifier: { title: 'Audit classifier', run: benchClassifier },
  policy: { title: 'Policy decision on PreToolUse (deny / ask profile vs none)', run: benchPolicy },
  delivery: { title: 'Message delivery latency (Stop hook reply, typed), fake agent', run: benchDelivery },
  spawn: { title: '20 children spawned at once by one parent, fake agent', run: benchSpawn },
  telegram: { title: 'Telegram: Stop → message at the Bot API, button press → permission answered (fake Bot API)', run: benchTelegram },
  web: { title: 'Web dashboard in Chromium: hook → DOM, key → echo, pages watching, load and bundle', run: benchWeb },
}

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  process.stdout.write(
    'usage: node bench/run.mjs [--only hook|ingest|streams|cold|classifier|policy|delivery|spawn|telegram|web[,...]] [--quick] [--profile]\n' +
      '  --quick    smaller counts (hook 150 rounds, ingest 3 s, cold 10 runs, delivery 20 messages, spawn 1 round, telegram 40 turns, web 40 changes and 20 keys)\n' +
      '  --profile  run the ingest server with --cpu-prof into .bench/profiles\n' +
      '             (summarize with: node bench/profile-summary.mjs <file.cpuprofile>)\n',
  )
  process.exit(0)
}
const selected = (values.only ?? Object.keys(BENCHES)).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)
for (const name of selected) {
  if (!(name in BENCHES)) {
    process.stderr.write(`bench: unknown benchmark '${name}' (one of: ${Object.keys(BENCHES).join(', ')})\n`)
    process.exit(1)
  }
}
if (!existsSync(join(REPO, 'apps/sm/dist/sm.cjs'))) {
  process.stderr.write('bench: apps/sm/dist is missing; run `sh tooling/setup.sh` (or `pnpm bench`)\n')
  process.exit(1)
}
for (const tool of ['tmux', 'curl']) {
  if (spawnSync(tool, ['-V'], { stdio: 'ignore' }).error) {
    process.stderr.write(`bench: ${tool} is needed\n`)
    process.exit(1)
  }
}

const outDir = join(REPO, '.bench')
const profileDir = values.profile ? join(outDir, 'profiles') : null
if (profileDir) mkdirSync(profileDir, { recursive: true })

const startedAt = new Date()
const machine = {
  node: process.version,
  platform: `${platform()} ${release()}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '',
  loadavgBefore: loadavg(),
  curl: spawnSync('curl', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
}
process.stdout.write(
  `claude-sessions benchmarks — ${startedAt.toISOString()}${values.quick ? ' (quick)' : ''}\n` +
    `node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadavgBefore.map((l) => l.toFixed(2)).join(' ')}\n` +
    `tmux socket ${TMUX_SOCKET}; times are wall clock, medians unless stated\n`,
)

const sections = []
let failed = false
for (const name of selected) {
  const bench = BENCHES[name]
  const t0 = Date.now()
  let lines = []
  let error = null
  try {
    lines = await bench.run({ quick: values.quick, profileDir })
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e)
    failed = true
    killTmux()
  }
  const seconds = (Date.now() - t0) / 1000
  sections.push({ name, title: bench.title, seconds, error, results: lines })
  process.stdout.write(`\n## ${bench.title}  (${seconds.toFixed(0)} s)\n\n`)
  if (error) process.stdout.write(`ERROR: ${error}\n`)
  else printTable(lines)
}

machine.loadavgAfter = loadavg()
const all = sections.flatMap((s) => s.results)
const judged = all.filter((l) => l.pass !== null)
const passed = judged.filter((l) => l.pass).length
process.stdout.write(
  `\n${passed}/${judged.length} targets met${failed ? '; some benchmarks did not run' : ''}. ` +
    `load after ${machine.loadavgAfter.map((l) => l.toFixed(2)).join(' ')}\n`,
)

const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  options: { only: selected, quick: values.quick, profile: values.profile },
  machine,
  summary: { targets: judged.length, passed, failed: judged.length - passed },
  sections: sections.map((s) => ({
    ...s,
    results: s.results.map((l) => ({ name: l.name.trim(), ...(l.note ? { note: true } : {}), figure: l.figure, baseline: l.baseline, ratio: l.ratio, target: l.target, pass: l.pass, data: l.data })),
  })),
}
mkdirSync(outDir, { recursive: true })
const json = `${JSON.stringify(report, null, 2)}\n`
writeFileSync(join(outDir, 'latest.json'), json)
writeFileSync(join(outDir, `${startedAt.toISOString().replaceAll(':', '-')}.json`), json)
process.stdout.write(`figures written to .bench/latest.json\n`)
if (profileDir) process.stdout.write(`CPU profiles in .bench/profiles (node bench/profile-summary.mjs <file>)\n`)
cleanupSync()
process.exitCode = failed ? 1 : 0

// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, e.g. `node bench/run.mjs --only ingest
// --profile`): self time by function and by module (a dependency, a workspace package, node
// internals), and inclusive time of a few functions of interest.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 30]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } })
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]\n')
  process.exit(1)
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))
const top = Number(values.top)

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// self time per node from samples and timeDeltas (µs)
const selfUs = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  const dt = profile.timeDeltas[i + 1] ?? 0
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt)
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

function moduleOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)'
  if (url.startsWith('node:')) return 'node:internal'
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm) return nm[1]
  const ws = /\/(packages|apps)\/([^/]+)\//.exec(url)
  if (ws) return `${ws[1]}/${ws[2]}`
  return url.replace(/^file:\/\//, '')
}

const fnSelf = new Map()
const modSelf = new Map()
for (const [id, us] of selfUs) {
  const { callFrame: f } = byId.get(id)
  const name = f.functionName || '(anonymous)'
  const short = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '').replace(/.*\/work\/main\//, '')}:${f.lineNumber + 1}` : ''
  const key = `${name}  ${short}`
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us)
  const mod = moduleOf(f.url, name)
  modSelf.set(mod, (modSelf.get(mod) ?? 0) + us)
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`
process.stdout.write(`total sampled ${(total / 1e6).toFixed(2)} s\n\nself time by module:\n`)
for (const [m, us] of [...modSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)} ${ms(us)}  ${m}\n`)
process.stdout.write(`\nself time by function (top ${top}):\n`)
for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)} ${ms(us)}  ${k}\n`)

// inclusive time: a sample counts once for every distinct function name on its stack
const incl = new Map()
for (const [id, us] of selfUs) {
  const seen = new Set()
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const { callFrame: f } = byId.get(n)
    const key = `${f.functionName || '(anonymous)'}  ${moduleOf(f.url, f.functionName)}`
    if (seen.has(key)) continue
    seen.add(key)
    incl.set(key, (incl.get(key) ?? 0) + us)
  }
}
process.stdout.write(`\ninclusive time (top ${top}, excluding the root frames):\n`)
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith('(root)')).slice(0, top)) {
  process.stdout.write(`${pct(us)} ${ms(us)}  ${k}\n`)
}

// Shared pieces of the benchmarks: paths, child processes, the servers under test and the
// no-op baseline server, statistics and the report table. Plain Node ESM, no dependencies. Over
// 400 lines on purpose: every benchmark imports this one toolbox, and its parts are small.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
export const SM_BIN = join(REPO, 'apps/sm/bin/sm.cjs')
export const HOOK = join(REPO, 'hooks/sm-hook')
export const NOOP_SERVER = join(REPO, 'bench/noop-server.mjs')
/** The scriptable fake Claude Code of the e2e tests (prompt markers such as [[slow:MS]]). */
export const FAKE_CLAUDE = join(REPO, 'packages/e2e/src/support/fake-claude.mjs')
export const PAYLOAD_FILE = join(REPO, 'packages/core/fixtures/payloads/PreToolUse.Bash.json')
/** The real PreToolUse payload (the fixture is pretty-printed), as Claude Code sends it: one line of JSON. */
export const PAYLOAD = Buffer.from(`${JSON.stringify(JSON.parse(readFileSync(PAYLOAD_FILE, 'utf8')))}\n`)
export const PAYLOAD_SESSION_ID = JSON.parse(PAYLOAD.toString('utf8')).session_id

/** One private tmux socket for the whole run; every server of the run uses it. */
export const TMUX_SOCKET = `sm-bench-${process.pid}`

// ---------------------------------------------------------------- temp dirs and cleanup

let root = null
/** A fresh directory under this run's temp root (removed at exit). */
export function tempDir(prefix) {
  root ??= mkdtempSync(join(tmpdir(), 'sm-bench-'))
  return mkdtempSync(join(root, `${prefix}-`))
}

const children = new Set()

/** Stops whatever is still running (by pid, only our own children) and removes temp files. */
export function cleanupSync() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  children.clear()
  killTmux()
  // tmux may leave its socket file behind; it is ours alone (sm-bench-<pid>)
  const uid = process.getuid?.()
  if (uid !== undefined) rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, TMUX_SOCKET), { force: true })
  if (root !== null) {
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    root = null
  }
}

export function killTmux() {
  spawnSync('tmux', ['-L', TMUX_SOCKET, 'kill-server'], { stdio: 'ignore' })
}

/**
 * Ends the agents of this run's tmux server while their server is still up (their SessionEnd
 * hooks are answered, nothing is spooled into a directory about to be removed): the tmux server
 * is killed, then the panes' processes are awaited (at most 10 s).
 */
async function endAgents() {
  const panes = spawnSync('tmux', ['-L', TMUX_SOCKET, 'list-panes', '-a', '-F', '#{pane_pid}'], { encoding: 'utf8' })
  const pids = (panes.stdout ?? '').split('\n').map(Number).filter((pid) => pid > 0)
  killTmux()
  const alive = (pid) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const deadline = Date.now() + 10_000
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
}

process.once('exit', cleanupSync)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanupSync()
    process.exit(130)
  })
}

// ---------------------------------------------------------------- child processes

/** A minimal environment: nothing of the caller's leaks into the processes measured. */
export function baseEnv(home) {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C' }
}

/**
 * Spawns `command args`, writes `input` to its stdin, and resolves when it has exited and
 * its output is closed. `ms` is the wall time from just before spawn() to then.
 */
export function timedRun(command, args, { env, input = null }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    child.stdin.on('error', () => {}) // a child may exit before reading stdin (EPIPE)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      resolve({ ms, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
    child.stdin.end(input ?? undefined)
  })
}

/** `sh -c '<script>'`: the script is one shell word, single-quoted where needed. */
export const shQuote = (s) => (/^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`)

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export function closedPort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

function waitForListening(proc, label) {
  return new Promise((resolve, reject) => {
    let err = ''
    const timer = setTimeout(() => fail(new Error(`${label} did not start within 20 s: ${err}`)), 20_000)
    const onExit = (code) => fail(new Error(`${label} exited (${code}) before listening: ${err}`))
    const fail = (e) => {
      clearTimeout(timer)
      proc.off('exit', onExit)
      reject(e)
    }
    proc.stderr.setEncoding('utf8')
    proc.stderr.on('data', function onData(d) {
      err = (err + d).slice(-20_000)
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        proc.off('exit', onExit)
        // keep draining stderr so the child never blocks on a full pipe (its lines stay readable)
        proc.stderr.off('data', onData)
        proc.stderrText = err
        proc.stderr.on('data', (more) => (proc.stderrText = (proc.stderrText + more).slice(-20_000)))
        resolve(m[1])
      }
    })
    proc.once('exit', onExit)
  })
}

function stopProcess(proc, signal = 'SIGTERM', timeoutMs = 15_000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode })
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }, timeoutMs)
    proc.once('exit', (code, sig) => {
      clearTimeout(timer)
      children.delete(proc)
      resolve({ code, signal: sig })
    })
    process.kill(proc.pid, signal)
  })
}

/**
 * The real server: `node apps/sm/bin/sm.cjs server --port 0` on 127.0.0.1 with a temp data dir,
 * this run's private tmux socket, and an agent that just sleeps (`sh -c 'exec sleep 600'`).
 * `nodeArgs` go before the script (e.g. --cpu-prof). `stop()` sends SIGTERM (the server flushes
 * the event buffer and closes the database) and waits for the exit.
 *
 * `agent: 'fake'`: the agent is fake-claude.mjs instead, with the hooks installed by
 * `sm hooks install --settings` into a private HOME (as the e2e tests do); it logs every hook it
 * runs to `fakeLog` (JSON lines: `t` when the hook returned, `duration_ms`, `json` its reply).
 * `agentEnv` adds FAKE_CLAUDE_* settings (the idle notification is off).
 */
export async function startSmServer({ label = 'server', nodeArgs = [], extraConfig = '', agent = 'sleep', agentEnv = {} } = {}) {
  const dir = tempDir(label)
  const dataDir = join(dir, 'data')
  const config = join(dir, 'config.yaml')
  let home = dir
  let fakeLog = null
  let claude = `claude:\n  command: sh\n  args: ['-c', 'exec sleep 600']\n`
  if (agent === 'fake') {
    home = join(dir, 'home')
    mkdirSync(join(home, '.claude'), { recursive: true })
    const installed = spawnSync(process.execPath, [SM_BIN, 'hooks', 'install', '--settings', join(home, '.claude', 'settings.json')], { env: baseEnv(home), encoding: 'utf8' })
    if (installed.status !== 0) throw new Error(`sm hooks install failed: ${installed.stderr}`)
    fakeLog = join(dir, 'fake.jsonl')
    claude = `claude:\n  command: ${JSON.stringify(process.execPath)}\n  args: [${JSON.stringify(FAKE_CLAUDE)}, '--permission-mode', 'default']\n`
  }
  writeFileSync(config, `${claude}${extraConfig}`)
  const env = {
    ...baseEnv(home),
    CLAUDE_SESSIONS_DATA_DIR: dataDir,
    CLAUDE_SESSIONS_TMUX_SOCKET: TMUX_SOCKET,
    CLAUDE_SESSIONS_CONFIG: config,
    ...(agent === 'fake' ? { FAKE_CLAUDE_LOG: fakeLog, FAKE_CLAUDE_IDLE_NOTIFY_MS: '0', ...agentEnv } : {}),
  }
  const proc = spawn(process.execPath, [...nodeArgs, SM_BIN, 'server', '--port', '0', '--host', '127.0.0.1'], {
    env,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  children.add(proc)
  const url = await waitForListening(proc, `sm server (${label})`)
  const operatorToken = readFileSync(join(dataDir, 'operator-token'), 'utf8').trim()
  return {
    url,
    dir,
    dataDir,
    database: join(dataDir, 'sessions.db'),
    operatorToken,
    pid: proc.pid,
    proc,
    fakeLog,
    /** A JSON API call as the operator, or as the managed session `as` ({ id, token }). */
    async api(method, path, body, as) {
      const auth = as ? { authorization: `Bearer ${as.token}`, 'x-sm-session': as.id } : { authorization: `Bearer ${operatorToken}` }
      const res = await fetch(url + path, {
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return JSON.parse(text)
    },
    /** The web dashboard's address (once the server printed it). */
    webUrl: () => waitUntil(() => /web dashboard on (http:\/\/\S+)/.exec(proc.stderrText ?? '')?.[1], { timeoutMs: 10_000, message: 'the web dashboard line' }),
    /** A one-time login link to the web dashboard. */
    async webLogin() {
      return (await this.api('POST', '/web/login', {})).url
    },
    /** A managed session (tmux terminal running the sleeping agent) and its own token. */
    async createManagedSession(name, policy) {
      const { session } = await this.api('POST', '/sessions', { workingDir: dir, name, ...(policy ? { policy } : {}) })
      const line = spawnSync('tmux', ['-L', TMUX_SOCKET, 'show-environment', '-t', session.tmuxSession, 'CLAUDE_SESSION_MANAGER_TOKEN'], {
        encoding: 'utf8',
      })
      const token = line.stdout.trim().split('=').slice(1).join('=')
      if (line.status !== 0 || token === '') throw new Error(`no token for ${session.id}: ${line.stderr}`)
      return { id: session.id, token }
    },
    async stop() {
      if (agent === 'fake') await endAgents()
      const r = await stopProcess(proc)
      killTmux()
      return r
    },
  }
}

/** The baseline: a node:http server that reads the body and replies `{}`, in its own process. */
export async function startNoopServer() {
  const proc = spawn(process.execPath, [NOOP_SERVER], { stdio: ['ignore', 'ignore', 'pipe'] })
  children.add(proc)
  const url = await waitForListening(proc, 'no-op server')
  return { url, pid: proc.pid, stop: () => stopProcess(proc) }
}

// ---------------------------------------------------------------- statistics

/** Quantile q in [0, 1] of sorted values, linear interpolation between closest ranks. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    n: sorted.length,
    min: sorted[0],
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
    mean: sum / sorted.length,
  }
}

export const median = (values) => summarize(values).p50

/** Runs the variants round-robin, rotating the order each round, so noise hits all of them alike. */
export async function interleaved(rounds, variants) {
  const samples = variants.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (r + k) % variants.length
      samples[v].push(await variants[v]())
    }
  }
  return samples
}

// ---------------------------------------------------------------- report

export const fmtMs = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`)
export const fmtRatio = (r) => `${r.toFixed(2)}×`
export const fmtInt = (n) => Math.round(n).toLocaleString('en-US')

/**
 * One line of the report. `figure`/`baseline` are display strings; `data` is what goes to
 * the JSON file. `pass` is null for informational lines (no target).
 */
export function resultLine({ name, figure, baseline = '', ratio = null, target = '', pass = null, data = {} }) {
  return { name, figure, baseline, ratio, target, pass, data }
}

/** A free-text remark printed under the section's table (kept in the JSON too). */
export function noteLine(text, data = {}) {
  return { name: 'note', figure: text, baseline: '', ratio: null, target: '', pass: null, note: true, data }
}

export function printTable(all, out = process.stdout) {
  const head = ['benchmark', 'figure', 'baseline', 'ratio', 'target', 'result']
  const lines = all.filter((l) => !l.note)
  const rows = lines.map((l) => [
    l.name,
    l.figure,
    l.baseline,
    l.ratio === null ? '' : fmtRatio(l.ratio),
    l.target,
    l.pass === null ? 'info' : l.pass ? 'PASS' : 'FAIL',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const fmt = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  out.write(`${fmt(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`)
  for (const r of rows) out.write(`${fmt(r)}\n`)
  for (const l of all.filter((x) => x.note)) out.write(`note: ${l.figure}\n`)
}

// ---------------------------------------------------------------- CPU accounting (Linux)

let ticksPerSecond = null
/** CPU time (user + system) a process has used so far, in ms; null where /proc is missing. */
export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  } catch {
    return null
  }
}

/** CPU time the process's reaped children used (cutime + cstime), in ms; null without /proc. */
export function childCpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond
  } catch {
    return null
  }
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in KiB; null without /proc. */
export function memKbOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') }
  } catch {
    return null
  }
}

/** Polls `check` (sync or async) every `intervalMs` until it returns a truthy value, which is returned. */
export async function waitUntil(check, { timeoutMs = 30_000, intervalMs = 20, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

export const log = (msg) => process.stderr.write(`[bench] ${msg}\n`)

/** One hook POST over a keep-alive connection: reply body and the server's own time (Server-Timing). */
export function postHook(agent, url, headers, payload) {
  const body = Buffer.from(JSON.stringify(payload))
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers } }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), serverMs: Number(/dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '')?.[1] ?? NaN) }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

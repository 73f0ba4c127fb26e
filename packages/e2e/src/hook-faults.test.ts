/**
 * Faults on the hook path, with the real pieces: the server as its own process (`sm server`),
 * the real hook script run by sh for every event, real SQLite. 20 agents fire 200 events each
 * while the server is killed with -9, or stopped with SIGTERM, in the middle, and started again
 * on the same port: every event must be stored exactly once (live, or from the spool).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanBaseEnv } from './support/claude-home.js'
import { SmApi, SM_HOOK, startSmServer, writeSmConfig, type SmServer } from './support/sm-harness.js'
import { killServer, makeTempDir, privateSocket, removeDir, waitFor } from './support/tmux-harness.js'

const AGENTS = 20
const EVENTS = 200

interface World {
  root: string
  dataDir: string
  configPath: string
  socket: string
  env: Record<string, string>
  server: SmServer
  /** Every server process of this world, the current one last. */
  servers: SmServer[]
  api: SmApi
}

const worlds: World[] = []
const agents: ChildProcess[] = []

afterEach(async () => {
  for (const a of agents.splice(0)) if (a.exitCode === null) a.kill('SIGKILL')
  for (const w of worlds.splice(0)) {
    await w.server.stop()
    await killServer(w.socket)
    removeDir(w.root)
  }
})

async function startWorld(prefix: string): Promise<World> {
  const root = makeTempDir(`${prefix}-`)
  const dataDir = join(root, 'data')
  const configPath = join(root, 'config.yaml')
  const socket = privateSocket(prefix)
  // the watchdog imports the spool every second (and the server does at start)
  writeSmConfig(configPath, { command: 'true', watchdogIntervalSeconds: 1, logLevel: 'info' })
  const env = cleanBaseEnv({ HOME: root })
  const server = await startSmServer({ env, dataDir, socket, configPath })
  const world: World = { root, dataDir, configPath, socket, env, server, servers: [server], api: new SmApi(() => world.server.url, dataDir) }
  worlds.push(world)
  return world
}

const restart = async (w: World): Promise<void> => {
  w.server = await startSmServer({ env: w.env, dataDir: w.dataDir, socket: w.socket, configPath: w.configPath, port: w.server.port })
  w.servers.push(w.server)
}

/** Events the servers imported from the spool (their logs say how many at each import). */
function importedFromSpool(w: World): number {
  let n = 0
  for (const server of w.servers) {
    for (const line of server.log().split('\n')) {
      if (!line.includes('imported spooled hook events')) continue
      n += (JSON.parse(line) as { imported: number }).imported
    }
  }
  return n
}

/**
 * One agent: a shell loop firing `EVENTS` PostToolUse hooks through the real script, one after
 * the other as Claude Code does, each with a unique tool_use_id. Prints a line per event.
 */
function startAgent(w: World, agent: number, onEvent: () => void): Promise<void> {
  const payload = `{"session_id":"fault-${agent}","hook_event_name":"PostToolUse","cwd":"/tmp","tool_name":"Bash","tool_use_id":"toolu_${agent}_%s","tool_input":{"command":"echo %s"},"tool_response":{"stdout":"%s"}}`
  const script = `i=1; while [ $i -le ${EVENTS} ]; do printf '${payload}\\n' $i $i $i | sh "$1" PostToolUse; echo $i; i=$((i + 1)); done`
  const child = spawn('sh', ['-c', script, 'sh', SM_HOOK], {
    env: { ...w.env, CLAUDE_SESSIONS_URL: w.server.url, CLAUDE_SESSIONS_DATA_DIR: w.dataDir, CLAUDE_SESSIONS_HOOK_TIMEOUT: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  agents.push(child)
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (d: string) => {
    for (const ch of d) if (ch === '\n') onEvent()
  })
  return new Promise((resolve) => child.on('close', () => resolve()))
}

/** Every agent's stored tool_use_ids: how many distinct, and how many rows in all. */
async function stored(w: World): Promise<{ distinct: number; rows: number; audit: number }> {
  let distinct = 0
  let rows = 0
  let audit = 0
  for (let a = 0; a < AGENTS; a++) {
    let events: { toolUseId: string | null }[] = []
    try {
      events = await w.api.events(`fault-${a}`)
    } catch {
      continue // not seen yet
    }
    rows += events.length
    distinct += new Set(events.map((e) => e.toolUseId)).size
  }
  const token = (await import('node:fs')).readFileSync(join(w.dataDir, 'operator-token'), 'utf8').trim()
  const res = await fetch(`${w.server.url}/tools/stats?by=session`, { headers: { authorization: `Bearer ${token}` } })
  const stats = (await res.json()) as { rows: { key: string; events: number }[] }
  for (const row of stats.rows) if (row.key.startsWith('fault-')) audit += row.events
  return { distinct, rows, audit }
}

/** Fires the burst; when `atEvent` events have been fired, runs `fault`. Waits until every event is stored. */
async function burstWithFault(w: World, atEvent: number, fault: () => Promise<void>) {
  let fired = 0
  let faulted: Promise<void> | null = null
  const done = Promise.all(
    Array.from({ length: AGENTS }, (_, a) =>
      startAgent(w, a, () => {
        fired++
        if (fired === atEvent) faulted = fault()
      }),
    ),
  )
  await done
  await faulted
  expect(fired).toBe(AGENTS * EVENTS)
  const total = AGENTS * EVENTS
  let last = { distinct: 0, rows: 0, audit: 0 }
  await waitFor(
    async () => {
      last = await stored(w)
      return last.distinct === total && last.audit >= total
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch(() => undefined)
  const spoolLeft = existsSync(join(w.dataDir, 'spool')) ? readdirSync(join(w.dataDir, 'spool')).filter((f) => f.endsWith('.json')) : []
  const rejected = existsSync(join(w.dataDir, 'spool', 'rejected')) ? readdirSync(join(w.dataDir, 'spool', 'rejected')) : []
  const spooled = importedFromSpool(w)
  console.log(
    `hook faults: fired ${total}, stored ${last.distinct} distinct in ${last.rows} rows (audit ${last.audit}); ` +
      `lost ${total - last.distinct}, duplicated ${last.rows - last.distinct}; ${spooled} came through the spool; spool left ${spoolLeft.length}, rejected ${rejected.length}`,
  )
  // the fault really hit the burst: some events could only be stored from the spool
  expect(spooled).toBeGreaterThan(0)
  return { ...last, total, spoolLeft: spoolLeft.length, rejected: rejected.length }
}

describe('hook events are stored exactly once through faults (20 agents x 200 events, real hook script)', () => {
  it('kill -9 in the middle of the burst, then a restart on the same port: 0 lost, 0 duplicated', async () => {
    const w = await startWorld('sm-fault-kill')
    const r = await burstWithFault(w, 1300, async () => {
      await w.server.kill9()
      await new Promise((resolve) => setTimeout(resolve, 300))
      await restart(w)
    })
    expect(r).toMatchObject({ distinct: r.total, rows: r.total, audit: r.total, spoolLeft: 0, rejected: 0 })
  })

  it('SIGTERM in the middle of the burst (a graceful stop: exit 0, lock released), then a restart: 0 lost, 0 duplicated', async () => {
    const w = await startWorld('sm-fault-term')
    let exit: number | string = 'none'
    let lockLeft = true
    const r = await burstWithFault(w, 1300, async () => {
      await w.server.stop()
      exit = await w.server.exited
      lockLeft = existsSync(join(w.dataDir, 'server.lock'))
      await restart(w)
    })
    expect(exit).toBe(0)
    expect(lockLeft).toBe(false)
    expect(r).toMatchObject({ distinct: r.total, rows: r.total, audit: r.total, spoolLeft: 0, rejected: 0 })
  })

  it('an event spooled in an earlier outage is imported once, and a repeated id (sent and spooled) counts once', async () => {
    const w = await startWorld('sm-fault-spool')
    const spool = join(w.dataDir, 'spool')
    mkdirSync(spool, { recursive: true })
    const id = '0f1e2d3c-4b5a-4697-8877-665544332211'
    const body = (n: number) => `{"session_id":"fault-0","hook_event_name":"PostToolUse","tool_name":"Bash","tool_use_id":"toolu_0_${n}","tool_input":{"command":"x"}}`
    // sent live with an id...
    const live = await fetch(`${w.server.url}/hooks/PostToolUse`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sm-event': id }, body: body(1) })
    expect(live.status).toBe(200)
    // ...and spooled under the same id (the hook could not tell whether it was stored)
    writeFileSync(join(spool, `${id}-PostToolUse-_.json`), body(1))
    // an older outage's file from a pid-named hook, and a new one with a fresh id
    writeFileSync(join(spool, '4242-0-PostToolUse-_.json'), body(2))
    writeFileSync(join(spool, '9f1e2d3c-4b5a-4697-8877-665544332211-PostToolUse-_.json'), body(3))
    await waitFor(() => readdirSync(spool).filter((f) => f.endsWith('.json')).length === 0, { timeoutMs: 10_000 })
    // a second outage leaves a file with the same pid-based name as the first: a different event, imported too
    writeFileSync(join(spool, '4242-0-PostToolUse-_.json'), body(4))
    await waitFor(() => readdirSync(spool).filter((f) => f.endsWith('.json')).length === 0, { timeoutMs: 10_000 })
    const events = await w.api.events('fault-0')
    expect(events.map((e) => e.toolUseId).sort()).toEqual(['toolu_0_1', 'toolu_0_2', 'toolu_0_3', 'toolu_0_4'])
  })
})

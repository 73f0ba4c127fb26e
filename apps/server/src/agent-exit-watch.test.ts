/**
 * The agent-exit watch with real parts: a real tmux server on a private socket, a real SQLite
 * file, the real SessionService; the agent is a program in the pane that draws Claude's idle
 * input box. `kill -9` of the agent must stop the session within a second.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { SessionService } from '@claude-sessions/core/services'
import { openSqliteStore, type SqliteStore } from '@claude-sessions/store-sqlite'
import { TmuxMultiplexer } from '@claude-sessions/tmux'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { randomIds, sha256, systemClock } from './clock-and-ids.js'
import { isDirectory } from './host-checks.js'
import { startAgentExitWatch, type AgentExitWatch } from './agent-exit-watch.js'
import { processAlive } from './proc.js'
import { cleanup, silentLog, testConfig, waitFor } from './test-support.js'

const config = testConfig()
let store: SqliteStore
let mux: TmuxMultiplexer
let service: SessionService
let watch: AgentExitWatch | undefined
const freed: string[] = []

const paneBox = (text: string) => `printf '\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\n\\342\\235\\257\\302\\240${text}\\n\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\n'`

/** A SessionService on the real store and tmux, running `agentCommand`. */
const serviceFor = (agentCommand: string[]): SessionService =>
  new SessionService({
    sessions: store.sessions,
    events: store.events,
    mux,
    clock: systemClock,
    ids: randomIds,
    hashToken: sha256,
    isDirectory,
    config: {
      agentCommand,
      env: {},
      unsetEnv: [],
      rawEventCap: 4096,
      delivery: { settleMs: 20, confirmMs: 500, pollMs: 20, hookGraceMs: 50 },
      staleMs: 20_000,
      interruptSettleMs: 1000,
      startWaitMs: 2000,
    },
  })

beforeAll(() => {
  store = openSqliteStore({ path: join(config.dataDir, 'sessions.db') })
  mux = new TmuxMultiplexer({ socket: config.tmuxSocket })
  service = serviceFor(['sh', '-c', `${paneBox('')}; exec sleep 600`])
})

afterEach(() => {
  watch?.stop()
  watch = undefined
})

afterAll(() => {
  store.close()
  cleanup(config)
})

const pidOf = async (terminal: string): Promise<number> => (await mux.programPids()).get(terminal)!

describe('agent exit watch', () => {
  it('kill -9 of the agent: the session is stopped within 1 s', async () => {
    watch = startAgentExitWatch({ service, mux, log: silentLog(), intervalMs: 250 })
    const s = await service.create({ workingDir: config.dataDir, name: 'victim' })
    const other = await service.create({ workingDir: config.dataDir, name: 'bystander' })
    const pid = await waitFor(() => pidOf(s.tmuxSession!), 5000, 20)
    await watch.tick() // the watch knows both pids
    const killedAt = Date.now()
    process.kill(pid, 'SIGKILL') // the agent this test started, by its pid
    await waitFor(() => service.resolve(s.id).state === 'stopped' || undefined, 3000, 20)
    const noticedMs = Date.now() - killedAt
    console.info(`[agent-exit-watch] kill -9 noticed, session stopped after ${noticedMs} ms`)
    expect(noticedMs).toBeLessThanOrEqual(1500)
    expect(processAlive(pid)).toBe(false)
    expect(service.resolve(other.id).state).toBe('starting') // the other agent still runs: untouched
    await service.kill(other.id)
  })

  it('an agent that ends normally (SIGTERM, like /exit) stops its session at once too', async () => {
    watch = startAgentExitWatch({ service, mux, log: silentLog(), intervalMs: 250 })
    const s = await service.create({ workingDir: config.dataDir })
    const pid = await waitFor(() => pidOf(s.tmuxSession!), 5000, 20)
    await watch.tick()
    const started = Date.now()
    process.kill(pid, 'SIGTERM') // the agent this test started, by its pid
    await waitFor(() => service.resolve(s.id).state === 'stopped' || undefined, 3000, 20)
    const noticedMs = Date.now() - started
    console.info(`[agent-exit-watch] SIGTERM exit noticed, session stopped after ${noticedMs} ms`)
    expect(noticedMs).toBeLessThanOrEqual(1500)
  })

  it('tells when a held input box is empty again', async () => {
    // the box holds a person's draft; on any key the program redraws it empty
    const held = serviceFor(['sh', '-c', `${paneBox('a draft')}; stty -icanon -echo; dd bs=1 count=1 2>/dev/null >/dev/null; clear; ${paneBox('')}; exec sleep 600`])
    watch = startAgentExitWatch({ service: held, mux, log: silentLog(), intervalMs: 100, heldIntervalMs: 100, onInputFreed: (id) => freed.push(id) })
    const s = await held.create({ workingDir: config.dataDir })
    await waitFor(async () => (await mux.capture(s.tmuxSession!)).includes('a draft') || undefined, 5000, 20)
    await expect(held.input(s.id, 'our text')).rejects.toMatchObject({ code: 'delivery_failed', message: expect.stringContaining('someone is writing') })
    expect(await mux.capture(s.tmuxSession!)).not.toContain('our text')
    await watch.tick()
    expect(freed).toEqual([])
    execFileSync('tmux', ['-L', config.tmuxSocket, 'send-keys', '-t', `=${s.tmuxSession}:`, 'x'])
    await waitFor(() => freed.includes(s.id) || undefined, 3000, 20).catch(async (e) => {
      throw new Error(`${e}; screen:\n${await mux.capture(s.tmuxSession!)}`)
    })
    expect(held.heldInputs()).toEqual([])
    await held.kill(s.id)
  })
})

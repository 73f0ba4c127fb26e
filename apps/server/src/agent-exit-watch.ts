import type { Multiplexer } from '@claude-sessions/core'
import type { SessionService } from '@claude-sessions/core/services'
import type { Logger } from './logger.js'
import { processAlive } from './proc.js'

export interface AgentExitWatchOptions {
  service: Pick<SessionService, 'watchedAgents' | 'agentExited' | 'recheckHeld'>
  mux: Pick<Multiplexer, 'programPids'>
  log: Pick<Logger, 'info' | 'warn'>
  /** How often the agents' pids are checked (a signal-0 probe each: no process is started). Default 250 ms. */
  intervalMs?: number
  /** How often sessions whose input box held someone's text are looked at again. Default 1 s. */
  heldIntervalMs?: number
  /** A held input box is empty again: what waits for that session may be typed now. */
  onInputFreed?: (sessionId: string) => void
  /** Whether a process is alive; default `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean
}

export interface AgentExitWatch {
  stop(): void
  /** One pass now (tests). */
  tick(): Promise<void>
}

/** After this long with a dead agent but its terminal still there, the watchdog is left to judge. */
const GIVE_UP_MS = 5000
/** Terminals not found in tmux's pane list are looked up again at most this often. */
const LOOKUP_MS = 1000

/**
 * Notices an agent's exit (crash, `kill -9`, `/exit`) within `intervalMs`, instead of at the
 * next watchdog pass: the pid of each managed live session's program comes from tmux once, then
 * a signal-0 probe per tick tells whether it still runs. When it is gone, the session service
 * decides (the session stops when its terminal went with it). Also rechecks held input boxes.
 */
export function startAgentExitWatch(options: AgentExitWatchOptions): AgentExitWatch {
  const { service, mux, log } = options
  const isAlive = options.isAlive ?? processAlive
  const pids = new Map<string, { terminal: string; pid: number }>()
  /** Sessions seen with a dead agent (or no program): since when. */
  const dead = new Map<string, number>()
  const lookedUp = new Map<string, number>()
  let running = false
  let lastHeldCheck = 0

  /** When each dead agent's terminal was last asked about. */
  const deadChecked = new Map<string, number>()

  async function exited(sessionId: string, now: number): Promise<void> {
    const since = dead.get(sessionId) ?? now
    dead.set(sessionId, since)
    if (now - since > GIVE_UP_MS) return
    // the terminal still there: asked again once a LOOKUP_MS, not on every tick
    if (now - (deadChecked.get(sessionId) ?? -Infinity) < LOOKUP_MS) return
    deadChecked.set(sessionId, now)
    const stopped = await service.agentExited(sessionId)
    if (stopped) {
      log.info({ session: sessionId, afterMs: now - since }, 'agent exited: session stopped')
      pids.delete(sessionId)
      dead.delete(sessionId)
      deadChecked.delete(sessionId)
    }
  }

  async function pass(): Promise<void> {
    if (!mux.programPids) return
    const now = Date.now()
    const agents = service.watchedAgents()
    const watched = new Set(agents.map((a) => a.sessionId))
    for (const id of pids.keys()) if (!watched.has(id)) pids.delete(id)
    for (const id of dead.keys()) if (!watched.has(id)) dead.delete(id)
    for (const id of deadChecked.keys()) if (!watched.has(id)) deadChecked.delete(id)
    for (const id of lookedUp.keys()) if (!watched.has(id)) lookedUp.delete(id)

    const unknown = agents.filter((a) => pids.get(a.sessionId)?.terminal !== a.terminal && now - (lookedUp.get(a.sessionId) ?? 0) >= LOOKUP_MS)
    if (unknown.length > 0) {
      const byTerminal = await mux.programPids()
      for (const a of unknown) {
        lookedUp.set(a.sessionId, now)
        const pid = byTerminal.get(a.terminal)
        if (pid !== undefined) pids.set(a.sessionId, { terminal: a.terminal, pid })
        else await exited(a.sessionId, now) // no running program (or no terminal) already
      }
    }
    for (const [id, { pid }] of pids) {
      if (!isAlive(pid)) await exited(id, now)
    }

    if (now - lastHeldCheck >= (options.heldIntervalMs ?? 1000)) {
      lastHeldCheck = now
      for (const id of await service.recheckHeld()) options.onInputFreed?.(id)
    }
  }

  const tick = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      await pass()
    } catch (error) {
      log.warn({ err: error }, 'agent exit watch failed')
    } finally {
      running = false
    }
  }

  const timer = setInterval(() => void tick(), options.intervalMs ?? 250)
  timer.unref()
  return {
    stop: () => clearInterval(timer),
    tick,
  }
}

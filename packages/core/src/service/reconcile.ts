import type { Clock } from '../ports/clock.js'
import type { Multiplexer } from '../ports/multiplexer.js'
import type { SessionStore } from '../ports/session-store.js'
import { paneIsIdle } from '../session/pane-state.js'
import type { SessionEvent } from '../session/reducer.js'
import { isLive, newSession, type Session } from '../session/session.js'

/** What the watchdog works with: the service's stores and ports, and its reducer step. */
export interface WatchdogDeps {
  sessions: SessionStore
  mux: Multiplexer
  clock: Clock
  /** A working session with no event for this long gets its screen checked. */
  staleMs: number
  /** One-way hash of a session token (an adopted terminal's token is kept as its hash). */
  hashToken(token: string): string
  /** Sessions whose terminal create() is starting right now: the watchdog leaves them alone. */
  starting: ReadonlySet<string>
  /** The service's reducer step: runs the event, stores the session, tells the effect listeners. */
  apply(id: string, event: SessionEvent): Session
}

export interface Reconciled {
  stopped: string[]
  idled: string[]
  adopted: string[]
}

/**
 * Brings the registry in line with tmux: sessions whose terminal is gone are stopped; working
 * or waiting sessions silent for `staleMs` whose screen shows the idle input line return to
 * idle (not `starting` ones: without SessionStart they stay starting).
 * Live `claude-*` terminals we have no record of are adopted.
 */
export async function reconcile(deps: WatchdogDeps, options: { adopt?: boolean } = {}): Promise<Reconciled> {
  const { sessions, mux, clock } = deps
  // sessions first, terminals second: a session created in between is not judged by an older list
  const live = sessions.list()
  const terminals = new Set(await mux.list())
  const result: Reconciled = { stopped: [], idled: [], adopted: [] }
  for (const s of live) {
    // its terminal may not exist yet: create() is still starting it
    if (s.kind !== 'managed' || s.tmuxSession === null || deps.starting.has(s.id)) continue
    if (!terminals.has(s.tmuxSession)) {
      deps.apply(s.id, { kind: 'tmux_gone' })
      result.stopped.push(s.id)
      continue
    }
    const quietSince = s.lastEventAt ?? s.lastActivityAt
    // a dialog hides the input line, so a waiting session whose screen shows it was answered "No".
    // A session still `starting` never sent SessionStart (its hooks don't reach us): the screen
    // check must not hide that by calling it idle.
    const busy = s.state !== 'idle' && s.state !== 'error' && s.state !== 'starting'
    if (busy && clock.now() - quietSince >= deps.staleMs) {
      try {
        if (paneIsIdle(await mux.capture(s.tmuxSession))) {
          deps.apply(s.id, { kind: 'pane_idle' })
          result.idled.push(s.id)
        }
      } catch {
        // the terminal vanished between list and capture: the next pass stops it
      }
    }
  }
  if (options.adopt === true) {
    for (const terminal of terminals) {
      const id = /^claude-([0-9a-f]{8})$/.exec(terminal)?.[1]
      if (id === undefined || sessions.get(id)?.state === 'starting') continue
      const known = sessions.get(id)
      if (known && isLive(known)) continue
      result.adopted.push(await adopt(deps, id, terminal, known))
    }
  }
  return result
}

/** A live terminal of ours with no live session: its session comes back (or is made), idle or working as its screen says. */
async function adopt(deps: WatchdogDeps, id: string, terminal: string, known: Session | undefined): Promise<string> {
  const { sessions, mux, clock } = deps
  const now = clock.now()
  const idle = paneIsIdle(await mux.capture(terminal).catch(() => ''))
  if (known) {
    sessions.update({ ...known, state: idle ? 'idle' : 'working', stoppedAt: null, lastActivityAt: now, stateSince: now })
    return id
  }
  const session = newSession({ id, kind: 'managed', state: idle ? 'idle' : 'working', workingDir: '', tmuxSession: terminal, createdAt: now })
  const env = (await mux.environment?.(terminal).catch(() => undefined)) ?? {}
  const token = env['CLAUDE_SESSION_MANAGER_TOKEN']
  sessions.insert(session, token ? deps.hashToken(token) : null)
  return id
}

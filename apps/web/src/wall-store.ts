import type { DecisionDto, DecisionEndDto, SessionDto, WallSnapshotDto } from '@claude-sessions/api/client'

export type Connection = 'connecting' | 'live' | 'lost' | 'logged-out'

export interface WallState {
  sessions: ReadonlyMap<string, SessionDto>
  /** Requests waiting for a person, by id. */
  decisions: ReadonlyMap<string, DecisionDto>
  /** How the last requests ended (shown for a while where they were), by id. */
  ended: ReadonlyMap<string, { decision: DecisionDto; end: DecisionEndDto }>
  connection: Connection
  /** The server's clock minus ours (ms), from the last snapshot. */
  clockOffset: number
}

/**
 * The wall's sessions, kept from the push channel (`/api/web/events`): a snapshot on every
 * (re)connection, then one event per change. No polling: `EventSource` reconnects by itself and
 * the fresh snapshot replaces whatever was missed.
 */
export class WallStore {
  private state: WallState = { sessions: new Map(), decisions: new Map(), ended: new Map(), connection: 'connecting', clockOffset: 0 }
  private readonly openedListeners = new Set<(d: DecisionDto) => void>()
  private readonly erroredListeners = new Set<(s: SessionDto) => void>()
  private readonly listeners = new Set<() => void>()
  private source: EventSource | null = null
  private retry: ReturnType<typeof setTimeout> | undefined

  get snapshot(): WallState {
    return this.state
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Called for each request that starts waiting while the page is open (browser notifications). */
  onOpened(listener: (d: DecisionDto) => void): () => void {
    this.openedListeners.add(listener)
    return () => this.openedListeners.delete(listener)
  }

  /** Called for each session that turns to `error` while the page is open. */
  onErrored(listener: (s: SessionDto) => void): () => void {
    this.erroredListeners.add(listener)
    return () => this.erroredListeners.delete(listener)
  }

  start(): void {
    this.source?.close()
    const source = new EventSource('/api/web/events')
    this.source = source
    source.addEventListener('snapshot', (e) => {
      const snap = JSON.parse((e as MessageEvent<string>).data) as WallSnapshotDto
      this.set({
        sessions: new Map(snap.sessions.map((s) => [s.id, s])),
        decisions: new Map(snap.decisions.map((d) => [d.id, d])),
        ended: this.state.ended,
        connection: 'live',
        clockOffset: snap.now - Date.now(),
      })
    })
    source.addEventListener('session', (e) => {
      const { session } = JSON.parse((e as MessageEvent<string>).data) as { session: SessionDto }
      const before = this.state.sessions.get(session.id)
      if (session.state === 'error' && before !== undefined && before.state !== 'error') for (const listener of this.erroredListeners) listener(session)
      const sessions = new Map(this.state.sessions)
      sessions.set(session.id, session)
      this.set({ ...this.state, sessions })
    })
    source.addEventListener('decision', (e) => {
      const decision = JSON.parse((e as MessageEvent<string>).data) as DecisionDto
      const decisions = new Map(this.state.decisions)
      decisions.set(decision.id, decision)
      this.set({ ...this.state, decisions })
      for (const listener of this.openedListeners) listener(decision)
    })
    source.addEventListener('decided', (e) => {
      const end = JSON.parse((e as MessageEvent<string>).data) as DecisionEndDto
      const decision = this.state.decisions.get(end.id)
      if (decision === undefined) return
      const decisions = new Map(this.state.decisions)
      decisions.delete(end.id)
      const ended = new Map(this.state.ended)
      ended.set(end.id, { decision, end })
      this.set({ ...this.state, decisions, ended })
      setTimeout(() => {
        const later = new Map(this.state.ended)
        later.delete(end.id)
        this.set({ ...this.state, ended: later })
      }, 15_000)
    })
    source.addEventListener('gone', (e) => {
      const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string }
      const sessions = new Map(this.state.sessions)
      sessions.delete(id)
      this.set({ ...this.state, sessions })
    })
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        this.set({ ...this.state, connection: 'lost' })
        return
      }
      // refused (logged out, e.g. the server restarted) or cut: find out which, then retry
      void fetch('/api/web/me').then(
        (res) => {
          if (res.status === 401) this.set({ ...this.state, connection: 'logged-out' })
          else this.reconnectSoon()
        },
        () => this.reconnectSoon(),
      )
    }
  }

  stop(): void {
    clearTimeout(this.retry)
    this.source?.close()
    this.source = null
  }

  private reconnectSoon(): void {
    this.set({ ...this.state, connection: 'lost' })
    clearTimeout(this.retry)
    this.retry = setTimeout(() => this.start(), 1_000)
  }

  private set(next: WallState): void {
    this.state = next
    for (const listener of this.listeners) listener()
  }
}

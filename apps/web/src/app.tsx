import { useEffect, useState, useSyncExternalStore } from 'preact/compat'
import { Approvals } from './approvals.js'
import { AuditView } from './audit.js'
import { NotifyToggle, useBrowserNotifications } from './browser-notifications.js'
import { SessionPage } from './session-page.js'
import { liveDescendants } from './format.js'
import { Wall } from './wall.js'
import { WallStore, type Connection } from './wall-store.js'

const CONNECTION_TEXT: Record<Connection, string | null> = {
  connecting: 'Connecting…',
  live: null,
  lost: 'Connection lost — reconnecting',
  'logged-out': null,
}

function LoggedOut({ reason }: { reason?: string }) {
  return (
    <main class="notice">
      <h1>claude-sessions</h1>
      {reason !== undefined ? <p role="alert">{reason}</p> : null}
      <p>
        Not logged in. Run <code>sm web</code> and open the link it prints (or <code>sm web --open</code>). A link works once, within two minutes.
      </p>
    </main>
  )
}

type Route = { page: 'wall' } | { page: 'audit' } | { page: 'session'; id: string }

/** `#/` the wall, `#/s/<id>` a session, `#/audit` the tool audit. */
function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash)
  useEffect(() => {
    const onChange = (): void => setHash(window.location.hash)
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  if (hash === '#/audit') return { page: 'audit' }
  const m = /^#\/s\/([^/]+)$/.exec(hash)
  return m ? { page: 'session', id: decodeURIComponent(m[1]!) } : { page: 'wall' }
}

/** Re-renders every second, for the times shown. */
function useNow(offset: number): number {
  const [now, setNow] = useState(() => Date.now() + offset)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + offset), 1_000)
    return () => clearInterval(timer)
  }, [offset])
  return now
}

export function App({ loginError }: { loginError?: string }) {
  const [store] = useState(() => new WallStore())
  useEffect(() => {
    store.start()
    return () => store.stop()
  }, [store])
  const wall = useSyncExternalStore((notify) => store.subscribe(notify), () => store.snapshot)
  useBrowserNotifications(store)
  const route = useRoute()
  const now = useNow(wall.clockOffset)
  if (wall.connection === 'logged-out') return <LoggedOut {...(loginError !== undefined ? { reason: loginError } : {})} />
  const banner = CONNECTION_TEXT[wall.connection]
  return (
    <>
      <header>
        <a href="#/" class="brand">
          claude-sessions
        </a>
        <nav>
          <a href="#/">Sessions</a> <a href="#/audit">Audit</a>
        </nav>
        <span class={banner === null ? 'connection live' : 'connection'} role="status">
          {banner ?? 'live'}
        </span>
        <NotifyToggle />
      </header>
      <main>
        {route.page !== 'audit' ? (
          <Approvals decisions={wall.decisions} ended={wall.ended} {...(route.page === 'session' ? { sessionId: route.id } : {})} />
        ) : null}
        {route.page === 'wall' ? (
          <Wall wall={wall} now={now} />
        ) : route.page === 'audit' ? (
          <AuditView />
        ) : (
          <SessionPage id={route.id} session={wall.sessions.get(route.id)} now={now} descendants={liveDescendants([...wall.sessions.values()], route.id)} />
        )}
      </main>
    </>
  )
}

import { useEffect, useState, useSyncExternalStore } from 'preact/compat'
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

export function App({ loginError }: { loginError?: string }) {
  const [store] = useState(() => new WallStore())
  useEffect(() => {
    store.start()
    return () => store.stop()
  }, [store])
  const wall = useSyncExternalStore((notify) => store.subscribe(notify), () => store.snapshot)
  if (wall.connection === 'logged-out') return <LoggedOut {...(loginError !== undefined ? { reason: loginError } : {})} />
  const banner = CONNECTION_TEXT[wall.connection]
  return (
    <>
      <header>
        <a href="#/" class="brand">
          claude-sessions
        </a>
        {banner !== null ? (
          <span class="connection" role="status">
            {banner}
          </span>
        ) : (
          <span class="connection live" role="status">
            live
          </span>
        )}
      </header>
      <main>
        <Wall wall={wall} />
      </main>
    </>
  )
}

import { useEffect, useState } from 'preact/hooks'
import type { WallStore } from './wall-store.js'

const supported = (): boolean => typeof Notification !== 'undefined'

function notify(title: string, body: string, tag: string, sessionId: string): void {
  if (!supported() || Notification.permission !== 'granted' || !document.hidden) return
  const n = new Notification(title, { body, tag })
  n.onclick = () => {
    window.focus()
    window.location.hash = `#/s/${encodeURIComponent(sessionId)}`
  }
}

/**
 * While the page is in the background, a browser notification when a session starts needing a
 * person: a request starts waiting (permission, question), or a session turns to error. Once the
 * person allowed notifications.
 */
export function useBrowserNotifications(store: WallStore): void {
  useEffect(() => {
    const offOpened = store.onOpened((d) => notify(`${d.sessionName ?? d.sessionId} needs you`, d.kind === 'question' ? 'A question' : `Permission: ${d.toolName}`, d.id, d.sessionId))
    const offErrored = store.onErrored((s) => notify(`${s.name ?? s.id} stopped with an error`, s.workingDir, `error:${s.id}`, s.id))
    return () => {
      offOpened()
      offErrored()
    }
  }, [store])
}

/** Asks the browser for permission to notify (a button only while it has not been asked). */
export function NotifyToggle() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'))
  if (permission !== 'default') return null
  return (
    <button type="button" class="link" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Notify me when a session needs me
    </button>
  )
}

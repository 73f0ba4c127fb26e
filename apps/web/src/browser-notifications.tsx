import { useEffect, useState } from 'preact/hooks'
import type { WallStore } from './wall-store.js'

const supported = (): boolean => typeof Notification !== 'undefined'

/** While the page is in the background, a browser notification for each request that starts waiting (once allowed). */
export function useBrowserNotifications(store: WallStore): void {
  useEffect(
    () =>
      store.onOpened((d) => {
        if (!supported() || Notification.permission !== 'granted' || !document.hidden) return
        const n = new Notification(`${d.sessionName ?? d.sessionId} needs you`, {
          body: d.kind === 'question' ? 'A question' : `Permission: ${d.toolName}`,
          tag: d.id,
        })
        n.onclick = () => {
          window.focus()
          window.location.hash = `#/s/${encodeURIComponent(d.sessionId)}`
        }
      }),
    [store],
  )
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

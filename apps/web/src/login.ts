import { WEB_HEADERS } from './transport.js'

export type LoginOutcome = { ok: true } | { ok: false; message: string }

/** The one-time code `sm web` put in the URL's fragment (`#c=…`), removed from the address bar at once. */
export function takeLoginCode(): string | null {
  const match = /^#c=([A-Za-z0-9_-]+)$/.exec(window.location.hash)
  if (!match) return null
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}`)
  return match[1]!
}

/** Exchanges the code for the login cookie. */
export async function redeem(code: string): Promise<LoginOutcome> {
  const res = await fetch('/api/web/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...WEB_HEADERS },
    body: JSON.stringify({ code }),
  })
  if (res.ok) return { ok: true }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
  return { ok: false, message: body?.error?.message ?? `login failed (HTTP ${res.status})` }
}

/** True when the browser holds a live login cookie. */
export async function loggedIn(): Promise<boolean> {
  const res = await fetch('/api/web/me')
  return res.ok
}

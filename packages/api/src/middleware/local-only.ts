import { SessionsError } from '@claude-sessions/core'
import type { MiddlewareHandler } from 'hono'

/** A loopback authority, whole: `127.0.0.1`, `localhost` or `[::1]`, then `:` and digits or nothing. */
const LOCAL_AUTHORITY = /^(127\.0\.0\.1|localhost|\[::1\])(?::([0-9]{1,5}))?$/i

/** An Origin naming a loopback authority: `http://` and the authority, nothing before or after. */
const LOCAL_ORIGIN = /^http:\/\/([^/?#\s]*)$/i

/** The loopback host (lower case) and port (80 when absent: plain HTTP) of `authority`, or null. */
export function parseLocalAuthority(authority: string): { host: string; port: number } | null {
  const match = LOCAL_AUTHORITY.exec(authority)
  if (!match) return null
  const port = match[2] === undefined ? 80 : Number(match[2])
  if (port < 1 || port > 65_535) return null
  return { host: match[1]!.toLowerCase(), port }
}

/**
 * Refuses requests a browser page could have sent: a Host that isn't exactly a loopback name with
 * an optional port (DNS rebinding; no userinfo, path, trailing dot, space or look-alike gets
 * through) or an Origin other than our own (`http://` and the same host and port). Throws
 * `forbidden`.
 */
export function assertLocalRequest(host: string, origin: string | undefined): void {
  const ours = parseLocalAuthority(host)
  if (ours === null) throw new SessionsError('forbidden', `host ${JSON.stringify(host)} is not allowed`)
  if (origin === undefined) return
  const authority = LOCAL_ORIGIN.exec(origin)?.[1]
  const theirs = authority === undefined ? null : parseLocalAuthority(authority)
  if (theirs === null || theirs.host !== ours.host || theirs.port !== ours.port) {
    throw new SessionsError('forbidden', `origin ${JSON.stringify(origin)} is not allowed`)
  }
}

export const localOnly: MiddlewareHandler = async (c, next) => {
  // the URL's host comes from the Host header (node server), or from the request URL
  assertLocalRequest(c.req.header('host') ?? new URL(c.req.url).host, c.req.header('origin'))
  await next()
}

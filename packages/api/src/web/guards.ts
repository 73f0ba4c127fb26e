import { SessionsError } from '@claude-sessions/core'
import type { MiddlewareHandler } from 'hono'
import { parseLocalAuthority } from '../middleware/local-only.js'

/** A configured name with an optional port, nothing else. */
const NAMED_AUTHORITY = /^([a-z0-9.-]+)(?::([0-9]{1,5}))?$/i

export interface WebGuardOptions {
  /** Host names allowed besides the loopback ones (`web.allowed_hosts`), e.g. a TLS proxy's name. */
  allowedHosts?: readonly string[]
}

/** The Host header's name (lower case) when it is allowed, else null. */
export function allowedHost(host: string | undefined, allowed: readonly string[] = []): string | null {
  if (host === undefined) return null
  // the loopback names: the API port's own check
  const local = parseLocalAuthority(host.trim())
  if (local !== null) return local.host
  const m = NAMED_AUTHORITY.exec(host.trim())
  if (!m) return null
  const port = m[2] === undefined ? null : Number(m[2])
  if (port !== null && (port < 1 || port > 65_535)) return null
  const name = m[1]!.toLowerCase()
  return allowed.some((a) => a.toLowerCase() === name) ? name : null
}

/**
 * The request's Origin is exactly the server's own: `http://` plus the Host header as sent
 * (`https://` too for a configured name, which a TLS proxy serves). Whole-string equality,
 * never a prefix: `http://localhost.evil.example` is not `http://localhost`.
 */
export function sameOrigin(origin: string | undefined, host: string, allowed: readonly string[] = []): boolean {
  if (origin === undefined) return false
  const ours = host.trim().toLowerCase()
  const theirs = origin.trim().toLowerCase()
  if (theirs === `http://${ours}`) return true
  // https only for a configured name (a TLS proxy's); loopback is plain http
  return parseLocalAuthority(host.trim()) === null && allowedHost(host, allowed) !== null && theirs === `https://${ours}`
}

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/**
 * Every request: an allowed Host (DNS rebinding). Every state change: our exact Origin, a JSON
 * body and the `X-SM-Web: 1` header (CSRF: a cross-site simple request can send none of them).
 * Throws `forbidden`.
 */
export function assertWebRequest(
  request: { method: string; host: string | undefined; origin: string | undefined; contentType: string | undefined; smWeb: string | undefined; authorization?: string | undefined },
  options: WebGuardOptions = {},
): void {
  const allowed = options.allowedHosts ?? []
  if (allowedHost(request.host, allowed) === null) {
    throw new SessionsError('forbidden', `host ${JSON.stringify(request.host ?? '')} is not allowed`)
  }
  assertNoToken(request.authorization)
  if (SAFE_METHODS.has(request.method)) return
  if (!sameOrigin(request.origin, request.host!, allowed)) {
    throw new SessionsError('forbidden', `origin ${JSON.stringify(request.origin ?? '')} is not allowed`)
  }
  const type = request.contentType?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' || request.smWeb !== '1') {
    throw new SessionsError('forbidden', 'a state change needs Content-Type: application/json and X-SM-Web: 1')
  }
}

/**
 * The web port is for people: only the login cookie opens it. A bearer token (an agent's own, or
 * the operator's, which scripts use on the API port) is refused outright, so an agent learns at
 * once that it can't approve, answer or take control here.
 */
function assertNoToken(authorization: string | undefined): void {
  if (authorization !== undefined && authorization !== '') {
    throw new SessionsError('forbidden', 'the web dashboard takes only its login cookie: tokens (and so agents) are refused here; use the API port')
  }
}

/** A WebSocket upgrade: an allowed Host, no token, and our exact Origin (present). Throws `forbidden`. */
export function assertWebUpgrade(host: string | undefined, origin: string | undefined, options: WebGuardOptions = {}, authorization?: string): void {
  const allowed = options.allowedHosts ?? []
  if (allowedHost(host, allowed) === null) throw new SessionsError('forbidden', `host ${JSON.stringify(host ?? '')} is not allowed`)
  assertNoToken(authorization)
  if (!sameOrigin(origin, host!, allowed)) throw new SessionsError('forbidden', `origin ${JSON.stringify(origin ?? '')} is not allowed`)
}

/** The Content-Security-Policy of every web response: nothing but our own files, never framed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // the terminal renderer sets element styles and a style sheet of its own; scripts stay strict
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Security headers on every response (errors included), no CORS header ever. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next()
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  c.header('X-Frame-Options', 'DENY')
  c.header('Referrer-Policy', 'no-referrer')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cross-Origin-Opener-Policy', 'same-origin')
  c.header('Cross-Origin-Resource-Policy', 'same-origin')
}

/** `assertWebRequest` as hono middleware. */
export function webGuard(options: WebGuardOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    assertWebRequest(
      {
        method: c.req.method,
        host: c.req.header('host'),
        origin: c.req.header('origin'),
        contentType: c.req.header('content-type'),
        smWeb: c.req.header('x-sm-web'),
        authorization: c.req.header('authorization'),
      },
      options,
    )
    await next()
  }
}

import { SessionsError } from '@claude-sessions/core'
import type { MiddlewareHandler } from 'hono'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

const hostname = (host: string): string => {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/**
 * Refuses requests a browser page could have sent: a Host that isn't a loopback name
 * (DNS rebinding) or an Origin other than our own. Throws `forbidden`.
 */
export function assertLocalRequest(host: string, origin: string | undefined): void {
  if (!LOCAL_HOSTS.has(hostname(host).toLowerCase())) {
    throw new SessionsError('forbidden', `host '${host}' is not allowed`)
  }
  if (origin !== undefined) {
    let originHost = ''
    try {
      originHost = new URL(origin).host
    } catch {
      // unparsable origin: refused below
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) {
      throw new SessionsError('forbidden', `origin '${origin}' is not allowed`)
    }
  }
}

export const localOnly: MiddlewareHandler = async (c, next) => {
  // the URL's host comes from the Host header (node server), or from the request URL
  assertLocalRequest(c.req.header('host') ?? new URL(c.req.url).host, c.req.header('origin'))
  await next()
}

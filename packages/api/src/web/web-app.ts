import { SessionsError } from '@claude-sessions/core'
import type { DecisionQueue } from '@claude-sessions/core/services'
import { z } from 'zod'
import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { operatorRoutes, type OperatorRouteDeps } from '../app.js'
import { errorResponse, type ErrorLog } from '../errors.js'
import type { AuthEnv } from '../middleware/auth.js'
import { parseJson, parseWith } from '../schemas.js'
import { securityHeaders, webGuard } from './guards.js'
import { wallEvents } from './web-events.js'
import type { WebLogins } from './web-logins.js'

/** The page's files: path (`/index.html`, `/assets/app.js`…) → body and content type. */
export type StaticAssets = ReadonlyMap<string, { body: Uint8Array; type: string }>

export const WEB_COOKIE = 'sm_web'

export interface WebAppDeps extends OperatorRouteDeps {
  logins: WebLogins
  /** Without the built page, `/` says how to build it; the JSON routes still work. */
  assets: StaticAssets
  /** Host names allowed besides the loopback ones. */
  allowedHosts?: readonly string[]
  maxBodyBytes: number
  log?: ErrorLog
  /** The approval queue: its requests on the push channel, answered by `POST /api/web/decisions/:id`. */
  decisions?: DecisionQueue
}

const decisionBody = z
  .object({
    verdict: z.enum(['allow', 'always', 'deny', 'answer']),
    answers: z.record(z.string().max(10_000), z.string().max(10_000)).optional(),
  })
  .strict()

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>claude-sessions</title><p>The dashboard's page is not built: run <code>pnpm build</code> (or <code>npm start</code>) and reload.</p>`

/** The cookie a login set, or 401. Its holder is the operator (a person: agents never get one). */
const cookieAuth = (logins: WebLogins): MiddlewareHandler<AuthEnv> => {
  return async (c, next) => {
    if (!logins.verify(getCookie(c, WEB_COOKIE))) throw new SessionsError('unauthorized', 'not logged in: run `sm web` for a login link')
    c.set('actor', { kind: 'operator' })
    await next()
  }
}

/**
 * The web listener: the page's files, its login, its push channel and the operator routes behind
 * the login cookie, all behind the Host/Origin/CSRF guards and security headers (specs/0010-web.md).
 * The hook and bearer-token routes are not here: they live on the API port only.
 */
export function createWebApp(deps: WebAppDeps) {
  const { logins } = deps
  const app = new Hono<AuthEnv>()
  app.onError((err, c) => errorResponse(err, c, deps.log))
  app.notFound((c) => errorResponse(new SessionsError('not_found', `no route ${c.req.method} ${c.req.path}`), c))
  app.use('*', securityHeaders)
  app.use('*', webGuard({ allowedHosts: deps.allowedHosts ?? [] }))
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) => errorResponse(new SessionsError('payload_too_large', `body exceeds ${deps.maxBodyBytes} bytes`), c),
    }),
  )
  app.post('/api/web/login', async (c) => {
    const body = parseJson(await c.req.text()) as { code?: unknown } | null
    const session = logins.redeem(body?.code)
    setCookie(c, WEB_COOKIE, session, { httpOnly: true, sameSite: 'Strict', path: '/' })
    return c.body(null, 204)
  })
  app.post('/api/web/logout', (c) => {
    logins.logout(getCookie(c, WEB_COOKIE))
    deleteCookie(c, WEB_COOKIE, { path: '/' })
    return c.body(null, 204)
  })
  const auth = cookieAuth(logins)
  app.use('/api/*', auth)
  app.get('/api/web/me', (c) => c.json({ operator: true }))
  app.get('/api/web/events', () => wallEvents({ service: deps.service, now: deps.now, ...(deps.decisions !== undefined ? { decisions: deps.decisions } : {}) }))
  app.post('/api/web/decisions/:id', async (c) => {
    const { verdict, answers } = parseWith(decisionBody, parseJson(await c.req.text()), 'body')
    if (deps.decisions === undefined) throw new SessionsError('unavailable', 'no approval queue on this server')
    if (verdict === 'answer' && (answers === undefined || Object.keys(answers).length === 0)) throw new SessionsError('invalid_input', 'an answer needs answers')
    const answered = deps.decisions.answer(c.req.param('id'), { verdict, who: 'the operator', channel: 'web', ...(answers !== undefined ? { answers } : {}) })
    if (!answered) throw new SessionsError('not_found', 'this request is no longer waiting (answered elsewhere, or it ended), or the answer does not fit it')
    return c.json({ id: c.req.param('id'), answered: true })
  })
  // the cookie was checked for all of /api above: the routes need not check it again
  app.route('/api', operatorRoutes({ ...deps, rawStreams: undefined }, (_c, next) => next()))
  app.get('*', (c) => {
    const path = c.req.path === '/' ? '/index.html' : c.req.path
    const file = deps.assets.get(path)
    if (file === undefined) {
      if (path === '/index.html') return c.html(NOT_BUILT)
      throw new SessionsError('not_found', `no file ${c.req.path}`)
    }
    c.header('Content-Type', file.type)
    c.header('Cache-Control', path === '/index.html' ? 'no-store' : 'no-cache')
    return c.body(file.body as Uint8Array<ArrayBuffer>)
  })
  return app
}

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWebApp, terminalUpgrade, WebLogins, type WebLoginIssuer } from '@claude-sessions/api'
import { TmuxTerminalViewer } from '@claude-sessions/tmux'
import { getRequestListener } from '@hono/node-server'
import { operatorRouteDeps, type Services } from '../compose.js'
import { processEnv } from '../config/env.js'
import type { Config } from '../config/schema.js'
import { applyHttpLimits } from '../http-limits.js'
import type { Logger } from '../logger.js'
import { findWebAssetsDir, loadStaticAssets } from './static-assets.js'

export interface RunningWeb extends WebLoginIssuer {
  url: string
  close(): Promise<void>
}

/**
 * The web dashboard's listener on its own port (specs/0010-web.md). A port that can't be had is
 * logged and the server goes on without the page: hooks and `sm` matter more.
 */
export async function startWeb(
  config: Config & { web: NonNullable<Config['web']> },
  services: Services,
  log: Logger,
  assetsDir = findWebAssetsDir(),
): Promise<RunningWeb | null> {
  if (assetsDir === null) log.warn('the web dashboard is not built (apps/web/dist): its page says how to build it')
  const logins = new WebLogins({ now: Date.now })
  const { service, messages, decisions } = services
  const app = createWebApp({
    ...operatorRouteDeps(config, services),
    logins,
    decisions,
    assets: loadStaticAssets(assetsDir),
    allowedHosts: config.web.allowedHosts,
    maxBodyBytes: config.maxBodyBytes,
    log,
  })
  const http = createServer({ connectionsCheckingInterval: 1_000 }, getRequestListener(app.fetch))
  applyHttpLimits(http)
  const terminals = terminalUpgrade({
    service,
    viewer: new TmuxTerminalViewer({ socket: config.tmuxSocket, env: processEnv() }),
    logins,
    allowedHosts: config.web.allowedHosts,
    released: (id) => messages.retryQueued(id),
    log,
  })
  http.on('upgrade', (req, socket, head) => terminals.handle(req, socket, head))
  const address = await new Promise<AddressInfo | null>((resolve) => {
    http.once('error', (error) => {
      log.error({ err: error, port: config.web.port }, 'the web dashboard could not listen: going on without it')
      resolve(null)
    })
    http.listen(config.web.port, config.host, () => resolve(http.address() as AddressInfo))
  })
  if (address === null) return null
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  log.info({ url }, 'web dashboard listening')
  return {
    url,
    issueLogin() {
      const { code, expiresAt } = logins.issue()
      return { url: `${url}/#c=${code}`, expiresAt }
    },
    async close() {
      terminals.close()
      const closed = new Promise<void>((resolve) => http.close(() => resolve()))
      http.closeAllConnections()
      await closed
    },
  }
}

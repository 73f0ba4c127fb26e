import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Clock } from '@claude-sessions/core'
import type { ToolAuditor } from '@claude-sessions/core/audit'
import type { MessageService, SessionService } from '@claude-sessions/core/services'
import { getRequestListener } from '@hono/node-server'
import type { ApiDeps, createApp } from './app.js'
import { createHookListener } from './hook-listener.js'

/** The app's deps on core's fakes, as the tests build them; `overrides` for what a test needs otherwise. */
export function testDeps(
  parts: { service: SessionService; audit: ToolAuditor; messages: MessageService; clock: Clock; operatorToken: string },
  overrides: Partial<ApiDeps> = {},
): ApiDeps {
  const { service, audit, messages, clock, operatorToken } = parts
  return {
    service,
    audit,
    messages,
    agents: { spawnWaitTimeoutMs: 3_600_000, waitSettleMs: 2000 },
    operatorToken,
    version: 't',
    tmuxSocket: 's',
    maxBodyBytes: 1 << 20,
    startedAt: 0,
    now: () => clock.now(),
    ...overrides,
  }
}

/** `app` served on 127.0.0.1 as the server serves it: the hook fast path first, the router for the rest. */
export async function serveApp(app: ReturnType<typeof createApp>, service: SessionService, maxBodyBytes: number): Promise<{ server: Server; port: number; baseUrl: string }> {
  const routes = getRequestListener(app.fetch)
  const hooks = createHookListener({ service, maxBodyBytes })
  const server = createServer((req, res) => {
    if (!hooks(req, res)) void routes(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, port, baseUrl: `http://127.0.0.1:${port}` }
}

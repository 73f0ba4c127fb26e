/**
 * The web dashboard through a server crash and restart: the real server process, the fake agent
 * in tmux, real Chromium. A page open while the server dies says so; the restarted server (same
 * ports) has forgotten the browser's login (it lives in memory), and the page says how to get a new
 * one; the agent is never touched; a new link works.
 */
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, type TestBrowser } from './support/browser.js'
import { stopClaudeWorld } from './support/claude-world.js'
import { startFakeWorld, type FakeWorld } from './support/fake-world.js'
import { runSmJson, startSmServer, type SessionJson } from './support/sm-harness.js'
import { privateSocket, tmux } from './support/tmux-harness.js'

/** A port free now, whose next one is free too (the web listener takes the server's + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    const nextFree = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false))
      s.listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    if (nextFree && port < 65_000) return port
  }
}

describe('web dashboard through a server crash and restart', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-web-restart')
  let world: FakeWorld
  let browser: TestBrowser
  let port: number

  const restart = async () => {
    world.server = await startSmServer({ env: world.serverEnv, dataDir: world.dataDir, socket, configPath: world.configPath, port })
  }

  beforeAll(async () => {
    world = await startFakeWorld({ prefix: 'sm-e2e-web-restart', socket, config: () => ({ settleMs: 100 }) })
    // again on a known port, so the dashboard comes back where the page looks for it
    await world.server.stop()
    port = await freePortPair()
    await restart()
    browser = await launchBrowser()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await stopClaudeWorld(socket, { server: world?.server, root: world?.root })
  }, 120_000)

  it('kill -9 with a page open: the page says the connection is lost; after the restart it says how to log in again; the agent is untouched', async () => {
    const smEnv = { ...world.smEnv, CLAUDE_SESSIONS_URL: world.server.url }
    const s = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'steady'], smEnv)
    await world.api.waitForState(s.id, 'idle')
    const pid = (await tmux(socket, ['display-message', '-p', '-t', `=claude-${s.id}:`, '#{pane_pid}'])).stdout.trim()
    const page = await (await browser.context()).newPage()
    await page.goto((await runSmJson<{ url: string }>(['web', '--json'], smEnv)).url)
    await page.getByRole('listitem', { name: /^steady idle$/ }).waitFor()
    expect(new URL(page.url()).port).toBe(String(port + 1))

    await world.server.kill9()
    await page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ timeout: 15_000 })

    await restart()
    await page.getByText('Not logged in. Run sm web').waitFor({ timeout: 20_000 })
    expect((await tmux(socket, ['display-message', '-p', '-t', `=claude-${s.id}:`, '#{pane_pid}'])).stdout.trim()).toBe(pid)
    expect((await world.api.session(s.id)).state).toBe('idle')

    // a new link works, and the wall has the session as it was
    await page.goto((await runSmJson<{ url: string }>(['web', '--json'], smEnv)).url)
    await page.getByRole('listitem', { name: /^steady idle$/ }).waitFor()
    await page.close()
  })

  it('SIGTERM with a terminal open on the page: the server stops cleanly, the terminal says the connection is lost', async () => {
    const smEnv = { ...world.smEnv, CLAUDE_SESSIONS_URL: world.server.url }
    const [s] = (await runSmJson<SessionJson[]>(['ls', '--json'], smEnv)).filter((x) => x.name === 'steady')
    const page = await (await browser.context()).newPage()
    await page.goto((await runSmJson<{ url: string }>(['web', '--json'], smEnv)).url)
    await page.getByRole('listitem', { name: /^steady idle$/ }).getByRole('link', { name: 'steady' }).click()
    await page.getByRole('status').filter({ hasText: /^Read-only$/ }).waitFor()
    await world.server.stop()
    expect(await world.server.exited).toBe(0)
    await page.getByRole('status').filter({ hasText: 'Terminal connection lost' }).waitFor({ timeout: 15_000 })
    await page.close()
    await restart()
  })
})

/**
 * The web dashboard end to end: the real server process (`sm server`) with its web listener, the
 * real hook script, tmux on a private socket, fake-claude.mjs as the agent, and real Chromium
 * (playwright-core, Debian's chromium). What a person sees on the wall, and what another web page
 * in the same browser can't do.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, type TestBrowser } from './support/browser.js'
import { stopClaudeWorld } from './support/claude-world.js'
import { startFakeWorld, type FakeWorld } from './support/fake-world.js'
import { runSm, runSmJson, type SessionJson } from './support/sm-harness.js'
import { privateSocket, tmux } from './support/tmux-harness.js'

describe('web dashboard (real Chromium, fake agent)', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-web')
  let world: FakeWorld
  let browser: TestBrowser
  let web: string
  let alpha: SessionJson

  /** A logged-in page on the wall: the one-time link from `POST /web/login`, opened as a person would. */
  async function openWall(): Promise<Page> {
    const page = await (await browser.context()).newPage()
    await page.goto(await world.api.webLogin())
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor()
    return page
  }
  const row = (page: Page, name: string) => page.getByRole('listitem', { name: new RegExp(`^${name} `) })

  beforeAll(async () => {
    world = await startFakeWorld({ prefix: 'sm-e2e-web', socket, config: () => ({ settleMs: 100, watchdogIntervalSeconds: 1, staleSeconds: 3 }) })
    web = await world.server.webUrl()
    browser = await launchBrowser()
    alpha = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'alpha'], world.smEnv)
    await world.api.waitForState(alpha.id, 'idle')
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await stopClaudeWorld(socket, { server: world?.server, root: world?.root })
  }, 120_000)

  it('the login link leaves no code in the address bar, and the wall shows the session with its state word', async () => {
    const page = await openWall()
    expect(page.url()).toBe(`${web}/`)
    await expect.poll(() => row(page, 'alpha').getAttribute('aria-label')).toBe('alpha idle')
    expect(await row(page, 'alpha').textContent()).toContain(alpha.id)
    await page.close()
  })

  it('a state change reaches the open page without a reload: needs permission (sorted first), then idle', async () => {
    const beta = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'beta'], world.smEnv)
    await world.api.waitForState(beta.id, 'idle')
    const page = await openWall()
    let reloads = 0
    page.on('load', () => reloads++)
    await row(page, 'beta').waitFor()
    const sent = await runSm(['send', beta.id, 'run it [[permission]]'], world.smEnv)
    expect(sent.status, sent.stderr).toBe(0)
    await expect.poll(() => row(page, 'beta').getAttribute('aria-label'), { timeout: 15_000 }).toBe('beta needs permission')
    const first = await page.getByRole('listitem').first().getAttribute('aria-label')
    expect(first).toBe('beta needs permission')
    expect((await runSm(['key', beta.id, '1'], world.smEnv)).status).toBe(0)
    await expect.poll(() => row(page, 'beta').getAttribute('aria-label'), { timeout: 15_000 }).toBe('beta idle')
    expect((await runSm(['kill', beta.id], world.smEnv)).status).toBe(0)
    await expect.poll(() => row(page, 'beta').getAttribute('aria-label'), { timeout: 15_000 }).toBe('beta stopped')
    expect(reloads).toBe(0)
    await page.close()
  })

  it('a used login link does not log in again', async () => {
    const url = await world.api.webLogin()
    const first = await (await browser.context()).newPage()
    await first.goto(url)
    await first.getByRole('status').filter({ hasText: 'live' }).waitFor()
    const second = await (await browser.context()).newPage()
    await second.goto(url)
    await second.getByRole('alert').waitFor()
    expect(await second.getByRole('alert').textContent()).toMatch(/unknown, used or expired/)
    expect(await second.getByRole('listitem').count()).toBe(0)
    await first.close()
    await second.close()
  })

  describe('another web page in the same browser', () => {
    let evil: Server
    let evilOrigin: string

    beforeAll(async () => {
      evil = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><p>evil</p>'))
      await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r))
      evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((r) => evil.close(() => r())))

    it('can neither read the sessions nor change them, though the browser holds the login cookie', async () => {
      const victim = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'victim'], world.smEnv)
      await world.api.waitForState(victim.id, 'idle')
      const context = await browser.context()
      const own = await context.newPage()
      await own.goto(await world.api.webLogin())
      await own.getByRole('status').filter({ hasText: 'live' }).waitFor()
      const page = await context.newPage()
      await page.goto(`${evilOrigin}/`)
      const outcome = await page.evaluate(
        async ({ web, id }) => {
          const attempt = async (fn: () => Promise<Response>): Promise<string> => {
            try {
              const res = await fn()
              return res.type === 'opaque' ? 'opaque' : `status ${res.status}: ${await res.text()}`
            } catch (error) {
              return `refused: ${(error as Error).name}`
            }
          }
          return {
            read: await attempt(() => fetch(`${web}/api/sessions`, { credentials: 'include' })),
            kill: await attempt(() =>
              fetch(`${web}/api/sessions/${id}`, { method: 'DELETE', credentials: 'include', headers: { 'content-type': 'application/json', 'x-sm-web': '1' } }),
            ),
            // a "simple" cross-site POST goes out without a preflight: the server must refuse it
            send: await attempt(() =>
              fetch(`${web}/api/sessions/${id}/messages`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ text: 'pwned', mode: 'urgent' }) }),
            ),
          }
        },
        { web, id: victim.id },
      )
      expect(outcome.read).toBe('refused: TypeError')
      expect(outcome.kill).toBe('refused: TypeError')
      // the request leaves the browser (no preflight for a simple POST); the reply is opaque or, with
      // Cross-Origin-Resource-Policy, withheld: either way what counts is that the server refused it
      expect(outcome.send).toMatch(/^(opaque|refused: TypeError)$/)
      await new Promise((r) => setTimeout(r, 500))
      expect((await world.api.session(victim.id)).state).toBe('idle')
      expect(await world.api.messages(victim.id)).toEqual([])
      await context.close()
    })

    it('Host: evil.example gets 403 (DNS rebinding), on the page and the API routes alike', async () => {
      const port = Number(new URL(web).port)
      for (const path of ['/', '/api/sessions', '/api/web/events']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, headers: { host: 'evil.example' } }, (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          })
          req.on('error', reject)
          req.end()
        })
        expect(status, path).toBe(403)
      }
    })
  })

  it("an agent's own token gets no login link (403): agents are not people", async () => {
    const { stdout } = await tmux(socket, ['show-environment', '-t', `=claude-${alpha.id}`, 'CLAUDE_SESSION_MANAGER_TOKEN'])
    const token = stdout.trim().split('=')[1]!
    expect(token.length).toBeGreaterThan(10)
    const res = await fetch(`${world.server.url}/web/login`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-sm-session': alpha.id, 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(403)
  })
})

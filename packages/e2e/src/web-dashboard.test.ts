/**
 * The web dashboard end to end: the real server process (`sm server`) with its web listener, the
 * real hook script, tmux on a private socket, fake-claude.mjs as the agent, and real Chromium
 * (playwright-core, Debian's chromium). What a person sees on the wall, and what another web page
 * in the same browser can't do.
 */
import { readFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, type TestBrowser } from './support/browser.js'
import { stopClaudeWorld } from './support/claude-world.js'
import { startTcpProxy } from './support/tcp-proxy.js'
import { startFakeWorld, type FakeWorld } from './support/fake-world.js'
import { runSm, runSmJson, type SessionJson } from './support/sm-harness.js'
import { capture, privateSocket, tmux } from './support/tmux-harness.js'

describe('web dashboard (real Chromium, fake agent)', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-web')
  let world: FakeWorld
  let browser: TestBrowser
  let web: string
  let alpha: SessionJson

  /** A logged-in page on the wall: the one-time link from `POST /web/login`, opened as a person would. */
  async function openWall(): Promise<Page> {
    const page = await (await browser.context()).newPage()
    // the link as the person gets it: `sm web`
    const { url } = await runSmJson<{ url: string }>(['web', '--json'], world.smEnv)
    await page.goto(url)
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
    // time in state: counted from when it started waiting
    expect(await row(page, 'beta').getByTitle('time in this state').textContent()).toMatch(/^\d+s$/)
    const first = await page.getByRole('region', { name: 'Sessions' }).getByRole('listitem').first().getAttribute('aria-label')
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

  describe('the session page: the real terminal', () => {
    let gamma: SessionJson
    const terminal = () => `claude-${gamma.id}`
    /** The terminal's text as the page's DOM renders it (xterm's DOM renderer), trailing blanks cut. */
    const screenText = (page: Page) =>
      page.locator('section[aria-label="Terminal"] .xterm-rows > div').evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()))
    const paneText = async () => (await capture(socket, terminal())).split('\n').map((l) => l.trimEnd())
    /** The page's rows that show the pane: tmux draws its status line below them. */
    const paneRows = async (page: Page) => (await screenText(page)).slice(0, Number((await paneSize()).split('x')[1]))
    const trimmed = (lines: string[]) => {
      const out = [...lines]
      while (out.length > 0 && out[out.length - 1] === '') out.pop()
      return out
    }
    const paneSize = async () => (await tmux(socket, ['display-message', '-p', '-t', `=${terminal()}:`, '#{window_width}x#{window_height}'])).stdout.trim()
    const panePid = async () => (await tmux(socket, ['display-message', '-p', '-t', `=${terminal()}:`, '#{pane_pid}'])).stdout.trim()
    async function openSession(): Promise<Page> {
      const page = await openWall()
      await page.goto(`${web}/#/s/${gamma.id}`)
      await page.getByRole('status').filter({ hasText: /^Read-only$/ }).waitFor()
      return page
    }

    beforeAll(async () => {
      gamma = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'gamma'], world.smEnv)
      await world.api.waitForState(gamma.id, 'idle')
      expect((await runSm(['send', gamma.id, 'say something first'], world.smEnv)).status).toBe(0)
      await world.api.waitForState(gamma.id, 'idle')
    })

    it("the first frame is the current screen: the page's terminal text equals tmux capture-pane", async () => {
      const page = await openSession()
      await expect.poll(async () => trimmed(await paneRows(page)), { timeout: 10_000 }).toEqual(trimmed(await paneText()))
      expect(trimmed(await paneRows(page)).join('\n')).toContain('echo: say something first')
      await page.close()
    })

    it('read-only: keys typed in the page never reach the pane, and a resize of the browser never reaches tmux', async () => {
      const page = await openSession()
      const before = await paneSize()
      await page.locator('section[aria-label="Terminal"] .xterm').click()
      await page.keyboard.type('not allowed')
      await page.setViewportSize({ width: 700, height: 500 })
      await new Promise((r) => setTimeout(r, 500))
      expect((await paneText()).join('\n')).not.toContain('not allowed')
      expect(await paneSize()).toBe(before)
      await page.close()
    })

    it('after Take control, typed keys and the key row reach the pane, the pane follows the page size, and sm send waits until control is given back', async () => {
      const page = await openSession()
      const before = await paneSize()
      await page.getByRole('button', { name: 'Take control' }).click()
      await page.getByRole('status').filter({ hasText: 'You have control' }).waitFor()
      await page.locator('section[aria-label="Terminal"] .xterm').click()
      await page.keyboard.type('typed from the web')
      await expect.poll(async () => (await paneText()).join('\n'), { timeout: 10_000 }).toContain('typed from the web')
      // Enter from the key row a phone needs: the person's prompt is submitted
      await page.getByRole('toolbar', { name: 'Keys' }).getByRole('button', { name: 'Enter' }).click()
      await world.api.waitForEvents(gamma.id, (e) => e.event === 'UserPromptSubmit' && e.payload?.['prompt'] === 'typed from the web')
      await world.api.waitForState(gamma.id, 'idle')
      // the person has control: a message to the idle session waits instead of being typed
      const sent = await runSmJson<{ status: string; message: number }>(['send', gamma.id, 'queued while controlled', '--json'], world.smEnv)
      expect(sent.status).toBe('queued')
      await new Promise((r) => setTimeout(r, 500))
      expect((await world.api.messages(gamma.id)).find((m) => m.id === sent.message)?.status).toBe('queued')
      expect((await paneText()).join('\n')).not.toContain('queued while controlled')
      await page.setViewportSize({ width: 640, height: 480 })
      await expect.poll(paneSize, { timeout: 10_000 }).not.toBe(before)
      await page.getByRole('button', { name: 'Release control' }).click()
      await page.getByRole('status').filter({ hasText: /^Read-only$/ }).waitFor()
      await expect.poll(async () => (await world.api.messages(gamma.id)).find((m) => m.id === sent.message)?.status, { timeout: 15_000 }).toBe('delivered')
      await page.close()
    })

    it('a reload shows the same screen again and never restarts the agent (same pid)', async () => {
      await world.api.waitForState(gamma.id, 'idle')
      const pid = await panePid()
      const page = await openSession()
      await expect.poll(async () => trimmed(await paneRows(page)), { timeout: 10_000 }).toEqual(trimmed(await paneText()))
      await page.reload()
      await page.getByRole('status').filter({ hasText: /^Read-only$/ }).waitFor()
      await expect.poll(async () => trimmed(await paneRows(page)), { timeout: 10_000 }).toEqual(trimmed(await paneText()))
      expect(await panePid()).toBe(pid)
      expect((await world.api.session(gamma.id)).state).toBe('idle')
      await page.close()
    })
  })

  it('the audit view shows tool events live, with the filters of sm tools', async () => {
    const page = await openWall()
    await page.getByRole('link', { name: 'Audit' }).click()
    const audit = page.getByRole('region', { name: 'Tool audit' })
    await audit.getByRole('status').filter({ hasText: 'live' }).waitFor()
    const before = await audit.getByRole('row').count()
    expect((await runSm(['send', alpha.id, 'use a tool [[tool:50]]'], world.smEnv)).status).toBe(0)
    const bashRow = audit.getByRole('row').filter({ hasText: 'alpha' }).filter({ hasText: 'PreToolUse' }).filter({ hasText: 'Bash' })
    await bashRow.first().waitFor({ timeout: 15_000 })
    expect(await audit.getByRole('row').count()).toBeGreaterThan(before)
    await audit.getByLabel('Flagged').selectOption('destructive')
    await audit.getByRole('status').filter({ hasText: 'live' }).waitFor()
    await expect.poll(() => bashRow.count()).toBe(0)
    await audit.getByLabel('Flagged').selectOption('any')
    await audit.getByLabel('Tool').fill('Bash')
    await audit.getByLabel('Tool').press('Tab')
    await expect.poll(() => bashRow.count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await page.close()
  })

  it('kill acts only after a confirmation: Cancel leaves the session running, Confirm stops it', async () => {
    const delta = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'delta'], world.smEnv)
    await world.api.waitForState(delta.id, 'idle')
    const page = await openWall()
    await page.goto(`${web}/#/s/${delta.id}`)
    await page.getByRole('button', { name: 'Kill' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Confirm' })
    expect(await confirm.textContent()).toContain('Kill delta?')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await new Promise((r) => setTimeout(r, 300))
    expect((await world.api.session(delta.id)).state).toBe('idle')
    await page.getByRole('button', { name: 'Kill' }).click()
    await page.getByRole('alertdialog', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click()
    await world.api.waitForState(delta.id, 'stopped')
    await page.getByRole('status').filter({ hasText: 'Killed 1 session' }).waitFor()
    await page.getByText('Stopped: no terminal.').waitFor()
    await page.close()
  })

  it('interrupt and clear from the page, each after a confirmation: a long turn stops; clear starts the conversation over', async () => {
    const theta = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'theta'], world.smEnv)
    await world.api.waitForState(theta.id, 'idle')
    const page = await openWall()
    await page.goto(`${web}/#/s/${theta.id}`)
    expect((await runSm(['send', theta.id, 'a long one [[slow:20000]]'], world.smEnv)).status).toBe(0)
    await world.api.waitForState(theta.id, 'working')
    await page.getByRole('button', { name: 'Interrupt' }).click()
    expect(await page.getByRole('alertdialog', { name: 'Confirm' }).textContent()).toContain('Interrupt theta?')
    await page.getByRole('alertdialog', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click()
    await page.getByRole('status').filter({ hasText: 'Interrupted' }).waitFor()
    await world.api.waitForState(theta.id, 'idle', { timeoutMs: 10_000 })
    const before = (await world.api.events(theta.id)).filter((e) => e.event === 'SessionStart').length
    await page.getByRole('button', { name: 'Clear' }).click()
    await page.getByRole('alertdialog', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click()
    await page.getByRole('status').filter({ hasText: 'Cleared' }).waitFor({ timeout: 15_000 })
    const starts = (await world.api.events(theta.id)).filter((e) => e.event === 'SessionStart')
    expect(starts.length).toBe(before + 1)
    expect(starts.at(-1)!.payload?.['source']).toBe('clear')
    await page.close()
  })

  it('the tree view shows a child under its parent; kill with its subtree stops both after a confirmation naming them', async () => {
    const parent = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'zeta'], world.smEnv)
    await world.api.waitForState(parent.id, 'idle')
    const { stdout } = await tmux(socket, ['show-environment', '-t', `=claude-${parent.id}`, 'CLAUDE_SESSION_MANAGER_TOKEN'])
    const spawned = await fetch(`${world.server.url}/sessions/spawn`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stdout.trim().split('=')[1]!}`, 'x-sm-session': parent.id, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'child work', name: 'zeta-child' }),
    })
    expect(spawned.status, await spawned.clone().text()).toBe(201)
    const child = ((await spawned.json()) as { session: SessionJson }).session
    await world.api.waitForState(child.id, 'idle')
    const page = await openWall()
    await page.getByLabel('Tree').check()
    const labels = await page.getByRole('region', { name: 'Sessions' }).getByRole('listitem').evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')))
    expect(labels.indexOf('zeta-child idle')).toBe(labels.indexOf('zeta idle') + 1)
    expect(await row(page, 'zeta').textContent()).toContain('1 child')
    await row(page, 'zeta').getByRole('link', { name: 'zeta' }).click()
    await page.getByRole('button', { name: 'Kill' }).click()
    expect(await page.getByRole('alertdialog', { name: 'Confirm' }).textContent()).toContain('Kill zeta and its 1 descendant?')
    await page.getByRole('alertdialog', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click()
    await world.api.waitForState(parent.id, 'stopped')
    await world.api.waitForState(child.id, 'stopped')
    await page.getByRole('status').filter({ hasText: 'Killed 2 sessions' }).waitFor()
    await page.close()
  })

  it('works on a phone-sized screen: the wall as a list, the terminal with the key row', async () => {
    const context = await browser.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    await page.goto(await world.api.webLogin())
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
    const alphaRow = row(page, 'alpha')
    await alphaRow.waitFor()
    const box = (await alphaRow.boundingBox())!
    expect(box.width).toBeLessThanOrEqual(390)
    await alphaRow.getByRole('link', { name: 'alpha' }).tap()
    await page.getByRole('button', { name: 'Take control' }).tap()
    const keys = page.getByRole('toolbar', { name: 'Keys' })
    await keys.waitFor()
    expect(await keys.getByRole('button').evaluateAll((b) => b.map((x) => x.getAttribute('aria-label')))).toEqual(['Escape', 'Shift+Tab', 'Ctrl+C', 'Up', 'Down', 'Left', 'Right', 'Enter'])
    for (const b of await keys.getByRole('button').all()) expect((await b.boundingBox())!.x + (await b.boundingBox())!.width).toBeLessThanOrEqual(390)
    await page.getByRole('button', { name: 'Release control' }).tap()
    await context.close()
  })

  it('in the background, the page raises a browser notification when a session starts needing a person', async () => {
    const eta = await runSmJson<SessionJson>(['new', world.work, '--no-attach', '--name', 'eta'], world.smEnv)
    await world.api.waitForState(eta.id, 'idle')
    const context = await browser.context()
    await context.grantPermissions(['notifications'])
    const page = await context.newPage()
    // the page in the background; notifications recorded instead of shown
    await page.addInitScript({
      content: `
        const shown = []
        Object.defineProperty(window, '__shown', { value: shown })
        Object.defineProperty(document, 'hidden', { get: () => true })
        class Recording {
          static permission = 'granted'
          static requestPermission() { return Promise.resolve('granted') }
          constructor(title, options) { shown.push(title + ': ' + ((options && options.body) || '')) }
        }
        Object.defineProperty(window, 'Notification', { value: Recording })
      `,
    })
    await page.goto(await world.api.webLogin())
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
    expect((await runSm(['send', eta.id, 'go [[permission]]'], world.smEnv)).status).toBe(0)
    await expect.poll(() => page.evaluate('window.__shown'), { timeout: 15_000 }).toEqual(['eta needs you: Permission: Bash'])
    expect((await runSm(['key', eta.id, '1'], world.smEnv)).status).toBe(0)
    await world.api.waitForState(eta.id, 'idle')
    await context.close()
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

    it("cannot open the terminal's WebSocket, though the browser holds the login cookie", async () => {
      const context = await browser.context()
      const own = await context.newPage()
      await own.goto(await world.api.webLogin())
      await own.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
      const page = await context.newPage()
      await page.goto(`${evilOrigin}/`)
      const outcome = await page.evaluate(
        ({ web, id }) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`${web.replace('http:', 'ws:')}/api/web/terminal/${id}`)
            ws.onopen = () => resolve('opened')
            ws.onmessage = () => resolve('got data')
            ws.onclose = (e) => resolve(`closed ${e.code}`)
          }),
        { web, id: alpha.id },
      )
      expect(outcome).toBe('closed 1006')
      // the same socket from the dashboard's own page opens (the test would see a broken guard)
      const control = await own.evaluate(
        ({ web, id }) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`${web.replace('http:', 'ws:')}/api/web/terminal/${id}`)
            ws.onopen = () => {
              ws.close()
              resolve('opened')
            }
            ws.onclose = (e) => resolve(`closed ${e.code}`)
          }),
        { web, id: alpha.id },
      )
      expect(control).toBe('opened')
      await context.close()
    })

    it('a foreign Origin with a valid operator token gets 403 on the API port', async () => {
      const token = readFileSync(join(world.dataDir, 'operator-token'), 'utf8').trim()
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      expect((await fetch(`${world.server.url}/sessions`, { headers: { ...headers, origin: evilOrigin } })).status).toBe(403)
      expect((await fetch(`${world.server.url}/web/login`, { method: 'POST', headers: { ...headers, origin: evilOrigin }, body: '{}' })).status).toBe(403)
      expect((await fetch(`${world.server.url}/sessions`, { headers })).status).toBe(200)
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
    const asAgent = { authorization: `Bearer ${token}`, 'x-sm-session': alpha.id, 'content-type': 'application/json' }
    const res = await fetch(`${world.server.url}/web/login`, { method: 'POST', headers: asAgent, body: '{}' })
    expect(res.status).toBe(403)
    // on the web port its token opens nothing: approving, the sessions, the terminal
    const origin = web
    expect((await fetch(`${web}/api/web/decisions/d1`, { method: 'POST', headers: { ...asAgent, origin, 'x-sm-web': '1' }, body: '{"verdict":"allow"}' })).status).toBe(403)
    expect((await fetch(`${web}/api/sessions`, { headers: asAgent })).status).toBe(403)
    const upgrade = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${web}/api/web/terminal/${alpha.id}`)
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { ...asAgent, origin, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } })
      req.on('response', (r) => resolve(r.statusCode ?? 0))
      req.on('upgrade', () => resolve(101))
      req.on('error', reject)
      req.end()
    })
    expect(upgrade).toBe(403)
  })

  it('the page says when its connection is lost and catches up when it returns', async () => {
    const proxy = await startTcpProxy(Number(new URL(web).port))
    try {
      const login = new URL(await world.api.webLogin())
      login.port = String(proxy.port)
      const page = await (await browser.context()).newPage()
      await page.goto(login.toString())
      await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
      proxy.cut()
      await page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ timeout: 15_000 })
      // what happens meanwhile is on the page once it is back
      expect((await runSm(['name', alpha.id, 'alpha2'], world.smEnv)).status).toBe(0)
      proxy.restore()
      await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 })
      await row(page, 'alpha2').waitFor({ timeout: 10_000 })
      expect((await runSm(['name', alpha.id, 'alpha'], world.smEnv)).status).toBe(0)
      await row(page, 'alpha').waitFor({ timeout: 10_000 })
      await page.close()
    } finally {
      await proxy.close()
    }
  })

})

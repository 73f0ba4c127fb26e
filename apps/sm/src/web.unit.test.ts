/** `sm web` in-process: a login link from the API (the server's own minting is packages/api's web tests). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserOpener, openerCommand } from './commands/web.js'
import { inProcessServer, type InProcessServer } from './testing/in-process.js'

const LINK = 'http://127.0.0.1:8421/#c=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde'

describe('sm web', () => {
  let server: InProcessServer
  let bare: InProcessServer
  beforeAll(() => {
    server = inProcessServer({ web: { issueLogin: () => ({ url: LINK, expiresAt: Date.now() + 120_000 }) } })
    bare = inProcessServer()
  })
  afterAll(() => {
    server?.stop()
    bare?.stop()
  })

  it('prints a one-time login link; --json the link and its expiry', async () => {
    const r = await server.sm(['web'])
    expect(r).toMatchObject({ status: 0, stderr: '' })
    expect(r.stdout).toBe(`Open this link in your browser within 2 min (it works once):\n\n  ${LINK}\n`)
    const json = JSON.parse((await server.sm(['web', '--json'])).stdout) as { url: string; expiresAt: string }
    expect(json.url).toBe(LINK)
    expect(Date.parse(json.expiresAt)).toBeGreaterThan(Date.now())
  })

  it('--open hands the link to the browser; a missing opener is one line on stderr and the link is still printed', async () => {
    const opened: string[] = []
    const r = await server.sm(['web', '--open'], { openUrl: async (url) => void opened.push(url) })
    expect(opened).toEqual([LINK])
    expect(r.stdout).toContain('Opened the dashboard in your browser')
    const failed = await server.sm(['web', '--open'], { openUrl: () => Promise.reject(new Error('could not run xdg-open: spawn xdg-open ENOENT')) })
    expect(failed.status).toBe(0)
    expect(failed.stderr).toBe('sm web: could not run xdg-open: spawn xdg-open ENOENT; open the link yourself\n')
    expect(failed.stdout).toContain(LINK)
    expect(JSON.parse((await server.sm(['web', '--open', '--json'], { openUrl: async () => undefined })).stdout)).toMatchObject({ url: LINK, opened: true })
  })

  it('inside a managed session: refused (agents get no login), exit 1, one line', async () => {
    const s = await server.service.create({ workingDir: server.dir, name: 'agent' })
    const r = await server.sm(['web'], { env: server.inside(s.id) })
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('sm: only the operator may open the web dashboard (not a session)\n')
  })

  it('a server with the dashboard turned off says so', async () => {
    const r = await bare.sm(['web'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/web dashboard is turned off on this server \(web.enabled: false\)/)
  })

  it('the default opener is $BROWSER, else open on macOS, else xdg-open; one it cannot run rejects', async () => {
    expect(openerCommand({ BROWSER: 'firefox' }, 'linux')).toBe('firefox')
    expect(openerCommand({}, 'darwin')).toBe('open')
    expect(openerCommand({ BROWSER: '' }, 'linux')).toBe('xdg-open')
    await expect(browserOpener({ BROWSER: '/nonexistent/browser' })('http://x/')).rejects.toThrow(/could not run \/nonexistent\/browser/)
  })
})

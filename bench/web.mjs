// The web dashboard in real Chromium (Debian's chromium, driven by playwright-core from
// packages/e2e), against the real server (`sm server`) with 100 managed sessions (sleeping agents
// in tmux), driven by hook POSTs with each session's own token.
//
//   - Hook → the new state word in the page's DOM, 100 sessions on the wall: from the hook POST
//     leaving here to the row's accessible name changing (a MutationObserver in the page stamps
//     Date.now(); same clock). Baseline: the hook's own round trip in the same run.
//   - A key typed in the page (with control; xterm.js's input) → its echo in the terminal's buffer
//     (timed in the page). Baseline: `tmux
//     send-keys` → `tmux capture-pane` showing it, in the same run (the tty echoes: the agents
//     sleep, the line discipline echoes what is typed).
//   - Server CPU and RSS while 20 sessions each get 10 hooks a second for 8 s, with 10 open pages
//     on the wall against none.
//   - Page load to a usable wall (100 rows), and the bundle's size (apps/web's build).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { REPO, TMUX_SOCKET, cpuMsOf, fmtMs, log, memKbOf, noteLine, postHook, resultLine, startSmServer, summarize } from './support.mjs'

const DOM_P99_TARGET_MS = 100
const KEY_RATIO_TARGET = 1.5
const KEY_P50_TARGET_MS = 50
const SESSIONS = 100
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))

const pair = (s) => `p50 ${fmtMs(s.p50)} / p99 ${fmtMs(s.p99)}`

async function launch() {
  const { chromium } = createRequire(join(REPO, 'packages/e2e/package.json'))('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] })
}

/** A logged-in page on the wall, once all `rows` sessions are on it; returns it and the load time. */
async function openWall(browser, server, rows) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  const url = await server.webLogin()
  const t0 = Date.now()
  await page.goto(url)
  await page.waitForFunction((n) => document.querySelectorAll('section[aria-label="Sessions"] li').length >= n, rows, { timeout: 30_000 })
  return { page, loadMs: Date.now() - t0 }
}

export async function benchWeb({ quick }) {
  if (!CHROMIUM) return [noteLine('web: skipped, Chromium is not installed (apt-get install -y chromium)')]
  const sizes = JSON.parse(readFileSync(join(REPO, 'apps/web/dist/sizes.json'), 'utf8'))
  const flips = quick ? 40 : 200
  const keys = quick ? 20 : 60
  const server = await startSmServer({ label: 'web', extraConfig: 'limits:\n  max_sessions: 200\n' })
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  const browser = await launch()
  const lines = []
  try {
    log(`web: creating ${SESSIONS} sessions`)
    const sessions = []
    for (let i = 0; i < SESSIONS; i++) sessions.push(await server.createManagedSession(`web-${String(i).padStart(3, '0')}`))
    const hook = (s, event, payload) =>
      postHook(agent, `${server.url}/hooks/${event}`, { 'x-sm-session': s.id, authorization: `Bearer ${s.token}` }, { session_id: `claude-${s.id}`, cwd: server.dir, ...payload })
    for (const s of sessions) await hook(s, 'SessionStart', { source: 'startup' })

    // ---- page load to a usable wall
    const loads = []
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      const { page, loadMs } = await openWall(browser, server, SESSIONS)
      loads.push(loadMs)
      await page.context().close()
    }
    const load = summarize(loads)
    lines.push(resultLine({ name: `Page load to a usable wall (${SESSIONS} sessions), ${loads.length} loads`, figure: `median ${fmtMs(load.p50)}`, target: '—', data: { loads } }))
    lines.push(
      resultLine({
        name: 'Bundle: the page without the terminal (gzip)',
        figure: `${(sizes.pageGzipBytes / 1024).toFixed(1)} KB`,
        baseline: `terminal chunk ${(sizes.terminalGzipBytes / 1024).toFixed(1)} KB`,
        target: `≤ ${sizes.budgetGzipBytes / 1024} KB`,
        pass: sizes.pageGzipBytes <= sizes.budgetGzipBytes,
        data: sizes,
      }),
    )

    // ---- hook → state word in the DOM
    const { page } = await openWall(browser, server, SESSIONS)
    await page.evaluate(() => {
      window.__seen = []
      new MutationObserver((records) => {
        for (const r of records) if (r.attributeName === 'aria-label') window.__seen.push({ label: r.target.getAttribute('aria-label'), at: Date.now() })
      }).observe(document.querySelector('section[aria-label="Sessions"]'), { attributes: true, subtree: true, attributeFilter: ['aria-label'] })
    })
    const domMs = []
    const hookMs = []
    for (let i = 0; i < flips + 5; i++) {
      const s = sessions[i % SESSIONS]
      const name = `web-${String(i % SESSIONS).padStart(3, '0')}`
      const state = (await page.evaluate((n) => document.querySelector(`li[aria-label^="${n} "]`)?.getAttribute('aria-label'), name)) ?? ''
      const event = state.endsWith(' idle') ? 'UserPromptSubmit' : 'Stop'
      const want = event === 'UserPromptSubmit' ? `${name} working` : `${name} idle`
      const t0 = Date.now()
      const reply = await hook(s, event, event === 'Stop' ? { stop_hook_active: false, last_assistant_message: 'done' } : { prompt: `go ${i}` })
      const rt = Date.now() - t0
      const at = await page.waitForFunction((w) => window.__seen.find((e) => e.label === w)?.at, want, { timeout: 10_000, polling: 5 }).then((h) => h.jsonValue())
      await page.evaluate(() => (window.__seen = []))
      if (reply.status !== 200) throw new Error(`hook: ${reply.status}`)
      if (i >= 5) {
        domMs.push(at - t0)
        hookMs.push(rt)
      }
    }
    const dom = summarize(domMs)
    const rtt = summarize(hookMs)
    lines.push(
      resultLine({
        name: `Hook → state word in the page's DOM, ${SESSIONS} sessions on the wall (${domMs.length} changes)`,
        figure: pair(dom),
        baseline: `hook round trip ${pair(rtt)}`,
        ratio: dom.p99 / Math.max(rtt.p99, 0.01),
        target: `p99 ≤ ${DOM_P99_TARGET_MS} ms`,
        pass: dom.p99 <= DOM_P99_TARGET_MS,
        data: { domMs, hookMs },
      }),
    )

    // ---- key in the page → echo in the terminal's DOM, against send-keys → capture-pane
    const target = sessions[0]
    await page.goto(`${(await server.webUrl())}/#/s/${target.id}`)
    await page.getByRole('button', { name: 'Take control' }).click()
    await page.getByRole('status').filter({ hasText: 'You have control' }).waitFor()
    const count = (text, ch) => text.split(ch).length - 1
    const pageMs = []
    const tmuxMs = []
    const terminal = `claude-${target.id}`
    const capture = () => spawnSync('tmux', ['-L', TMUX_SOCKET, 'capture-pane', '-p', '-t', `=${terminal}:`], { encoding: 'utf8' }).stdout
    for (let i = 0; i < keys; i++) {
      // the page: a key typed into the terminal (as xterm.js hands it on), until its echo is in the terminal's buffer
      pageMs.push(
        await page.evaluate(
          () =>
            new Promise((resolve, reject) => {
              const term = document.querySelector('section[aria-label="Terminal"] .terminal-host').xterm
              const text = () => {
                const b = term.buffer.active
                let out = ''
                for (let y = 0; y < b.length; y++) out += b.getLine(y)?.translateToString(true) ?? ''
                return out
              }
              const before = text().split('q').length
              const timer = setTimeout(() => reject(new Error('no echo within 10 s')), 10_000)
              const t0 = performance.now()
              const parsed = term.onWriteParsed(() => {
                if (text().split('q').length > before) {
                  clearTimeout(timer)
                  parsed.dispose()
                  resolve(performance.now() - t0)
                }
              })
              term.input('q', true)
            }),
        ),
      )
      // tmux itself: send-keys, until capture-pane shows one more
      const seen = count(capture(), 'z')
      const t1 = performance.now()
      spawnSync('tmux', ['-L', TMUX_SOCKET, 'send-keys', '-t', `=${terminal}:`, '-l', 'z'])
      while (count(capture(), 'z') <= seen) if (performance.now() - t1 > 10_000) throw new Error('tmux echo never came')
      tmuxMs.push(performance.now() - t1)
    }
    const typed = summarize(pageMs)
    const viaTmux = summarize(tmuxMs)
    lines.push(
      resultLine({
        name: `Key typed in the page → its echo in the terminal's buffer (${keys} keys)`,
        figure: pair(typed),
        baseline: `tmux send-keys → capture-pane ${pair(viaTmux)}`,
        ratio: typed.p50 / Math.max(viaTmux.p50, 0.01),
        target: `≤ ${KEY_RATIO_TARGET}× and p50 ≤ ${KEY_P50_TARGET_MS} ms`,
        pass: typed.p50 <= KEY_RATIO_TARGET * viaTmux.p50 && typed.p50 <= KEY_P50_TARGET_MS,
        data: { pageMs, tmuxMs },
      }),
    )
    await page.getByRole('button', { name: 'Release control' }).click()
    await page.context().close()

    // ---- server CPU and RSS: 20 busy sessions, 10 pages against none
    const busy = sessions.slice(0, 20)
    const load8s = async () => {
      const cpu0 = cpuMsOf(server.pid)
      const t0 = Date.now()
      let n = 0
      while (Date.now() - t0 < 8_000) {
        const tick = Date.now()
        await Promise.all(busy.map((s) => hook(s, n % 2 === 0 ? 'UserPromptSubmit' : 'Stop', n % 2 === 0 ? { prompt: `p${n}` } : { stop_hook_active: false, last_assistant_message: 'ok' })))
        n++
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))))
      }
      return { cpuMs: cpuMsOf(server.pid) - cpu0, seconds: (Date.now() - t0) / 1000, rssKb: memKbOf(server.pid)?.rssKb ?? NaN, hooks: n * busy.length }
    }
    const alone = await load8s()
    const pages = []
    for (let i = 0; i < 10; i++) pages.push((await openWall(browser, server, SESSIONS)).page)
    const watched = await load8s()
    for (const p of pages) await p.context().close()
    const pct = (r) => (100 * r.cpuMs) / (r.seconds * 1000)
    lines.push(
      resultLine({
        name: `Server CPU, 20 sessions × 10 hooks/s for 8 s, 10 pages on the wall`,
        figure: `${pct(watched).toFixed(1)} % of a core`,
        baseline: `no page: ${pct(alone).toFixed(1)} %`,
        ratio: pct(watched) / Math.max(pct(alone), 0.01),
        target: '—',
        data: { alone, watched },
      }),
    )
    lines.push(
      resultLine({
        name: 'Server RSS after that load, 10 pages on the wall',
        figure: `${(watched.rssKb / 1024).toFixed(0)} MiB`,
        baseline: `no page: ${(alone.rssKb / 1024).toFixed(0)} MiB`,
        ratio: watched.rssKb / alone.rssKb,
        target: '—',
      }),
    )
  } finally {
    await browser.close()
    agent.destroy()
    await server.stop()
  }
  return lines
}

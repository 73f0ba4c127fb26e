/**
 * Real Chromium (Debian's `chromium` package; `CHROMIUM_PATH` overrides) driven by
 * playwright-core, with no browser download. Tests assert on DOM text and accessible names,
 * never pixels.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => p !== undefined && p !== '' && existsSync(p))
  if (found === undefined) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)')
  return found
}

export interface TestBrowser {
  browser: Browser
  /** A fresh profile (cookies, storage) per call. */
  context(): Promise<BrowserContext>
  close(): Promise<void>
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sm-chromium-'))
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--crash-dumps-dir=${profile}`],
  })
  return {
    browser,
    context: () => browser.newContext({ viewport: { width: 1280, height: 800 } }),
    async close() {
      await browser.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

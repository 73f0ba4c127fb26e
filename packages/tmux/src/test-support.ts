import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A fresh private socket name for one test file. */
export const testSocket = (): string => `sm-test-${process.pid}-${randomBytes(4).toString('hex')}`

/** Runs tmux on `socket` directly (for setting up and inspecting state in tests). */
export const rawTmux = (socket: string, ...args: string[]): string =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

/** Kills the test's tmux server, removes its socket file (tmux leaves it behind) and the temp dirs. */
export const cleanUp = (socket: string, ...dirs: string[]): void => {
  try {
    rawTmux(socket, 'kill-server')
  } catch {
    // no server left on the socket
  }
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true })
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}

export const fixture = (file: string): string => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sm-tmux-test-'))

/** Polls `check` every 20 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Waits until the file holds at least `bytes` bytes, then returns its content. */
export const waitForBytes = (file: string, bytes: number, timeoutMs = 5_000): Promise<Buffer> =>
  waitFor(
    () => {
      if (!existsSync(file)) return undefined
      const content = readFileSync(file)
      return content.length >= bytes ? content : undefined
    },
    `${bytes} bytes in ${file}`,
    timeoutMs,
  )

/** Reads a JSON file once it exists (written whole by the fixture). */
export const waitForJson = <T>(file: string, timeoutMs = 5_000): Promise<T> =>
  waitFor(() => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined), file, timeoutMs)

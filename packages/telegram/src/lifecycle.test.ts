import { aSession } from '@claude-sessions/core/testing'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ALICE, CHAT, eventually, testConfig, useTelegram } from './test-support.js'

const t = useTelegram()
const S = aSession({ id: 'a1b2c3d4', name: 'worker' })

/** Open TCP sockets of this process (the fake's listening socket is a TCPServerWrap, not counted). */
const sockets = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length

/**
 * Records the timers created while it is installed and not cleared (or run) since: the ones that
 * would keep a process alive (`hasRef()`), with where they were made. The fake server's and the
 * test's own are left out.
 */
function trackTimers() {
  type Handle = ReturnType<typeof setTimeout>
  const real = { setTimeout, setInterval, clearTimeout, clearInterval }
  const live = new Map<Handle, string>()
  const made = () => new Error().stack?.split('\n').slice(3).join('\n') ?? ''
  const forget = (h: unknown) => void live.delete(h as Handle)
  const g = globalThis as Record<string, unknown>
  g['setTimeout'] = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const h: Handle = real.setTimeout((...a: unknown[]) => (live.delete(h), fn(...a)), ms, ...args)
    live.set(h, made())
    return h
  }
  g['setInterval'] = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const h = real.setInterval(fn, ms, ...args)
    live.set(h, made())
    return h
  }
  g['clearTimeout'] = (h: Handle | undefined) => (forget(h), real.clearTimeout(h))
  g['clearInterval'] = (h: Handle | undefined) => (forget(h), real.clearInterval(h))
  return {
    holding: (): string[] =>
      [...live]
        .filter(([h, stack]) => h.hasRef() && !/fake-bot-api|test-support|lifecycle\.test/.test(stack.split('\n')[0] ?? ''))
        .map(([, stack]) => stack.split('\n')[0]!.trim()),
    restore: (): void => void Object.assign(globalThis, real),
  }
}

describe('start and stop', () => {
  it('stop() leaves no socket (kept-alive ones included) or timer holding the process', async () => {
    const fake = await t.fake()
    const stores = t.memoryStores()
    const timers = trackTimers()
    onTestFinished(() => timers.restore())
    const service = t.service(testConfig(fake, { throttle: true, outbox: { stopGraceMs: 200 } }), stores)
    const texts: string[] = []
    service.onTopicText((m) => void texts.push(m.text))
    service.onSessionStarted(S)
    service.notifyTurnEnded(S, 'hello')
    service.start()
    await eventually(() => fake.messages.size === 1)
    fake.sendText(ALICE, CHAT, 'typed', stores.topics.get(CHAT, S.id)!.threadId!)
    await eventually(() => texts.length === 1)
    expect(sockets()).toBeGreaterThan(0)
    expect(timers.holding().length).toBeGreaterThan(0)
    await service.stop()
    expect(timers.holding()).toEqual([])
    // the fake's end of each closed connection goes a moment later
    await eventually(() => sockets() === 0, 3_000, 'no socket open')
  })

  it('the process exits by itself after stop(), also with an attempt hanging (built package, throttler on)', async () => {
    const script = fileURLToPath(new URL('./testing/exit-check.mjs', import.meta.url))
    expect(existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url))), 'build first: npx turbo run build').toBe(true)
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exited = await new Promise<number | null | 'hung'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve('hung')
      }, 15_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        resolve(code)
      })
    })
    expect(exited, err).toBe(0)
    expect(JSON.parse(out.trim())).toEqual({ texts: ['typed in the topic'], sent: 2, pending: 1 })
  })
})

import { execFile } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  capture,
  hasSession,
  hookLogCommand,
  killServer,
  makeTempDir,
  newSession,
  paneDead,
  privateSocket,
  readHookLog,
  removeDir,
  sendText,
  socketPath,
  waitFor,
} from './tmux-harness.js'

const execFileP = promisify(execFile)

describe('tmux harness', () => {
  const socket = privateSocket('sm-e2e-harness')
  let dir: string

  beforeAll(() => {
    dir = makeTempDir('sm-e2e-harness-')
  })
  afterAll(async () => {
    await killServer(socket)
    removeDir(dir)
  })

  it('gives a distinct socket name per call, carrying the pid', () => {
    const a = privateSocket('x')
    const b = privateSocket('x')
    expect(a).not.toBe(b)
    expect(a).toContain(String(process.pid))
  })

  it('runs a program in a detached session of the given size, with the given env, and captures its pane', async () => {
    await newSession(socket, 'cat', { command: ['sh', '-c', 'printf "%s|%s\\n" "$SM_HARNESS" "$(tput cols)x$(tput lines)"; exec cat'], cwd: dir, env: { ...process.env, SM_HARNESS: 'env-ok' } as Record<string, string> })
    expect(await hasSession(socket, 'cat')).toBe(true)
    await waitFor(async () => (await capture(socket, 'cat')).includes('env-ok|200x50'), { timeoutMs: 5000, message: 'env and size' })
    await sendText(socket, 'cat', "literal ;$(x)'\"")
    await waitFor(async () => (await capture(socket, 'cat')).includes("literal ;$(x)'\""), { timeoutMs: 5000, message: 'literal text' })
  })

  it('keeps a dead pane readable when asked to', async () => {
    await newSession(socket, 'short', { command: ['sh', '-c', 'sleep 0.3; exit 3'], cwd: dir, env: process.env as Record<string, string>, keepOnExit: true })
    await waitFor(() => paneDead(socket, 'short'), { timeoutMs: 5000, message: 'pane dead' })
    expect(await hasSession(socket, 'short')).toBe(true)
  })

  it('waitFor returns the first truthy value, and times out with the message and last value', async () => {
    let n = 0
    expect(await waitFor(() => (++n >= 3 ? `done after ${n}` : false), { intervalMs: 5 })).toBe('done after 3')
    await expect(waitFor(() => 0, { timeoutMs: 50, intervalMs: 10, message: 'never' })).rejects.toThrow(/timed out after 50 ms \(never\); last: 0/)
  })

  it('hookLogCommand stores each payload whole, and readHookLog returns them in start order', async () => {
    const logDir = join(dir, 'hooks')
    mkdirSync(logDir)
    const command = hookLogCommand(logDir)
    for (const event of ['SessionStart', 'UserPromptSubmit', 'Stop']) {
      const child = execFileP('sh', ['-c', command])
      child.child.stdin!.end(JSON.stringify({ hook_event_name: event, session_id: 's1', big: 'x'.repeat(100_000) }))
      await child
    }
    const records = readHookLog(logDir)
    expect(records.map((r) => r.hook_event_name)).toEqual(['SessionStart', 'UserPromptSubmit', 'Stop'])
    expect(records.every((r) => (r.big as string).length === 100_000)).toBe(true)
  })

  it('killServer stops the server and removes the socket file tmux leaves behind', async () => {
    const other = privateSocket('sm-e2e-harness-kill')
    await newSession(other, 'x', { command: ['sleep', '60'], cwd: dir, env: process.env as Record<string, string> })
    expect(existsSync(socketPath(other))).toBe(true)
    await killServer(other)
    expect(await hasSession(other, 'x')).toBe(false)
    expect(existsSync(socketPath(other))).toBe(false)
  })
})

/**
 * `sm tail -f` through the real built binary against a real server: only what tools.unit.test.ts
 * (every case of `sm tools`, `sm tools stats` and `sm tail`, in-process) can't show: the event
 * stream over node:http from a server process, Ctrl-C as a real SIGINT, a reader that goes away
 * (EPIPE on the process's stdout), and the server process dying under a follower.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SM, sm, startServerProcess, tmuxEnv, waitFor, type ServerProcess } from './test-support.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

interface Managed {
  id: string
  token: string
}

async function newSession(server: ServerProcess, name: string): Promise<Managed> {
  const r = await sm(['new', server.dataDir, '--name', name, '--no-attach', '--json'], server.env)
  expect(r.status, r.stderr).toBe(0)
  const { id } = JSON.parse(r.stdout) as { id: string }
  return { id, token: tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN') }
}

/** Posts a hook event of a managed session with its own token, as the hook script does. */
async function hook(server: ServerProcess, session: Managed, event: string, payload: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${server.url}/hooks/${event}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sm-session': session.id, authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ session_id: CLAUDE_ID, cwd: '/home/tester/alpha', hook_event_name: event, ...payload }),
  })
  expect(res.status).toBe(200)
}

/** A long-running `sm` whose output is read as it comes. */
function spawnSm(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [SM, ...args], { env }) as ChildProcessWithoutNullStreams
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output, exited }
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '')

describe('sm tail -f with a running server', () => {
  let server: ServerProcess
  let alpha: Managed
  let other: Managed

  beforeAll(async () => {
    server = await startServerProcess()
    alpha = await newSession(server, 'alpha')
    other = await newSession(server, 'other')
    await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u1', tool_input: { command: 'rm -rf ./build' } })
  }, 60_000)
  afterAll(async () => server?.stop())

  // the case of tools.unit.test.ts, deliberately again: here the events come over node:http from
  // a server process, and Ctrl-C is a SIGINT to the process (the unit test aborts a signal)
  it('sm tail -f prints the last N, then each new event once, until Ctrl-C (exit 0)', async () => {
    const tail = spawnSm(['tail', 'alpha', '-f', '-n', '1'], server.env)
    try {
      await waitFor(() => tail.output.stdout.includes('\n'))
      expect(lines(tail.output.stdout)).toHaveLength(1)
      expect(tail.output.stdout).toMatch(/alpha +pre +Bash +rm -rf \.\/build/)
      await hook(server, other, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'o1', tool_input: { command: 'echo not mine' } })
      await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u5', tool_input: { command: 'echo live' } })
      await waitFor(() => lines(tail.output.stdout).length >= 2)
      await hook(server, alpha, 'PostToolUse', { tool_name: 'Bash', tool_use_id: 'u5', tool_input: { command: 'echo live' }, tool_response: {}, duration_ms: 20 })
      await waitFor(() => lines(tail.output.stdout).length >= 3)
      const out = lines(tail.output.stdout)
      expect(out[1]).toMatch(/alpha +pre +Bash +echo live$/)
      expect(out[2]).toMatch(/alpha +post +Bash +echo live +exit 0 20ms$/)
      tail.child.kill('SIGINT')
      expect(await tail.exited).toBe(0)
      expect(lines(tail.output.stdout)).toHaveLength(3)
      expect(tail.output.stderr).toBe('')
    } finally {
      if (tail.child.exitCode === null) tail.child.kill('SIGKILL')
    }
  })

  it('sm tail -f whose reader goes away (EPIPE, as `sm tail -f | head -1`) stops: exit 0, nothing on stderr', async () => {
    const tail = spawnSm(['tail', 'alpha', '-f', '-n', '1'], server.env)
    try {
      await waitFor(() => tail.output.stdout.includes('\n'))
      // the reader closes its end of the pipe; the next event sm writes meets EPIPE
      tail.child.stdout.destroy()
      await hook(server, alpha, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'u6', tool_input: { command: 'echo unread' } })
      expect(await tail.exited).toBe(0)
      expect(tail.output.stderr).toBe('')
    } finally {
      if (tail.child.exitCode === null) tail.child.kill('SIGKILL')
    }
  })
})

describe('sm tail -f when the server goes away', () => {
  let server: ServerProcess
  afterAll(async () => server?.stop())

  // the case of tools.unit.test.ts, deliberately again: here the server process ends (SIGTERM)
  // and its socket closes; the unit test drops the stream in its in-process transport
  it('exits 1 with one line', async () => {
    server = await startServerProcess()
    const session = await newSession(server, 'lonely')
    const tail = spawnSm(['tail', 'lonely', '-f', '--json'], server.env)
    try {
      await hook(server, session, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 'x1', tool_input: { command: 'true' } })
      await waitFor(() => tail.output.stdout.includes('\n'))
      const stopped = new Promise((r) => server.proc.once('exit', r))
      server.proc.kill('SIGTERM')
      await stopped
      expect(await tail.exited).toBe(1)
      expect(tail.output.stderr).toMatch(/^sm: lost the server: .+\n$/)
    } finally {
      if (tail.child.exitCode === null) tail.child.kill('SIGKILL')
    }
  }, 60_000)
})

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanUp, fixture, rawTmux, tempDir, testSocket, waitFor, waitForJson } from './test-support.js'
import { TmuxMultiplexer } from './tmux-multiplexer.js'

/**
 * Session tokens reach the agent in its environment only: no process's command line (world
 * readable in /proc) ever holds one, not our tmux clients while a session starts, not the tmux
 * server (forked from the client that started it, it keeps that client's argv for good).
 */
const socket = testSocket()
const controlSocket = `${socket}-control`
const dir = tempDir()
const tmux = new TmuxMultiplexer({ socket })

afterAll(() => {
  cleanUp(controlSocket)
  cleanUp(socket, dir)
})

interface Scan {
  passes: number
  cmdlines: string[]
}

/** Starts the /proc scanner; `stop()` ends it and gives every distinct command line it saw. */
async function startScanner(): Promise<{ stop(): Promise<Scan> }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [fixture('scan-cmdlines.mjs')], { stdio: 'pipe' })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  await waitFor(() => out.startsWith('ready\n'), 'the scanner to start')
  return {
    async stop() {
      child.stdin.end()
      await exited
      return JSON.parse(out.slice('ready\n'.length)) as Scan
    },
  }
}

const token = () => `SECRET${randomBytes(16).toString('hex')}`

describe('session tokens never appear on a command line', () => {
  it('creating several sessions (the first starts the tmux server) and using them puts no token in any /proc/*/cmdline', async () => {
    const scanner = await startScanner()
    const tokens: string[] = []
    const names = ['claude-0000000a', 'claude-0000000b', 'claude-0000000c', 'claude-0000000d', 'claude-0000000e']
    // the first alone (it starts the server), then the rest at once
    const create = async (name: string, command: string[]) => {
      const secret = token()
      tokens.push(secret)
      await tmux.create({
        name,
        cwd: dir,
        env: { CLAUDE_SESSION_MANAGER_ID: name.slice(-8), CLAUDE_SESSION_MANAGER_TOKEN: secret, CLAUDE_SESSIONS_URL: 'http://127.0.0.1:1' },
        unsetEnv: ['CLAUDECODE'],
        command,
      })
    }
    // the first alone: it starts the tmux server, and its program stays (so does the server)
    await create('keeper', ['sleep', '600'])
    const reporter = (name: string) => ['node', fixture('report.mjs'), join(dir, `${name}.json`), '--', 'a prompt']
    await Promise.all(names.map((name) => create(name, reporter(name))))
    // and after: the sessions are used (label, capture), and the programs run
    for (const name of ['keeper', ...names]) {
      await tmux.setLabel(name, `label ${name}`).catch(() => undefined)
      await tmux.capture(name).catch(() => undefined)
    }
    const reports = await Promise.all(names.map((name) => waitForJson<{ argv: string[]; env: Record<string, string> }>(join(dir, `${name}.json`))))

    // the control: the old way (the token in `new-session -e`), on another socket, is seen
    const control = token()
    rawTmux(controlSocket, '-f', '/dev/null', 'new-session', '-d', '-s', 'control', '-e', `CLAUDE_SESSION_MANAGER_TOKEN=${control}`, '--', 'sleep', '600')
    await new Promise((r) => setTimeout(r, 300))
    const scan = await scanner.stop()

    expect(scan.passes).toBeGreaterThan(20)
    expect(scan.cmdlines.some((line) => line.includes(control))).toBe(true)
    const leaks = scan.cmdlines.filter((line) => tokens.some((t) => line.includes(t)))
    expect(leaks).toEqual([])
    // the tmux server was seen, with the harmless command line it keeps
    const serverPid = Number(rawTmux(socket, 'display-message', '-p', '#{pid}').trim())
    const serverCmdline = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(serverCmdline.slice(1)).toEqual(['-L', socket, '-f', '/dev/null', 'start-server', ';', 'source-file', '-'])
    expect(scan.cmdlines).toContain(serverCmdline.join(' '))
    // the programs got their token in their environment (readable only by our user), and their argv as is
    reports.forEach((report, i) => {
      expect(tokens).toContain(report.env.CLAUDE_SESSION_MANAGER_TOKEN)
      expect(report.env.CLAUDE_SESSION_MANAGER_ID).toBe(names[i]!.slice(-8))
      expect(report.env).not.toHaveProperty('CLAUDECODE')
      expect(report.argv).toEqual(['--', 'a prompt'])
    })
    expect(new Set(reports.map((r) => r.env.CLAUDE_SESSION_MANAGER_TOKEN)).size).toBe(names.length)
    await tmux.kill('keeper')
  })

  it('a running program: its token is in /proc/<pid>/environ, never in /proc/<pid>/cmdline', async () => {
    const secret = token()
    await tmux.create({ name: 'sleeper', cwd: dir, env: { CLAUDE_SESSION_MANAGER_TOKEN: secret }, unsetEnv: [], command: ['sleep', '600'] })
    const pid = (await tmux.programPids()).get('sleeper')!
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\0' + '600\0')
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`CLAUDE_SESSION_MANAGER_TOKEN=${secret}`)
    await tmux.kill('sleeper')
  })
})

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withNote } from './commands/what.js'
import { ECHO_AGENT, SM, sm, waitFor } from './test-support.js'

const FAKE_SUMMARIZER = resolve(import.meta.dirname, '../../server/src/fixtures/fake-summarizer.mjs')

interface Server {
  dir: string
  dataDir: string
  env: Record<string, string>
  stop(): Promise<void>
}

/** `sm server` with the echo agent and the fake summarizer in `mode` (args after the mode follow). */
async function startServer(summarizer: (dir: string) => string[]): Promise<Server> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sm-what-')))
  const dataDir = join(dir, 'data')
  const socket = `sm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const config = join(dir, 'config.yaml')
  const command = [process.execPath, FAKE_SUMMARIZER, ...summarizer(dir)]
  writeFileSync(
    config,
    `claude:\n  command: ${JSON.stringify(process.execPath)}\n  args: [${JSON.stringify(ECHO_AGENT)}]\ndelivery:\n  settle_ms: 50\n` +
      `summarizer:\n  command: ${JSON.stringify(command)}\n  timeout_seconds: 10\nlog:\n  level: warn\n`,
  )
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    CLAUDE_SESSIONS_TMUX_SOCKET: socket,
    CLAUDE_SESSIONS_DATA_DIR: dataDir,
    CLAUDE_SESSIONS_CONFIG: config,
  }
  const proc: ChildProcess = spawn(process.execPath, [SM, 'server', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  env.CLAUDE_SESSIONS_URL = await new Promise<string>((resolveUrl, reject) => {
    let err = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000)
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1]!)
      }
    })
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)))
  })
  return {
    dir,
    dataDir,
    env,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' })
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

describe('sm what', () => {
  let server: Server
  let failing: Server
  beforeAll(async () => {
    ;[server, failing] = await Promise.all([startServer((dir) => ['echo', join(dir, 'prompt.txt'), 'got:']), startServer(() => ['fail'])])
    for (const s of [server, failing]) {
      const created = await sm(['new', s.dataDir, '--name', 'worker', '--no-attach', '--json'], s.env)
      expect(created.status, created.stderr).toBe(0)
      await waitFor(async () => (await sm(['output', 'worker'], s.env)).stdout.includes('\u276f\u00a0'))
    }
    const sent = await sm(['send', 'worker', 'ship the release notes'], server.env)
    expect(sent.status, sent.stderr).toBe(0)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([server?.stop(), failing?.stop()])
  })

  it('prints the summary lines made from the screen; nothing on stderr when it is not a terminal', async () => {
    const r = await sm(['what', 'worker'], server.env)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const prompt = readFileSync(join(server.dir, 'prompt.txt'), 'utf8')
    const sessionId = /^Session: worker \(([0-9a-f]{8})\)$/m.exec(prompt)![1]!
    expect(r.stdout).toBe(
      `Summary of worker (${sessionId}): ${prompt.length} chars of prompt.\nFound: got: ship the release notes\nCLAUDECODE unset, cwd ${server.dataDir}\n`,
    )
    expect(prompt).toContain('The last 100 lines of its terminal:')
  })

  it('--json prints {session, name, summary, lines}; -n sets the lines', async () => {
    const r = await sm(['what', 'worker', '-n', '30', '--json'], server.env)
    expect(r.status).toBe(0)
    const body = JSON.parse(r.stdout) as Record<string, unknown>
    expect(Object.keys(body)).toEqual(['session', 'name', 'summary', 'lines'])
    expect(body).toMatchObject({ name: 'worker', lines: 30 })
    expect(body.session).toMatch(/^[0-9a-f]{8}$/)
    expect((body.summary as string).split('\n')).toHaveLength(3)
    expect(readFileSync(join(server.dir, 'prompt.txt'), 'utf8')).toContain('The last 30 lines')
  })

  it('bad --lines, an unknown session and a failing summarizer: exit 1 with one line', async () => {
    const cases: [Server, string[], RegExp][] = [
      [server, ['what', 'worker', '--lines', '0'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'worker', '--lines', 'abc'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'worker', '-n', '2001'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'nosuch'], /^sm: no session 'nosuch'/],
      [failing, ['what', 'worker'], /^sm: summarizer failed \(exit 1\): API Error: 529 overloaded$/],
    ]
    for (const [s, args, message] of cases) {
      const r = await sm(args, s.env)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr.trim()).toMatch(message)
    }
  })

  it('exits 2 when the server is down', async () => {
    const r = await sm(['what', 'worker'], { PATH: process.env.PATH!, HOME: '/nonexistent', CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: '/nonexistent' })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^sm: server at http:\/\/127\.0\.0\.1:9 unavailable/)
  })
})

describe('withNote', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = []
    return { written, isTTY, write: (text: string) => written.push(text) }
  }
  const later = <T>(value: T, ms: number) => new Promise<T>((r) => setTimeout(() => r(value), ms))

  it('on a terminal, shows the note once the wait is long and erases it after', async () => {
    const tty = stream(true)
    expect(await withNote(later('done', 80), 'sm: summarizing w…', tty, 20)).toBe('done')
    expect(tty.written).toEqual(['sm: summarizing w…', '\r\x1b[2K'])
  })

  it('writes nothing for a quick answer, nor to a pipe; failures pass through', async () => {
    const quick = stream(true)
    await withNote(later(1, 1), 'note', quick, 200)
    expect(quick.written).toEqual([])
    const pipe = stream(false)
    await withNote(later(1, 50), 'note', pipe, 1)
    expect(pipe.written).toEqual([])
    const failing = stream(true)
    await expect(withNote(later(null, 60).then(() => Promise.reject(new Error('boom'))), 'note', failing, 10)).rejects.toThrow('boom')
    expect(failing.written).toEqual(['note', '\r\x1b[2K'])
  })
})

import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withNote } from './commands/what.js'
import { sm, startServerProcess, waitFor, type ServerProcess } from './test-support.js'

const FAKE_SUMMARIZER = resolve(import.meta.dirname, '../../server/src/fixtures/fake-summarizer.mjs')

type Server = ServerProcess

/** `sm server` with the echo agent and the fake summarizer (its arguments from `summarizer`). */
const startServer = (summarizer: (dir: string) => string[]): Promise<Server> =>
  startServerProcess((dir) => `summarizer:\n  command: ${JSON.stringify([process.execPath, FAKE_SUMMARIZER, ...summarizer(dir)])}\n  timeout_seconds: 10\n`)

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

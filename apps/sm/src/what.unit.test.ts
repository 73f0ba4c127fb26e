/** `sm what` in-process, with a scripted summarizer for `claude -p` (the summarizer command itself: apps/server's summarizer.test.ts and summary.test.ts), and its note on a terminal. */
import { SessionsError } from '@claude-sessions/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withNote } from './commands/what.js'
import { inProcessServer, ScriptedSummarizer, sm, type InProcessServer } from './testing/in-process.js'

/** As the fake summarizer's `echo`: three lines from the prompt, with a blank line and a list mark to clean. */
const echo = (prompt: string): string => {
  const lines = prompt.split('\n')
  const session = lines.find((l) => l.startsWith('Session: ')) ?? 'Session: ?'
  const found = lines.find((l) => l.includes('got:')) ?? 'not found'
  return `\n  - Summary of ${session.slice(9)}: ${prompt.length} chars of prompt.\n\nFound: ${found.trim()}\nThird line.\n`
}

describe('sm what', () => {
  const summarizer = new ScriptedSummarizer(echo)
  const failing = new ScriptedSummarizer(() => new SessionsError('unavailable', 'summarizer failed (exit 1): API Error: 529 overloaded'))
  let server: InProcessServer
  let broken: InProcessServer
  beforeAll(async () => {
    server = inProcessServer({ summarizer })
    broken = inProcessServer({ summarizer: failing })
    for (const s of [server, broken]) {
      const created = await s.sm(['new', s.dataDir, '--name', 'worker', '--no-attach', '--json'])
      expect(created.status, created.stderr).toBe(0)
    }
    const sent = await server.sm(['send', 'worker', 'ship the release notes'])
    expect(sent.status, sent.stderr).toBe(0)
  })
  afterAll(() => {
    server?.stop()
    broken?.stop()
  })

  it('prints the summary lines made from the screen; nothing on stderr when it is not a terminal', async () => {
    const r = await server.sm(['what', 'worker'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const prompt = summarizer.prompts.at(-1)!
    const sessionId = /^Session: worker \(([0-9a-f]{8})\)$/m.exec(prompt)![1]!
    expect(r.stdout).toBe(`Summary of worker (${sessionId}): ${prompt.length} chars of prompt.\nFound: got: ship the release notes\nThird line.\n`)
    expect(prompt).toContain('The last 100 lines of its terminal:')
  })

  it('--json prints {session, name, summary, lines}; -n sets the lines', async () => {
    const r = await server.sm(['what', 'worker', '-n', '30', '--json'])
    expect(r.status).toBe(0)
    const body = JSON.parse(r.stdout) as Record<string, unknown>
    expect(Object.keys(body)).toEqual(['session', 'name', 'summary', 'lines'])
    expect(body).toMatchObject({ name: 'worker', lines: 30 })
    expect(body.session).toMatch(/^[0-9a-f]{8}$/)
    expect((body.summary as string).split('\n')).toHaveLength(3)
    expect(summarizer.prompts.at(-1)).toContain('The last 30 lines')
  })

  it('bad --lines, an unknown session and a failing summarizer: exit 1 with one line', async () => {
    const cases: [InProcessServer, string[], RegExp][] = [
      [server, ['what', 'worker', '--lines', '0'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'worker', '--lines', 'abc'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'worker', '-n', '2001'], /^sm: --lines must be an integer from 1 to 2000$/],
      [server, ['what', 'nosuch'], /^sm: no session 'nosuch'/],
      [broken, ['what', 'worker'], /^sm: summarizer failed \(exit 1\): API Error: 529 overloaded$/],
    ]
    const asked = summarizer.prompts.length
    for (const [s, args, message] of cases) {
      const r = await s.sm(args)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr.trim()).toMatch(message)
    }
    expect(summarizer.prompts).toHaveLength(asked)
  })

  it('a server without a summarizer: exit 1, one line', async () => {
    const bare = inProcessServer()
    try {
      await bare.sm(['new', bare.dataDir, '--name', 'worker', '--no-attach'])
      const r = await bare.sm(['what', 'worker'])
      expect(r).toMatchObject({ status: 1, stdout: '' })
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      bare.stop()
    }
  })

  it('exits 2 when the server is down', async () => {
    const r = await sm(['what', 'worker'], { env: { HOME: '/nonexistent', CLAUDE_SESSIONS_URL: 'http://127.0.0.1:9', CLAUDE_SESSIONS_DATA_DIR: '/nonexistent' } })
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

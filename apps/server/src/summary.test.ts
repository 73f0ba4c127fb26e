import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config } from './config/schema.js'
import { startServer, type RunningServer } from './start-server.js'
import { alive, pidsIn } from './summary-test-support.js'
import { cleanup, FAKE_SUMMARIZER, operatorClient, silentLog, testConfig, waitFor } from './test-support.js'

// The agent: a screen line to find in the prompt, then Claude's idle input line.
const MARKER = 'compiling widget-42: 3 of 7 files'
const AGENT_ARGS = ['-c', `printf '${MARKER}\\n\\342\\224\\200\\342\\224\\200\\342\\224\\200\\342\\224\\200\\n\\342\\235\\257\\302\\240\\n'; exec sleep 600`]

const running: RunningServer[] = []
const configs: Config[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
})

/** A server whose summarizer is the fake in `mode`, and one managed session showing MARKER. */
async function setup(summarizer: (dataDir: string) => string[], overrides: Partial<Config> = {}) {
  const config = testConfig({ claudeArgs: AGENT_ARGS, ...overrides })
  config.summarizerCommand = summarizer(config.dataDir)
  configs.push(config)
  const server = await startServer(config, silentLog())
  running.push(server)
  const client = operatorClient(server, config)
  const { session } = await client.create({ workingDir: config.dataDir, name: 'builder' })
  await waitFor(async () => (await client.output('builder', 20)).text.includes(MARKER))
  const raw = (path: string, token = readFileSync(join(config.dataDir, 'operator-token'), 'utf8').trim()) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { config, server, client, session, raw }
}

const fake = (...args: string[]) => [process.execPath, FAKE_SUMMARIZER, ...args]

describe('GET /sessions/:ref/summary', () => {
  it('summarizes the screen with the configured command; the prompt reaches it on stdin; listing never runs it', async () => {
    const previous = process.env.CLAUDECODE
    process.env.CLAUDECODE = '1'
    try {
      const { config, client, session, raw } = await setup((dir) => fake('echo', join(dir, 'prompt.txt'), MARKER))
      const promptFile = join(config.dataDir, 'prompt.txt')

      // read paths that list or show sessions never start the summarizer
      await client.health()
      await client.list(true)
      await client.get('builder')
      await client.output('builder', 50)
      await client.events('builder')
      expect((await raw('/sessions?all=true')).status).toBe(200)
      expect(existsSync(promptFile)).toBe(false)

      const r = await client.summary('builder', 30)
      expect(r.lines).toBe(30)
      expect(r.session).toMatchObject({ id: session.id, name: 'builder' })
      const prompt = readFileSync(promptFile, 'utf8')
      expect(r.summary.split('\n')).toEqual([
        `Summary of builder (${session.id}): ${prompt.length} chars of prompt.`,
        `Found: ${MARKER}`,
        `CLAUDECODE unset, cwd ${config.dataDir}`,
      ])
      expect(prompt).toContain(`Session: builder (${session.id})`)
      expect(prompt).toContain(`The last 30 lines of its terminal:\n<terminal>\n${MARKER}\n`)

      // the default is 100 lines
      expect((await client.summary(session.id.slice(0, 6))).lines).toBe(100)
      expect(readFileSync(promptFile, 'utf8')).toContain('The last 100 lines')
    } finally {
      if (previous === undefined) delete process.env.CLAUDECODE
      else process.env.CLAUDECODE = previous
    }
  })

  it('timeout: 503 unavailable naming the limit, and the summarizer and its child are gone', async () => {
    const { config, client } = await setup((dir) => fake('sleep', join(dir, 'pids')), { summarizerTimeoutMs: 1000 })
    const pending = client.summary('builder')
    const pids = await pidsIn(join(config.dataDir, 'pids'))
    await expect(pending).rejects.toMatchObject({ code: 'unavailable', status: 503, message: 'summarizer timed out after 1 s' })
    await waitFor(() => pids.every((pid) => !alive(pid)))
  })

  it('a failing or missing summarizer is 503 with one clear line', async () => {
    const failing = await setup(() => fake('fail'))
    await expect(failing.client.summary('builder')).rejects.toMatchObject({ code: 'unavailable', status: 503, message: 'summarizer failed (exit 1): API Error: 529 overloaded' })

    const missing = await setup(() => ['/nonexistent/claude', '-p'])
    await expect(missing.client.summary('builder')).rejects.toMatchObject({
      status: 503,
      message: "summarizer command '/nonexistent/claude' not found; set summarizer.command in the config",
    })

    const empty = await setup(() => fake('empty'))
    await expect(empty.client.summary('builder')).rejects.toMatchObject({ status: 503, message: 'the summarizer gave an empty answer' })
  })

  it('bad lines, unknown or stopped sessions and a missing token are refused before the summarizer runs', async () => {
    const { config, client, raw } = await setup((dir) => fake('echo', join(dir, 'prompt.txt')))
    for (const lines of ['0', '-3', 'abc', '2.5', '2001', '']) {
      const res = await raw(`/sessions/builder/summary?lines=${lines}`)
      expect(res.status, `lines=${lines}`).toBe(400)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('invalid_input')
      expect(body.error.message).toMatch(/^invalid query: lines: /)
    }
    expect((await raw('/sessions/nosuch/summary')).status).toBe(404)
    expect((await raw('/sessions/builder/summary', 'wrong')).status).toBe(401)
    await client.kill('builder')
    await expect(client.summary('builder')).rejects.toMatchObject({ code: 'session_stopped', status: 409 })
    expect(existsSync(join(config.dataDir, 'prompt.txt'))).toBe(false)
  })
})

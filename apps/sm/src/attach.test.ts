/**
 * `sm attach` and `sm new` in a pseudo-terminal, through the real built binary and real tmux:
 * attaching itself and detaching. Which session, the menu and its refusals: attach.unit.test.ts.
 */
import * as pty from 'node-pty'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SM, sm, startServerProcess, waitFor, type ServerProcess } from './test-support.js'

/** `sm` in a real pseudo-terminal, as a person runs it. */
function inTerminal(args: string[], env: Record<string, string>) {
  const term = pty.spawn(process.execPath, [SM, ...args], { name: 'xterm-256color', cols: 120, rows: 30, env: { ...env, TERM: 'xterm-256color', LANG: 'C.UTF-8' } })
  let screen = ''
  term.onData((d) => (screen += d))
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)))
  return { term, exited, text: () => screen }
}

const DETACH = '\x02d' // C-b d

describe('sm attach in a pseudo-terminal', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess()
  }, 60_000)
  afterAll(async () => server?.stop())

  it('attaches directly when there is one session, and detaches cleanly', async () => {
    await sm(['new', server.dataDir, '--name', 'solo', '--no-attach'], server.env)
    const t = inTerminal(['attach'], server.env)
    await waitFor(() => t.text().includes('\u276f'), 15_000)
    expect(t.text()).toContain('[solo')
    t.term.write(DETACH)
    expect(await t.exited).toBe(0)
    expect(t.text()).toContain('detached')
  })

  it('shows a numbered menu with several sessions and attaches to the chosen one', async () => {
    await sm(['new', server.dataDir, '--name', 'second', '--no-attach'], server.env)
    const t = inTerminal(['attach'], server.env)
    await waitFor(() => t.text().includes('attach to [1-2]:'), 15_000)
    expect(t.text()).toMatch(/ 1\) solo/)
    expect(t.text()).toMatch(/ 2\) second/)
    t.term.write('2\r')
    await waitFor(() => t.text().includes('[second'), 15_000)
    t.term.write(DETACH)
    expect(await t.exited).toBe(0)
  })

  it('sm new attaches when stdout is a terminal', async () => {
    const t = inTerminal(['new', server.dataDir, '--name', 'fresh'], server.env)
    await waitFor(() => t.text().includes('[fresh'), 15_000)
    await waitFor(() => t.text().includes('\u276f'), 15_000)
    t.term.write(DETACH)
    expect(await t.exited).toBe(0)
    expect(t.text()).toContain('created fresh')
  })
})

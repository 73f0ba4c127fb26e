import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attachArgv } from './attach.js'
import { cleanUp, fixture, rawTmux, tempDir, testSocket, waitFor } from './test-support.js'
import { TmuxMultiplexer } from './tmux-multiplexer.js'

const socket = testSocket()
const dir = tempDir()
const tmux = new TmuxMultiplexer({ socket })

afterAll(() => cleanUp(socket, dir))

/** Starts a session that prints `text` and stays; waits until `marker` is on screen. */
async function show(name: string, text: string, marker: string, height = 20): Promise<void> {
  await tmux.create({ name, cwd: dir, env: {}, unsetEnv: [], command: ['node', fixture('show.mjs'), text], width: 80, height })
  await waitFor(() => rawTmux(socket, 'capture-pane', '-p', '-t', `=${name}:`).includes(marker), `${marker} on screen`)
}

describe('capture', () => {
  it("returns the screen as plain text and keeps the NO-BREAK SPACE after ❯", async () => {
    const screen = '─'.repeat(20) + '\n\u276f\u00a0hello wörld 中文 😀\n' + '─'.repeat(20) + '\n  ? for shortcuts\n\u276f\u00a0\nEND'
    await show('cap', screen, 'END')
    const text = await tmux.capture('cap')
    const lines = text.split('\n')
    expect(lines.slice(0, 6)).toEqual(['─'.repeat(20), '\u276f\u00a0hello wörld 中文 😀', '─'.repeat(20), '  ? for shortcuts', '\u276f\u00a0', 'END'])
    expect(text).not.toContain('\x1b') // no escape sequences
  })

  it('adds scrollback lines only when asked', async () => {
    const numbered = Array.from({ length: 60 }, (_, i) => `row ${i + 1}`).join('\n') + '\nLAST'
    await show('scroll', numbered, 'LAST', 10)
    const visible = (await tmux.capture('scroll')).split('\n')
    expect(visible.slice(0, 10)).toEqual([...Array.from({ length: 9 }, (_, i) => `row ${52 + i}`), 'LAST'])
    const some = (await tmux.capture('scroll', 5)).split('\n')
    expect(some.slice(0, 6)).toEqual(['row 47', 'row 48', 'row 49', 'row 50', 'row 51', 'row 52'])
    const all = (await tmux.capture('scroll', 1000)).split('\n')
    expect(all[0]).toBe('row 1')
    expect(all).toContain('LAST')
  })
})

describe('setLabel', () => {
  const option = (name: string, key: string) => rawTmux(socket, 'show-options', '-t', `=${name}:`, '-v', key).replace(/\n$/, '')
  /** The status line a real client draws: a `viewer` session runs `attachArgv` for `lab`. */
  const statusLine = async () => (await tmux.capture('viewer')).split('\n').filter((l) => l.trim() !== '').at(-1) ?? ''
  const waitForStatus = (text: string) => waitFor(async () => (await statusLine()).includes(text), `status line showing ${text}`)

  beforeAll(async () => {
    await tmux.create({ name: 'lab', cwd: dir, env: {}, unsetEnv: [], command: ['sleep', '600'] })
    const [, ...attach] = attachArgv(socket, 'lab')
    await tmux.create({ name: 'viewer', cwd: dir, env: {}, unsetEnv: ['TMUX'], command: ['tmux', ...attach], width: 100, height: 8 })
  })

  it('shows the label in the status line', async () => {
    await tmux.setLabel('lab', 'fix-login a1b2')
    expect(option('lab', 'status-left')).toBe('[fix-login a1b2] ')
    await waitForStatus('[fix-login a1b2] ')
    expect(await statusLine()).toMatch(/^\[fix-login a1b2\] /)
  })

  it("escapes # so a label can't inject formats, styles or commands, and keeps a trailing ;", async () => {
    await tmux.setLabel('lab', '#{session_name} #[fg=red] #(echo hacked) 100%;')
    expect(option('lab', 'status-left')).toBe('[##{session_name} ##[fg=red] ##(echo hacked) 100%;] ')
    await waitForStatus('100%;]')
    expect(await statusLine()).toMatch(/^\[#\{session_name\} #\[fg=red\] #\(echo hacked\) 100%;\] /)
  })

  it('fits a long label, replaces control characters and labels only its own session', async () => {
    const long = 'a-rather-long-label-for-a-session-' + 'x'.repeat(20)
    await tmux.setLabel('lab', `${long}\nnext`)
    await waitForStatus(`[${long} next] `)
    expect(option('viewer', 'status-left')).not.toContain(long)
  })
})

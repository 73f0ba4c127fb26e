import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanUp, fixture, rawTmux, tempDir, testSocket, waitFor, waitForBytes } from './test-support.js'
import { TmuxMultiplexer } from './tmux-multiplexer.js'

const socket = testSocket()
const dir = tempDir()
const tmux = new TmuxMultiplexer({ socket })
let count = 0

afterAll(() => cleanUp(socket, dir))

/** Starts a session whose program records every byte it receives; returns its name and file. */
async function recorder(bracketed = false): Promise<{ name: string; file: string }> {
  const name = `rec-${++count}`
  const file = join(dir, `${name}.bin`)
  const command = ['node', fixture('record-input.mjs'), file, ...(bracketed ? ['bracketed'] : [])]
  await tmux.create({ name, cwd: dir, env: {}, unsetEnv: [], command })
  await waitForBytes(`${file}.ready`, 0)
  return { name, file }
}

const END = '<END>'

/**
 * Types `text`, then a sentinel in a separate call, and returns what the program received
 * before the sentinel, so stray extra bytes (a CR, a dropped chunk) can't go unnoticed.
 */
async function typeAndRecord(text: string, mux = tmux): Promise<string> {
  const { name, file } = await recorder()
  await mux.typeText(name, text)
  await mux.typeText(name, END)
  await waitFor(() => readFileSync(file, 'utf8').endsWith(END) || undefined, `${END} in ${file}`, 10_000)
  return readFileSync(file, 'utf8').slice(0, -END.length)
}

const paneInMode = (name: string) => rawTmux(socket, 'display-message', '-p', '-t', `=${name}:`, '#{pane_in_mode}').trim()

const HOSTILE: Record<string, string> = {
  'shell metacharacters': `echo $(rm -rf ~); \`id\` 'single' "double" \\ back\\slash && | > < & * ? [a] {b} #{pane_id} %1 !!`,
  'trailing semicolon': 'ls;',
  'only semicolons': ';;',
  'escaped semicolon': 'a\\;',
  'leading dashes and key names': '-l -- Enter C-c Escape BSpace',
  'newlines and tabs': 'line one\nline two\n\tindented\n\n',
  unicode: 'emoji 😀👍🏽 👨‍👩‍👧 CJK 中文字符 accents éàüñ combining e\u0301 nbsp\u00a0rtl עברית',
}

describe('typeText delivers text literally', () => {
  for (const [label, text] of Object.entries(HOSTILE)) {
    it(`delivers ${label} exactly`, async () => {
      expect(await typeAndRecord(text)).toBe(text)
    })
  }

  it('sends newlines as LF bytes, never as Enter (CR)', async () => {
    const received = await typeAndRecord('a\nb\n')
    expect([...Buffer.from(received)]).toEqual([0x61, 0x0a, 0x62, 0x0a])
  })

  it('delivers exactly 10 KB of mixed hostile text that once crossed chunk boundaries', async () => {
    const unit = `$(x); 'q' "d" \`b\` \\n\ttab;\n`
    let text = ''
    while (text.length < 10 * 1024) text += unit
    text = text.slice(0, 10 * 1024 - 1) + ';' // ends in ';'
    text = text.slice(0, 999) + ';' + text.slice(1000) // a chunk (1000 code points) ends in ';'
    expect(Buffer.byteLength(text)).toBe(10 * 1024)
    expect(await typeAndRecord(text)).toBe(text)
  })

  it('delivers 10 KB of emoji and CJK without splitting a surrogate pair', async () => {
    let text = 'a' // shifts the emoji so chunk boundaries fall between UTF-16 halves
    while (Buffer.byteLength(text) < 10 * 1024) text += '😀中é;'
    expect(await typeAndRecord(text)).toBe(text)
  })

  it('delivers 200 KB (far over the ~16 KB a tmux command line holds) exactly', async () => {
    const unit = `$(x); 'q' "d" \`b\` \t ünï 😀 中\n`
    let text = ''
    while (Buffer.byteLength(text) < 200 * 1024) text += unit
    expect(await typeAndRecord(text)).toBe(text)
  })

  it('pastes the whole text as ONE bracketed paste when the program asked for bracketed paste', async () => {
    const { name, file } = await recorder(true)
    let text = ''
    while (text.length < 20_000) text += `line ${text.length} "q" $(x) \`b\`\ttab ✓\n`
    await tmux.typeText(name, text)
    const expected = `\x1b[200~${text}\x1b[201~`
    const received = await waitFor(() => {
      const got = readFileSync(file, 'utf8')
      return got.length >= expected.length && got
    }, 'the paste', 10_000)
    expect(received).toBe(expected)
    expect(received.split('\x1b[200~')).toHaveLength(2)
  })

  it('leaves no paste buffer behind, and concurrent pastes into two sessions never mix', async () => {
    const a = await recorder()
    const b = await recorder()
    const textA = 'A'.repeat(30_000)
    const textB = 'B'.repeat(30_000)
    await Promise.all([tmux.typeText(a.name, textA), tmux.typeText(b.name, textB)])
    await waitFor(() => readFileSync(a.file, 'utf8').length >= textA.length && readFileSync(b.file, 'utf8').length >= textB.length, 'both pastes', 10_000)
    expect(readFileSync(a.file, 'utf8')).toBe(textA)
    expect(readFileSync(b.file, 'utf8')).toBe(textB)
    expect(rawTmux(socket, 'list-buffers', '-F', '#{buffer_name}').trim()).toBe('')
  })

  it('turns CR into LF and drops control characters, so typing never submits or interrupts', async () => {
    expect(await typeAndRecord('a\r\nb\rc\x03d\x1be\x7f\x00f')).toBe('a\nb\ncdef')
  })

  it('types nothing for empty text', async () => {
    expect(await typeAndRecord('')).toBe('')
  })
})

describe('typeText leaves modes first', () => {
  it('cancels copy-mode, then types', async () => {
    const { name, file } = await recorder()
    rawTmux(socket, 'copy-mode', '-t', `=${name}:`)
    expect(paneInMode(name)).toBe('1')
    await tmux.typeText(name, 'after copy-mode')
    expect((await waitForBytes(file, 15)).toString()).toBe('after copy-mode')
    expect(paneInMode(name)).toBe('0')
  })

  it('leaves clock-mode too, where send-keys -X cancel would fail', async () => {
    const { name, file } = await recorder()
    rawTmux(socket, 'clock-mode', '-t', `=${name}:`)
    expect(paneInMode(name)).toBe('1')
    await tmux.typeText(name, 'tick')
    expect((await waitForBytes(file, 4)).toString()).toBe('tick')
    expect(paneInMode(name)).toBe('0')
  })
})

describe('sendKey', () => {
  it('sends Escape, Enter, digits, y and n as the bytes a keyboard sends', async () => {
    const { name, file } = await recorder()
    for (const key of ['Escape', 'Enter', '1', '0', 'y', 'n'] as const) await tmux.sendKey(name, key)
    expect((await waitForBytes(file, 6)).toString('latin1')).toBe('\x1b\r10yn')
  })

  it('leaves copy-mode before sending a key', async () => {
    const { name, file } = await recorder()
    rawTmux(socket, 'copy-mode', '-t', `=${name}:`)
    await tmux.sendKey(name, 'Enter')
    expect((await waitForBytes(file, 1)).toString()).toBe('\r')
    expect(paneInMode(name)).toBe('0')
  })
})

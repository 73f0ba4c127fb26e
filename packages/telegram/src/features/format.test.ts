import { describe, expect, it } from 'vitest'
import { CHUNK_LIMIT, MESSAGE_LIMIT, escapeHtml, formatPlain, formatTitled, splitText, topicName } from './format.js'
import { checkHtml } from '../testing/fake-html.js'

describe('escapeHtml', () => {
  it('escapes &, < and > and nothing else', () => {
    expect(escapeHtml(`a < b > c & d "e" 'f' &amp; <b>x</b> ✓`)).toBe(`a &lt; b &gt; c &amp; d "e" 'f' &amp;amp; &lt;b&gt;x&lt;/b&gt; ✓`)
  })

  it('gives HTML that Telegram shows as the original text', () => {
    const nasty = `<script>alert(1)</script> & &lt; <b>not bold</b> <a href="x">y</a> 5 > 3 ; $(rm -rf /) 日本語 🚀`
    expect(checkHtml(escapeHtml(nasty))).toEqual({ text: nasty })
  })
})

describe('splitText', () => {
  it('keeps a short text whole and gives nothing for an empty one', () => {
    expect(splitText('hello\nworld')).toEqual(['hello\nworld'])
    expect(splitText('')).toEqual([])
    expect(splitText('  \n \n')).toEqual([])
  })

  it('cuts at line boundaries, each piece within the limit, losing only the line breaks at the cuts', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`)
    const text = lines.join('\n')
    const pieces = splitText(text, 1000)
    expect(pieces.length).toBeGreaterThan(1)
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(1000)
    // every cut is at a line boundary: the pieces are whole lines
    expect(pieces.join('\n')).toBe(text)
    for (const p of pieces) expect(lines).toContain(p.split('\n')[0])
  })

  it('cuts a line too long for one piece at a space, else anywhere but inside a surrogate pair', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ')
    const byWords = splitText(words, 100)
    for (const p of byWords) expect(p.length).toBeLessThanOrEqual(100)
    expect(byWords.join(' ')).toBe(words)

    const emoji = '🚀'.repeat(3000) // 6000 UTF-16 units, no spaces or breaks
    const pieces = splitText(emoji, 4096)
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(4096)
      expect([...p].every((ch) => ch === '🚀')).toBe(true)
    }
    expect(pieces.join('')).toBe(emoji)
  })

  it('splits a 10 000-character response into pieces Telegram takes (4096 after parsing, with room for a heading)', () => {
    const text = Array.from({ length: 200 }, (_, i) => `${i}: <tag> & "quote" ${'y'.repeat(40)}`).join('\n')
    const messages = formatPlain(text)
    expect(messages.length).toBeGreaterThan(2)
    for (const m of messages) {
      expect(m.text.length).toBeLessThanOrEqual(CHUNK_LIMIT)
      const parsed = checkHtml(m.html)
      expect(parsed).toEqual({ text: m.text })
      expect(m.text.length).toBeLessThanOrEqual(MESSAGE_LIMIT)
    }
    expect(messages.map((m) => m.text).join('\n')).toBe(text)
  })
})

describe('formatTitled', () => {
  it('puts the title in bold on the first piece only, the rest escaped', () => {
    const [first, ...rest] = formatTitled('Done <now>', `a & b\n${'z'.repeat(5000)}`)
    expect(first!.html.startsWith('<b>Done &lt;now&gt;</b>\na &amp; b\nzzz')).toBe(true)
    expect(checkHtml(first!.html)).toEqual({ text: first!.text })
    expect(rest.length).toBeGreaterThan(0)
    for (const m of rest) expect(m.html).not.toContain('<b>')
  })
})

describe('topicName', () => {
  it('is `<name> [<id>]`', () => {
    expect(topicName({ id: 'a1b2c3d4', name: 'worker', workingDir: '/x' })).toBe('worker [a1b2c3d4]')
  })

  it('uses the directory name for an unnamed session', () => {
    expect(topicName({ id: 'a1b2c3d4', name: null, workingDir: '/home/me/project/' })).toBe('project [a1b2c3d4]')
    expect(topicName({ id: 'a1b2c3d4', name: '  ', workingDir: '/' })).toBe('session [a1b2c3d4]')
  })

  it('shortens a long name to fit 128 characters, keeping the id and whole characters', () => {
    const name = topicName({ id: 'a1b2c3d4', name: '🚀'.repeat(100), workingDir: '/' })
    expect(name.length).toBeLessThanOrEqual(128)
    expect(name.endsWith('… [a1b2c3d4]')).toBe(true)
    expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
  })
})

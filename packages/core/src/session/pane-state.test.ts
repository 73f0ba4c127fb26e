import { describe, expect, it } from 'vitest'
import { loadScreen, screenFiles } from '../../fixtures/load.js'
import { paneIsIdle, readPane, type PaneReading } from './pane-state.js'

const RULE = '\u2500'.repeat(80)
const MARK = '\u276f\u00a0'

/** A synthetic Claude screen: history, then the input box and a footer. */
const screen = (inputLines: string[], footer = '  \u23f8 manual mode on \u00b7 ? for shortcuts') =>
  ['\u276f earlier prompt', '\u25cf an answer', '', RULE, ...inputLines, RULE, footer].join('\n')

// The real captures of Claude Code 2.1.330 (tmux 200x50).
const EXPECTED: Record<string, { reading: PaneReading; idle: boolean }> = {
  '01-idle-ready.txt': { reading: { input: '', busy: false, dialog: false }, idle: true },
  '02-working.txt': { reading: { input: '', busy: true, dialog: false }, idle: false },
  '03-permission-prompt.txt': { reading: { input: null, busy: false, dialog: true }, idle: false },
  '04-turn-done-idle.txt': { reading: { input: '', busy: false, dialog: false }, idle: true },
  '05-working-tool-running.txt': { reading: { input: '', busy: true, dialog: false }, idle: false },
  '06-after-escape-interrupt.txt': { reading: { input: '', busy: false, dialog: false }, idle: true },
  '07-after-exit.txt': { reading: { input: null, busy: false, dialog: false }, idle: false },
}

describe('readPane on real screens', () => {
  it('has an expectation for every screen fixture', () => {
    expect(screenFiles()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(Object.keys(EXPECTED))('%s', (file) => {
    const text = loadScreen(file)
    expect(readPane(text)).toEqual(EXPECTED[file]!.reading)
    expect(paneIsIdle(text)).toBe(EXPECTED[file]!.idle)
  })

  it('does not take the echoed history prompt (normal space) for the input line', () => {
    const text = loadScreen('02-working.txt')
    expect(text).toContain('\u276f clean the build')
    expect(readPane(text).input).toBe('')
  })

  it('does not take the dialog cursor (`❯ 1. Yes`) for the input line', () => {
    const text = loadScreen('03-permission-prompt.txt')
    expect(text).toMatch(/\u276f 1\. Yes/)
    expect(readPane(text).input).toBeNull()
  })

  it('copes with CRLF-free trailing blank lines and a missing trailing newline alike', () => {
    const text = loadScreen('01-idle-ready.txt')
    expect(readPane(text.replace(/\n+$/, ''))).toEqual(readPane(text))
    expect(readPane(`${text}\n\n\n`)).toEqual(readPane(text))
  })
})

describe('readPane on synthetic screens', () => {
  it('reads typed single-line input without trailing padding', () => {
    expect(readPane(screen([`${MARK}fix the tests     `])).input).toBe('fix the tests')
  })

  it('reads multi-line input, dropping the indent of continuation lines', () => {
    const reading = readPane(screen([`${MARK}first line`, '  second line', '      indented code', '  last line   ']))
    expect(reading).toEqual({ input: 'first line\nsecond line\n    indented code\nlast line', busy: false, dialog: false })
  })

  it('keeps blank lines inside multi-line input and drops them at the ends', () => {
    expect(readPane(screen([`${MARK}one`, '', '  three', '  '])).input).toBe('one\n\nthree')
  })

  it('keeps unicode and shell characters literally', () => {
    expect(readPane(screen([`${MARK}héllo $(x); 'q' "d" 🤖`])).input).toBe(`héllo $(x); 'q' "d" 🤖`)
  })

  it('reads busy from the footer, not from typed text', () => {
    const typed = screen([`${MARK}please say esc to interrupt`])
    expect(readPane(typed)).toEqual({ input: 'please say esc to interrupt', busy: false, dialog: false })
    expect(paneIsIdle(typed)).toBe(true)
    const working = screen([`${MARK}queued text`], '  \u23f8 manual mode on \u00b7 esc to interrupt')
    expect(readPane(working)).toEqual({ input: 'queued text', busy: true, dialog: false })
    expect(paneIsIdle(working)).toBe(false)
  })

  it('uses the last input line on screen', () => {
    const text = [`${MARK}stale`, RULE, 'old footer', RULE, `${MARK}current`, RULE, 'footer'].join('\n')
    expect(readPane(text).input).toBe('current')
  })

  it('reports no input and no dialog for an empty screen', () => {
    expect(readPane('')).toEqual({ input: null, busy: false, dialog: false })
    expect(paneIsIdle('')).toBe(false)
  })
})

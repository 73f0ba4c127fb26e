import { describe, expect, it } from 'vitest'
import { sendKeyArgs } from './keys.js'
import { statusLeftFor, statusLeftLengthFor } from './label.js'
import { escapeTmuxArg, paneTarget, tmuxArgv } from './run-tmux.js'
import { typableText } from './typed-text.js'

describe('typableText', () => {
  it('keeps tabs, LF and unicode; turns CR/CRLF into LF; drops other controls', () => {
    expect(typableText('a\tb\nc é😀')).toBe('a\tb\nc é😀')
    expect(typableText('1\r\n2\r3\x1b[A\x03\x7f')).toBe('1\n2\n3[A')
  })
})

describe('tmux argument escaping', () => {
  it('escapes only a trailing ;', () => {
    expect(escapeTmuxArg('a;')).toBe('a\\;')
    expect(escapeTmuxArg(';')).toBe('\\;')
    expect(escapeTmuxArg('a\\;')).toBe('a\\\\;')
    expect(escapeTmuxArg('a;b')).toBe('a;b')
    expect(escapeTmuxArg('$(x) "q"')).toBe('$(x) "q"')
  })

  it('builds argv with the private socket, config file and bare ; between commands', () => {
    const server = { tmuxPath: 'tmux', socket: 's1', configFile: '/dev/null' }
    expect(tmuxArgv(server, [['set-option', 'x', 'v;'], ['kill-session']])).toEqual(['-L', 's1', '-f', '/dev/null', 'set-option', 'x', 'v\\;', ';', 'kill-session'])
    expect(tmuxArgv({ ...server, configFile: null }, [['ls']])).toEqual(['-L', 's1', 'ls'])
    expect(paneTarget('claude-a1')).toBe('=claude-a1:')
  })
})

describe('keys and labels', () => {
  it('maps Escape and Enter to key names, others to literal keys', () => {
    expect(sendKeyArgs('Escape')).toEqual({ literal: false, key: 'Escape' })
    expect(sendKeyArgs('Enter')).toEqual({ literal: false, key: 'Enter' })
    expect(sendKeyArgs('7')).toEqual({ literal: true, key: '7' })
    expect(() => sendKeyArgs('C-c' as never)).toThrow(/can't be sent/)
  })

  it('escapes # in labels and sizes the status-left to fit', () => {
    expect(statusLeftFor('a#b')).toBe('[a##b] ')
    expect(statusLeftLengthFor('x')).toBe(10)
    expect(statusLeftLengthFor('x'.repeat(30))).toBe(33)
    expect(statusLeftLengthFor('中'.repeat(10))).toBe(23)
    expect(statusLeftLengthFor('x'.repeat(500))).toBe(100)
  })
})

import { describe, expect, it } from 'vitest'
import { fastCommand } from './fast-path.js'

describe('fast path', () => {
  it('recognises the hot commands and their flags', () => {
    expect(fastCommand(['status'])).toEqual({ command: 'status', all: false, json: false })
    expect(fastCommand(['ls', '-a', '--json'])).toEqual({ command: 'status', all: true, json: true })
    expect(fastCommand(['status', '--all'])).toEqual({ command: 'status', all: true, json: false })
    expect(fastCommand(['me', '--json'])).toEqual({ command: 'me', all: false, json: true })
    expect(fastCommand(['--version'])).toEqual({ command: 'version', all: false, json: false })
    expect(fastCommand(['-v'])).toMatchObject({ command: 'version' })
  })

  it('leaves everything else to the full parser', () => {
    for (const argv of [[], ['--help'], ['status', '--help'], ['ls', '--bogus'], ['me', '--all'], ['ls', 'x'], ['send', 'a', 'b'], ['status', '--json=false'], ['--version', 'x']]) {
      expect(fastCommand(argv), argv.join(' ')).toBeNull()
    }
  })
})

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { multiplexerContract } from '@claude-sessions/core/testing'
import { cleanUp, fixture, rawTmux, tempDir, testSocket, waitForBytes } from './test-support.js'
import { TmuxMultiplexer } from './tmux-multiplexer.js'

/** Each run gets its own tmux server on a private socket and its own directory; `close` ends both. */
multiplexerContract('tmux multiplexer', () => {
  const socket = testSocket()
  const dir = tempDir()
  const file = join(dir, 'a-file')
  writeFileSync(file, 'not a directory\n')
  const record = (name: string) => join(dir, `${encodeURIComponent(name)}.bin`)
  return {
    mux: new TmuxMultiplexer({ socket }),
    dir,
    file,
    program: (name) => ['node', fixture('echo-input.mjs'), record(name)],
    started: async (name) => {
      await waitForBytes(`${record(name)}.ready`, 0)
    },
    received: async (name) => {
      try {
        return readFileSync(record(name), 'utf8')
      } catch {
        return ''
      }
    },
    // what setLabel put in status-left, `[label] ` with # doubled, read back as the label
    label: async (name) => {
      const value = rawTmux(socket, 'show-options', '-t', `=${name}:`, '-v', 'status-left').replace(/\n$/, '')
      return value === '' ? null : value.replace(/^\[/, '').replace(/\] $/, '').replace(/##/g, '#')
    },
    close: () => cleanUp(socket, dir),
  }
})

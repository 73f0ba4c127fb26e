import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SessionsError, type ErrorCode } from '@claude-sessions/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attachArgv, tmuxAvailable, tmuxVersion } from './attach.js'
import { cleanUp, fixture, rawTmux, tempDir, testSocket, waitFor, waitForJson } from './test-support.js'
import { TmuxMultiplexer } from './tmux-multiplexer.js'

const socket = testSocket()
const dir = tempDir()
const tmux = new TmuxMultiplexer({ socket })
const sleeper = (name: string) => ({ name, cwd: dir, env: {}, unsetEnv: [], command: ['sleep', '600'] })

interface Report {
  argv: string[]
  cwd: string
  env: Record<string, string>
}

const expectFailure = async (promise: Promise<unknown>, code: ErrorCode = 'multiplexer_failed') => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(SessionsError.is(error, code), `expected ${code}, got ${String(error)}`).toBe(true)
}

const savedClaudeCode = process.env.CLAUDECODE
beforeAll(() => {
  // The tmux server started by this file's first create inherits this variable.
  process.env.CLAUDECODE = '1'
})
afterAll(() => {
  if (savedClaudeCode === undefined) delete process.env.CLAUDECODE
  else process.env.CLAUDECODE = savedClaudeCode
  cleanUp(socket, dir)
})

describe('with no tmux server on the socket', () => {
  it('list returns [] and exists is false', async () => {
    expect(await tmux.list()).toEqual([])
    expect(await tmux.exists('nothing')).toBe(false)
  })

  it('programPids is empty', async () => {
    expect((await new TmuxMultiplexer({ socket: `${socket}-none` }).programPids()).size).toBe(0)
  })

  it('kill is a no-op', async () => {
    await expect(tmux.kill('nothing')).resolves.toBeUndefined()
  })
})

describe('session lifecycle', () => {
  // keeps the server up: tmux exits when its last session ends
  beforeAll(() => tmux.create(sleeper('keeper')))

  it('creates a session that exists and is listed, and kill removes it (twice is fine)', async () => {
    await tmux.create(sleeper('life-1'))
    expect(await tmux.exists('life-1')).toBe(true)
    expect(await tmux.list()).toContain('life-1')
    await tmux.kill('life-1')
    expect(await tmux.exists('life-1')).toBe(false)
    expect(await tmux.list()).not.toContain('life-1')
    await expect(tmux.kill('life-1')).resolves.toBeUndefined()
  })

  it('uses exact names: a prefix never matches a longer session name', async () => {
    await tmux.create(sleeper('claude-a1b2c3d4'))
    expect(await tmux.exists('claude-a1')).toBe(false)
    await tmux.kill('claude-a1')
    expect(await tmux.exists('claude-a1b2c3d4')).toBe(true)
    await expectFailure(tmux.capture('claude-a1'))
    await expectFailure(tmux.typeText('claude-a1', 'x'))
    await tmux.kill('claude-a1b2c3d4')
  })

  it('rejects a duplicate name with multiplexer_failed', async () => {
    await tmux.create(sleeper('dup'))
    await expectFailure(tmux.create(sleeper('dup')))
    expect((await tmux.list()).filter((n) => n === 'dup')).toHaveLength(1)
    await tmux.kill('dup')
  })

  it('creates the terminal with the requested size', async () => {
    await tmux.create({ ...sleeper('sized'), width: 91, height: 33 })
    // detached, no client draws a status line, so the pane gets every row
    expect(rawTmux(socket, 'display-message', '-p', '-t', '=sized:', '#{pane_width}x#{pane_height}').trim()).toBe('91x33')
    await tmux.kill('sized')
  })

  it('ends the session when its program exits', async () => {
    await tmux.create({ ...sleeper('short'), command: ['sleep', '0.2'] })
    expect(await tmux.exists('short')).toBe(true)
    await waitFor(async () => !(await tmux.list()).includes('short'), 'session to end')
    expect(await tmux.exists('short')).toBe(false)
  })
})

describe('programPids', () => {
  it("gives each session's program pid (the program itself: env execs it), gone once it is killed", async () => {
    await tmux.create(sleeper('pids-a'))
    await tmux.create(sleeper('pids-b'))
    const pids = await tmux.programPids()
    const a = pids.get('pids-a')!
    expect(a).toBeGreaterThan(1)
    expect(pids.get('pids-b')).toBeGreaterThan(1)
    expect(readFileSync(`/proc/${a}/cmdline`, 'utf8').split('\0')[0]).toBe('sleep')
    process.kill(a, 'SIGKILL') // a pid this test's own tmux session started
    await waitFor(async () => !(await tmux.programPids()).has('pids-a') || undefined, 'pids-a gone', 5000)
    expect(await tmux.exists('pids-a')).toBe(false)
    await tmux.kill('pids-b')
  })
})

describe('what the program in the pane gets', () => {
  it('receives env vars, loses unsetEnv vars the tmux server has, and runs in cwd', async () => {
    // precondition: the tmux server's own environment holds CLAUDECODE
    expect(rawTmux(socket, 'show-environment', '-g', 'CLAUDECODE').trim()).toBe('CLAUDECODE=1')
    const work = join(dir, 'work dir;') // a cwd with a space and a trailing ;
    mkdirSync(work)
    const env = { CLAUDE_SESSION_MANAGER_ID: 'a1b2c3d4', SM_TOKEN: 'tok en;$(x)"\'', TRAILING: 'ends;' }

    await tmux.create({ name: 'env-plain', cwd: work, env: {}, unsetEnv: [], command: ['node', fixture('report.mjs'), join(dir, 'plain.json')] })
    const plain = await waitForJson<Report>(join(dir, 'plain.json'))
    expect(plain.env.CLAUDECODE).toBe('1') // without unsetEnv the variable would leak through

    await tmux.create({ name: 'env-set', cwd: work, env, unsetEnv: ['CLAUDECODE'], command: ['node', fixture('report.mjs'), join(dir, 'env.json')] })
    const report = await waitForJson<Report>(join(dir, 'env.json'))
    expect(report.env).toMatchObject(env)
    expect(report.env).not.toHaveProperty('CLAUDECODE')
    expect(report.cwd).toBe(work)
  })

  it('receives its argv exactly: spaces, quotes, ;, $(), globs, braces, newlines, unicode, empty', async () => {
    const args = ['a b', '"double"', "it's", 'semi;', ';', ';;', 'x\\;', '\\', '$(id)', '`id`', '*', '~', '', '{', '}', '#{pane_id}', '-x', '--', 'new\nline\ttab', 'é中😀', 'a;b c']
    await tmux.create({ name: 'argv', cwd: dir, env: {}, unsetEnv: [], command: ['node', fixture('report.mjs'), join(dir, 'argv.json'), ...args] })
    expect((await waitForJson<Report>(join(dir, 'argv.json'))).argv).toEqual(args)
  })

  it("receives argv and env exactly through tmux's command language: expansions, escapes, comments, conditions, control characters", async () => {
    const tricky = [
      '$HOME', '${HOME}', '$', '~', '~root', '~/x', 'a~b', '\\', '\\0', '\\n', '\\u0041', '\\\n', 'back\\', '"', "'", '\'"\'',
      'x\n  #comment\n%if 1', '\n\n', ' lead', 'trail ', '\t', '\r', 'cr\r\nlf', '\x1b[31mred', '\x7f', '\x01',
      '%if', '%hidden', '%%', 'A=b', '{', '}', '{ }', '#', '#{session_name}', ';', 'semi;', '\\;', 'é中😀', 'x'.repeat(20_000),
    ]
    const env = Object.fromEntries(tricky.slice(0, 40).map((v, i) => [`SM_T${i}`, v]))
    await tmux.create({ name: 'lang', cwd: dir, env, unsetEnv: [], command: ['node', fixture('report.mjs'), join(dir, 'lang.json'), ...tricky] })
    const report = await waitForJson<Report>(join(dir, 'lang.json'))
    expect(report.argv).toEqual(tricky)
    expect(report.env).toMatchObject(env)
  })

  it('refuses NUL anywhere before calling tmux', async () => {
    await expectFailure(tmux.create({ ...sleeper('nul-arg'), command: ['sleep', '6\u00000'] }), 'invalid_input')
    await expectFailure(tmux.create({ ...sleeper('nul-env'), env: { A: 'x\u0000y' } }), 'invalid_input')
    await expectFailure(tmux.create({ ...sleeper('nul-cwd'), cwd: `${dir}\u0000` }), 'invalid_input')
    expect(await tmux.exists('nul-arg')).toBe(false)
    expect(await tmux.exists('nul-env')).toBe(false)
  })

  it('runs a single-element command as the program itself, not through a shell', async () => {
    const script = join(dir, 'has space;') // a path a shell would split and cut at ';'
    writeFileSync(script, `#!/bin/sh\ntouch "${join(dir, 'single-ran')}"\n`)
    chmodSync(script, 0o755)
    await tmux.create({ name: 'single', cwd: dir, env: {}, unsetEnv: [], command: [script] })
    await waitFor(() => existsSync(join(dir, 'single-ran')), 'single-element command to run')
  })
})

describe('errors', () => {
  it('reports multiplexer_failed for unknown sessions', async () => {
    await expectFailure(tmux.capture('no-such'))
    await expectFailure(tmux.typeText('no-such', 'hi'))
    await expectFailure(tmux.sendKey('no-such', 'Enter'))
    await expectFailure(tmux.setLabel('no-such', 'x'))
  })

  it('rejects bad input before calling tmux', async () => {
    await expectFailure(tmux.create({ ...sleeper('bad-cwd'), cwd: join(dir, 'missing') }), 'invalid_input')
    await expectFailure(tmux.create({ ...sleeper('no-cmd'), command: [] }), 'invalid_input')
    await expectFailure(tmux.create({ ...sleeper('bad-env'), env: { 'A=B': 'x' } }), 'invalid_input')
    await expectFailure(tmux.create(sleeper('a.b')), 'invalid_name')
    await expectFailure(tmux.sendKey('keeper', 'Tab' as never), 'invalid_input')
    expect(await tmux.exists('bad-cwd')).toBe(false)
  })

  it('reports multiplexer_failed when tmux is missing', async () => {
    const broken = new TmuxMultiplexer({ socket, tmuxPath: join(dir, 'no-tmux') })
    await expectFailure(broken.list())
    await expectFailure(broken.create(sleeper('never')))
  })
})

describe('helpers', () => {
  it('attachArgv attaches to the exact session on the private socket', () => {
    expect(attachArgv('sock-1', 'claude-a1')).toEqual(['tmux', '-L', 'sock-1', 'attach-session', '-t', '=claude-a1:'])
    expect(attachArgv('sock-1', 'x', '/usr/bin/tmux')[0]).toBe('/usr/bin/tmux')
  })

  it('tmuxVersion reads the installed version; a missing binary gives null', async () => {
    expect(await tmuxVersion()).toMatch(/^\d+\.\d+/)
    expect(await tmuxVersion(join(dir, 'no-tmux'))).toBeNull()
    expect(await tmuxAvailable()).toBe(true)
  })
})

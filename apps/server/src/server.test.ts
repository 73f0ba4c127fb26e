import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createClient } from '@claude-sessions/api/client'
import { afterEach, describe, expect, it } from 'vitest'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { startServer, type RunningServer } from './start-server.js'
import { cleanup, operatorClient, runHook, silentLog, testConfig, tmuxEnv, waitFor } from './test-support.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'

const running: RunningServer[] = []
const configs: Config[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
})

async function start(config: Config): Promise<RunningServer> {
  const server = await startServer(config, silentLog())
  running.push(server)
  return server
}

function setup(overrides: Partial<Config> = {}) {
  const config = testConfig(overrides)
  configs.push(config)
  return config
}

describe('server', () => {
  it('creates an operator token with mode 0600 and serves health without one', async () => {
    const config = setup()
    const server = await start(config)
    const tokenFile = dataFiles(config.dataDir).operatorToken
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    expect(await createClient({ baseUrl: server.url }).health()).toMatchObject({ ok: true, tmuxSocket: config.tmuxSocket, sessions: 0 })
  })

  it('records hook events sent by the real hook script and moves the state', async () => {
    const config = setup()
    const server = await start(config)
    const client = operatorClient(server, config)
    const { session } = await client.create({ workingDir: config.dataDir, name: 'hooked' })
    const token = tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN')
    expect(tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_ID')).toBe(session.id)
    expect(tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSIONS_URL')).toBe(server.url)
    const env = { CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSION_MANAGER_ID: session.id, CLAUDE_SESSION_MANAGER_TOKEN: token }

    expect(await runHook('SessionStart', { session_id: CLAUDE_ID, source: 'startup', model: 'm1' }, env)).toEqual({ status: 0, stdout: '{}', stderr: '' })
    await runHook('UserPromptSubmit', { session_id: CLAUDE_ID, prompt: 'go' }, env)
    expect((await client.get('hooked')).session.state).toBe('working')
    await runHook('Stop', { session_id: CLAUDE_ID, last_assistant_message: 'finished ✓' }, env)
    expect((await client.lastMessage('hooked')).message).toBe('finished ✓')
    expect((await client.events('hooked')).events.map((e) => e.event)).toEqual(['SessionStart', 'UserPromptSubmit', 'Stop'])

    // a wrong token is refused and records nothing; the script still exits 0 and prints nothing
    expect(await runHook('Stop', { session_id: CLAUDE_ID }, { ...env, CLAUDE_SESSION_MANAGER_TOKEN: 'wrong' })).toMatchObject({ status: 0, stdout: '' })
    expect((await client.events('hooked')).events).toHaveLength(3)
  })

  it('refuses a second server on the same data dir before touching anything', async () => {
    const config = setup()
    await start(config)
    const db = dataFiles(config.dataDir).database
    const before = statSync(db).mtimeMs
    await expect(startServer({ ...config, port: 0 }, silentLog())).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('another server') })
    expect(statSync(db).mtimeMs).toBe(before)
  })

  it('refuses a port in use with a clear error and releases the lock', async () => {
    const first = setup()
    const server = await start(first)
    const port = Number(new URL(server.url).port)
    const second = setup({ port })
    await expect(startServer(second, silentLog())).rejects.toMatchObject({ message: expect.stringContaining(`port ${port}`) })
    expect(existsSync(dataFiles(second.dataDir).lock)).toBe(false)
    // the store is opened before the port (so a broken one stops us first), and closed again
    expect(existsSync(`${dataFiles(second.dataDir).database}-wal`)).toBe(false)
  })

  it('imports hook events spooled while the server was down, each exactly once', async () => {
    const config = setup()
    const first = await start(config)
    const client = operatorClient(first, config)
    const { session } = await client.create({ workingDir: config.dataDir })
    const url = first.url
    await first.close()
    running.splice(0)

    const env = { CLAUDE_SESSIONS_URL: url, CLAUDE_SESSIONS_DATA_DIR: config.dataDir, CLAUDE_SESSION_MANAGER_ID: session.id, CLAUDE_SESSION_MANAGER_TOKEN: 'not-stored' }
    expect(await runHook('UserPromptSubmit', { session_id: CLAUDE_ID, prompt: 'while down' }, env)).toMatchObject({ status: 0, stdout: '' })
    await runHook('Stop', { session_id: CLAUDE_ID, last_assistant_message: 'spooled answer' }, env)
    await runHook('SessionStart', { session_id: 'ext-1', source: 'startup', cwd: '/tmp' }, { CLAUDE_SESSIONS_URL: url, CLAUDE_SESSIONS_DATA_DIR: config.dataDir })
    const spool = dataFiles(config.dataDir).spool
    expect(readdirSync(spool).filter((f) => f.endsWith('.json'))).toHaveLength(3)

    const second = await start(config)
    const c2 = operatorClient(second, config)
    const events = (await c2.events(session.id)).events
    expect(events.map((e) => e.event)).toEqual(['UserPromptSubmit', 'Stop'])
    expect((await c2.lastMessage(session.id)).message).toBe('spooled answer')
    expect((await c2.get('ext-1')).session).toMatchObject({ kind: 'external', state: 'idle' })
    expect(readdirSync(spool).filter((f) => f.endsWith('.json'))).toEqual([])

    await second.close()
    running.splice(0)
    const third = await start(config)
    expect((await operatorClient(third, config).events(session.id)).events).toHaveLength(2)
  })

  it('on restart re-adopts live terminals and stops sessions whose terminal is gone', async () => {
    const config = setup()
    const first = await start(config)
    const client = operatorClient(first, config)
    const keep = (await client.create({ workingDir: config.dataDir, name: 'keep' })).session
    const gone = (await client.create({ workingDir: config.dataDir, name: 'gone' })).session
    await first.close()
    running.splice(0)
    execFileSync('tmux', ['-L', config.tmuxSocket, 'kill-session', '-t', `=${gone.tmuxSession!}`])

    const second = await start(config)
    const c2 = operatorClient(second, config)
    expect((await c2.get('keep')).session.state).not.toBe('stopped')
    expect((await c2.get('gone')).session.state).toBe('stopped')
    const out = await waitFor(async () => {
      const r = await c2.output('keep', 10)
      return r.text.includes('\u276f') ? r : null
    })
    expect(out.session.id).toBe(keep.id)
  })

  it('delivers text into a real terminal and confirms it on screen', async () => {
    const config = setup({ claudeCommand: process.execPath, claudeArgs: [resolve(import.meta.dirname, 'fixtures/echo-agent.mjs')] })
    const server = await start(config)
    const client = operatorClient(server, config)
    const { session } = await client.create({ workingDir: config.dataDir })
    await waitFor(async () => (await client.output(session.id, 5)).text.includes('\u276f\u00a0'))
    const text = `semi; $(x) 'q' "d" \`b\` é ✓`
    const r = await client.input(session.id, text)
    expect(r.delivery).toMatchObject({ delivered: true, confirmedBy: 'screen' })
    const out = await waitFor(async () => {
      const o = await client.output(session.id, 20)
      return o.text.includes(`got: ${text}`) ? o : null
    })
    expect(out.text).toContain(`got: ${text}`)
  })
})

describe('agent command check', () => {
  it('commandAvailable finds programs on PATH and executable paths only', async () => {
    const { commandAvailable } = await import('./host-checks.js')
    expect(commandAvailable('sh')).toBe(true)
    expect(commandAvailable(process.execPath)).toBe(true)
    expect(commandAvailable('definitely-not-a-command-xyz')).toBe(false)
    expect(commandAvailable('/etc')).toBe(false)
    expect(commandAvailable('/nonexistent/claude')).toBe(false)
    expect(commandAvailable('sh', '/nonexistent')).toBe(false)
  })
})

describe('logs', () => {
  it('never contain a session token or the operator token', async () => {
    const { Writable } = await import('node:stream')
    const { createLogger } = await import('./logger.js')
    let logged = ''
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged += chunk.toString()
        done()
      },
    })
    const config = setup()
    const server = await startServer(config, createLogger('trace', sink))
    running.push(server)
    const client = operatorClient(server, config)
    const { session } = await client.create({ workingDir: config.dataDir, name: 'logged' })
    const token = tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN')
    const env = { CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSION_MANAGER_ID: session.id, CLAUDE_SESSION_MANAGER_TOKEN: token }
    await runHook('SessionStart', { session_id: CLAUDE_ID, source: 'startup' }, env)
    await runHook('Stop', { session_id: CLAUDE_ID }, { ...env, CLAUDE_SESSION_MANAGER_TOKEN: `${token}x` })
    await client.kill(session.id)
    await server.close()
    running.splice(0)
    const operatorToken = readFileSync(dataFiles(config.dataDir).operatorToken, 'utf8').trim()
    expect(logged).toContain('state') // the logger did write
    expect(logged).not.toContain(token)
    expect(logged).not.toContain(operatorToken)
  })
})

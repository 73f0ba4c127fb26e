import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

// The real script, run by real shells, against a tiny stand-in for the server's /hooks route.

const HOOK = fileURLToPath(new URL('./sm-hook', import.meta.url))
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const SPOOL_NAME = new RegExp(`^(${UUID})-([A-Za-z]+)-([A-Za-z0-9_-]+)\\.json$`)
const spoolName = (event: string, id: string) => new RegExp(`^${UUID}-${event}-${id}\\.json$`)

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

type Reply = { status: number; body: string; delayMs?: number; headers?: Record<string, string> } | 'hang' | 'close'

let server: http.Server
let url: string
let downUrl: string
let received: Received[] = []
let reply: (r: Received) => Reply = () => ({ status: 200, body: '' })
const tmp = mkdtempSync(join(tmpdir(), 'sm-hook-test-'))
let dataDir: string
let n = 0

const shellAvailable = (sh: string) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }
      received.push(r)
      const what = reply(r)
      if (what === 'hang') return
      if (what === 'close') return void req.socket.destroy()
      const send = () => res.writeHead(what.status, { 'content-type': 'application/json', ...what.headers }).end(what.body)
      if (what.delayMs) setTimeout(send, what.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  downUrl = `http://127.0.0.1:${await freePort()}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(tmp, { recursive: true, force: true })
})

afterEach(() => {
  received = []
  reply = () => ({ status: 200, body: '' })
})

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as net.AddressInfo
  await new Promise((resolve) => s.close(resolve))
  return port
}

interface NodePty {
  spawn(
    file: string,
    args: string[],
    options: { env: Record<string, string>; cols: number; rows: number },
  ): { kill(signal?: string): void; onExit(listener: (e: { exitCode: number }) => void): void }
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** A fresh data dir per run, and an env with nothing inherited but PATH. */
function hookEnv(env: Record<string, string> = {}): Record<string, string> {
  const full = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp,
    CLAUDE_SESSIONS_URL: url,
    CLAUDE_SESSIONS_DATA_DIR: join(tmp, `data-${++n}`),
    ...env,
  }
  dataDir = full.CLAUDE_SESSIONS_DATA_DIR
  return full
}

function runHook(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; shell?: string; wrap?: string[]; killAfterMs?: number } = {},
): Promise<Run> {
  const started = performance.now()
  // wrap: a command the shell runs under (strace), as in `strace … sh sm-hook Event`.
  const [cmd, ...pre] = [...(options.wrap ?? []), options.shell ?? 'sh']
  const child = spawn(cmd!, [...pre, HOOK, ...args], { env: hookEnv(options.env), stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.on('error', () => {}) // the script may exit without reading stdin
  child.stdin.end(options.input ?? '')
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 8000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr, ms: performance.now() - started })
    }),
  )
}

const spoolDir = () => join(dataDir, 'spool')
const spooled = () => (existsSync(spoolDir()) ? readdirSync(spoolDir()) : [])

/** A fresh data dir holding the fail-closed marker the server writes (hooks.fail_closed: true). */
function failClosedDir(): string {
  const dir = join(tmp, `data-${++n}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'hooks-fail-closed'), '')
  return dir
}
const blockedMessage = (base: string) =>
  `claude-sessions: server unreachable at ${base}; hooks.fail_closed is on, so this tool call is blocked (it was not run). ` +
  'Every tool call stays blocked until the server is back, so do not try to start it with a tool: ' +
  'ask the user to run `sm server`, then retry.\n'

const payload = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: 'c-1', hook_event_name: 'PreToolUse', tool_name: 'Bash', ...extra })
const unicode = payload({ tool_input: { command: `echo 'é ✓ 日本 🚀' "$(x)" ; \\ \u00a0` } })
const big = payload({ tool_response: { stdout: 'x✓'.repeat(50_000) } })

describe('hooks/sm-hook', () => {
  it('is executable and valid sh', () => {
    expect(statSync(HOOK).mode & 0o111).toBe(0o111)
    expect(spawnSync('sh', ['-n', HOOK]).status).toBe(0)
    if (shellAvailable('dash')) expect(spawnSync('dash', ['-n', HOOK]).status).toBe(0)
  })

  it('posts the payload line verbatim to /hooks/<Event> with POST, with a fresh event id each time', async () => {
    const ids: string[] = []
    for (const body of [unicode, big, unicode]) {
      received = []
      const run = await runHook(['PreToolUse'], { input: body })
      expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
      expect(received).toHaveLength(1)
      expect(received[0]!.method).toBe('POST')
      expect(received[0]!.url).toBe('/hooks/PreToolUse')
      expect(received[0]!.headers['content-type']).toBe('application/json')
      expect(received[0]!.headers.expect).toBeUndefined()
      // the line Claude Code wrote, ended by its newline
      expect(received[0]!.body.equals(Buffer.from(`${body}\n`))).toBe(true)
      const id = received[0]!.headers['x-sm-event']
      expect(id).toMatch(new RegExp(`^${UUID}$`))
      ids.push(id as string)
    }
    expect(new Set(ids).size).toBe(3)
    expect(Buffer.byteLength(big)).toBeGreaterThan(100_000)
  })

  it('sends X-SM-Session and Authorization only when the env vars are set', async () => {
    await runHook(['Stop'], { input: payload(), env: { CLAUDE_SESSION_MANAGER_ID: 'ab12cd34', CLAUDE_SESSION_MANAGER_TOKEN: 'tok-Secret_1.x' } })
    await runHook(['Stop'], { input: payload() })
    await runHook(['Stop'], { input: payload(), env: { CLAUDE_SESSION_MANAGER_ID: '', CLAUDE_SESSION_MANAGER_TOKEN: '' } })
    expect(received).toHaveLength(3)
    expect(received[0]!.headers['x-sm-session']).toBe('ab12cd34')
    expect(received[0]!.headers.authorization).toBe('Bearer tok-Secret_1.x')
    for (const r of received.slice(1)) {
      expect(r.headers['x-sm-session']).toBeUndefined()
      expect(r.headers.authorization).toBeUndefined()
    }
  })

  it('treats a manager id or token unsafe for a header line as unset', async () => {
    await runHook(['Stop'], {
      input: payload(),
      env: { CLAUDE_SESSION_MANAGER_ID: 'ab\r\nX-Evil: 1', CLAUDE_SESSION_MANAGER_TOKEN: 't\nX-Evil: 2' },
    })
    expect(received).toHaveLength(1)
    expect(received[0]!.headers['x-evil']).toBeUndefined()
    expect(received[0]!.headers['x-sm-session']).toBeUndefined()
    expect(received[0]!.headers.authorization).toBeUndefined()
    await runHook(['Stop'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSION_MANAGER_ID: '../../x' } })
    expect(spooled()).toEqual([expect.stringMatching(spoolName('Stop', '_'))])
  })

  it('prints the 2xx reply body on stdout', async () => {
    const decision = JSON.stringify({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'no ✓' },
    })
    reply = () => ({ status: 200, body: decision })
    expect(await runHook(['PreToolUse'], { input: payload() })).toMatchObject({ code: 0, stdout: decision, stderr: '' })
    reply = () => ({ status: 204, body: '' })
    expect(await runHook(['PreToolUse'], { input: payload() })).toMatchObject({ code: 0, stdout: '' })
    const multiline = '{\n  "a": 1\n}\n\n'
    reply = () => ({ status: 200, body: multiline })
    expect((await runHook(['Stop'], { input: payload() })).stdout).toBe(multiline)
  })

  it('prints nothing for a 4xx or 5xx reply, and exits 0; spools after a 5xx (not stored), never after a 4xx (refused)', async () => {
    for (const status of [400, 401, 404, 413]) {
      reply = () => ({ status, body: '{"error":{"code":"x","message":"no"}}' })
      expect(await runHook(['Stop'], { input: payload() })).toMatchObject({ code: 0, stdout: '', stderr: '' })
      expect(spooled()).toEqual([])
    }
    for (const status of [500, 503]) {
      reply = () => ({ status, body: '{"error":{"code":"x","message":"no"}}' })
      expect(await runHook(['Stop'], { input: payload() })).toMatchObject({ code: 0, stdout: '', stderr: '' })
      const files = spooled()
      expect(files).toEqual([expect.stringMatching(spoolName('Stop', '_'))])
      // under the id it sent: if the server did store it, the import drops the copy
      expect(files[0]!.startsWith(received.at(-1)!.headers['x-sm-event'] as string)).toBe(true)
    }
    expect(received).toHaveLength(6)
  })

  it('prints nothing for a redirect, and does not follow it', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      reply = () => ({ status, body: '{"moved":true}', headers: { location: '/elsewhere' } })
      expect(await runHook(['Stop'], { input: payload() })).toMatchObject({ code: 0, stdout: '', stderr: '' })
    }
    expect(received.map((r) => r.url)).toEqual(Array(5).fill('/hooks/Stop'))
  })

  it('spools the payload when the server is down', async () => {
    const before = Date.now() - 1000
    const run = await runHook(['PostToolUse'], {
      input: big,
      env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSION_MANAGER_ID: 'ab12cd34', CLAUDE_SESSION_MANAGER_TOKEN: 'secret-token' },
    })
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(run.ms).toBeLessThan(5000) // a hang guard, not a benchmark
    const files = spooled()
    expect(files).toHaveLength(1) // and no .tmp file
    const [, , event, id] = SPOOL_NAME.exec(files[0]!) ?? []
    const mtime = statSync(join(spoolDir(), files[0]!)).mtimeMs
    expect(mtime).toBeGreaterThanOrEqual(before)
    expect(mtime).toBeLessThanOrEqual(Date.now() + 1000)
    expect([event, id]).toEqual(['PostToolUse', 'ab12cd34'])
    const file = join(spoolDir(), files[0]!)
    expect(readFileSync(file).equals(Buffer.from(big))).toBe(true)
    expect(readFileSync(file, 'utf8')).not.toContain('secret-token')
    expect(statSync(spoolDir()).mode & 0o777).toBe(0o700)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('spools under _ for a session without a manager id, one file per event', async () => {
    const env = { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: join(tmp, 'shared-data') }
    expect((await runHook(['Stop'], { input: unicode, env })).code).toBe(0)
    expect((await runHook(['Notification'], { input: payload(), env })).code).toBe(0)
    const files = spooled()
    expect(files).toHaveLength(2)
    const stop = files.find((f) => f.includes('-Stop-'))!
    expect(stop).toMatch(spoolName('Stop', '_'))
    expect(files.find((f) => f !== stop)).toMatch(spoolName('Notification', '_'))
    expect(readFileSync(join(spoolDir(), stop), 'utf8')).toBe(unicode)
  })

  it('names spool files by a random id, so a reused pid or a restarted counter never collides (200 events, one pid reused)', async () => {
    // `exec` keeps the pid: every hook here runs as the same process, as after pid reuse
    const env = hookEnv({ CLAUDE_SESSIONS_URL: downUrl })
    const child = spawn('sh', ['-c', `for i in $(seq 1 200); do echo '{"n":'$i'}' | sh "$1" Stop; done; exec sh "$1" Stop`, 'sh', HOOK], { env })
    child.stdin.end(unicode)
    await new Promise((resolve) => child.on('close', resolve))
    const files = spooled()
    expect(files).toHaveLength(201)
    expect(new Set(files.map((f) => SPOOL_NAME.exec(f)?.[1])).size).toBe(201)
    const contents = files.map((f) => readFileSync(join(spoolDir(), f), 'utf8'))
    expect(new Set(contents).size).toBe(201)
    expect(contents).toContain(unicode)
  })

  it('reads a payload that is not on one line (pretty-printed) to its end: posted whole, spooled whole', async () => {
    const pretty = JSON.stringify(JSON.parse(unicode), null, 2)
    expect(pretty.split('\n').length).toBeGreaterThan(3)
    const run = await runHook(['PreToolUse'], { input: `${pretty}\n` })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(received[0]!.body.toString())).toEqual(JSON.parse(unicode))
    const down = await runHook(['PreToolUse'], { input: pretty, env: { CLAUDE_SESSIONS_URL: downUrl } })
    expect(down.code).toBe(0)
    expect(JSON.parse(readFileSync(join(spoolDir(), spooled()[0]!), 'utf8'))).toEqual(JSON.parse(unicode))
  })

  it('does not hang on a stdin left open while the server is down', async () => {
    // Claude Code writes one line of JSON. A writer that keeps stdin open after it (the hang
    // of a script that waited for EOF) must not hold the hook.
    const child = spawn('sh', [HOOK, 'Stop'], {
      env: hookEnv({ CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_HOOK_TIMEOUT: '1' }),
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    child.stdin.on('error', () => {})
    child.stdin.write(`${unicode}\n`) // and never closed, as long as the script runs
    const code = await new Promise<number | null | 'hung'>((resolve) => {
      const killer = setTimeout(() => resolve('hung'), 5000)
      child.on('exit', (c) => {
        clearTimeout(killer)
        resolve(c)
      })
    })
    child.stdin.destroy()
    if (code === 'hung') child.kill('SIGKILL')
    expect(code).toBe(0)
    expect(spooled()).toHaveLength(1)
    expect(readFileSync(join(spoolDir(), spooled()[0]!), 'utf8')).toBe(unicode)
  })

  it('spools nothing for an empty payload', async () => {
    const run = await runHook(['Stop'], { input: '', env: { CLAUDE_SESSIONS_URL: downUrl } })
    expect(run.code).toBe(0)
    expect(spooled()).toEqual([])
  })

  it('gives up on a server that never answers within the timeout, and spools the event under the id it sent', async () => {
    reply = () => 'hang'
    const run = await runHook(['Stop'], { input: payload(), env: { CLAUDE_SESSIONS_HOOK_TIMEOUT: '1' } })
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(received).toHaveLength(1)
    expect(run.ms).toBeLessThan(5000) // a hang guard, not a benchmark: 1 s timeout plus process start
    // the server may have it or not: the same id lets the import tell
    const id = received[0]!.headers['x-sm-event'] as string
    expect(spooled()).toEqual([`${id}-Stop-_.json`])
    expect(readFileSync(join(spoolDir(), spooled()[0]!), 'utf8')).toBe(payload())
  })

  it('spools under the id it sent when the connection dropped after the request was sent', async () => {
    reply = () => 'close'
    const run = await runHook(['Stop'], { input: payload() })
    expect(run).toMatchObject({ code: 0, stdout: '' })
    expect(received).toHaveLength(1)
    expect(spooled()).toEqual([`${received[0]!.headers['x-sm-event'] as string}-Stop-_.json`])
  })

  it('waits for a held PermissionRequest up to the permission timeout', async () => {
    const decision = '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}'
    reply = () => ({ status: 200, body: decision, delayMs: 1500 })
    const env = { CLAUDE_SESSIONS_HOOK_TIMEOUT: '1', CLAUDE_SESSIONS_PERMISSION_TIMEOUT: '5' }
    expect(await runHook(['PermissionRequest'], { input: payload(), env })).toMatchObject({ code: 0, stdout: decision })
    // Other events keep the short timeout.
    expect(await runHook(['PreToolUse'], { input: payload(), env })).toMatchObject({ code: 0, stdout: '' })
  })

  it('ignores an invalid event name: no request, no spool', async () => {
    for (const env of [{}, { CLAUDE_SESSIONS_URL: downUrl }] as Record<string, string>[]) {
      for (const args of [[], [''], ['Pre-Tool'], ['../x'], ['Pré'], ['Stop x'], ['A'.repeat(65)]]) {
        const run = await runHook(args, { input: payload(), env })
        expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
        expect(spooled()).toEqual([])
      }
    }
    expect(received).toEqual([])
  })

  it('does not read a terminal on stdin', async () => {
    // node-pty is a devDependency of apps/sm
    const pty = createRequire(new URL('../apps/sm/package.json', import.meta.url))('node-pty') as NodePty
    for (const env of [{}, { CLAUDE_SESSIONS_URL: downUrl }] as Record<string, string>[]) {
      const term = pty.spawn('sh', [HOOK, 'Stop'], { env: hookEnv(env), cols: 80, rows: 24 })
      const started = performance.now()
      const code = await new Promise<number | 'hung'>((resolve) => {
        const killer = setTimeout(() => {
          term.kill('SIGKILL')
          resolve('hung')
        }, 5000)
        term.onExit(({ exitCode }) => {
          clearTimeout(killer)
          resolve(exitCode)
        })
      })
      expect(code).toBe(0)
      expect(performance.now() - started).toBeLessThan(5000)
      expect(spooled()).toEqual([])
    }
    expect(received).toEqual([]) // with the server up, a read of the terminal would have posted
  })

  describe('fail closed (marker <data dir>/hooks-fail-closed)', () => {
    it('blocks a PreToolUse that cannot reach the server: exit 2, one line on stderr, payload spooled', async () => {
      const run = await runHook(['PreToolUse'], {
        input: unicode,
        env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: failClosedDir(), CLAUDE_SESSION_MANAGER_ID: 'ab12cd34' },
      })
      expect(run).toMatchObject({ code: 2, stdout: '', stderr: blockedMessage(downUrl) })
      expect(run.stderr.trimEnd()).not.toContain('\n') // one line
      const files = spooled()
      expect(files).toEqual([expect.stringMatching(spoolName('PreToolUse', 'ab12cd34'))]) // the audit keeps the attempt
      expect(readFileSync(join(spoolDir(), files[0]!), 'utf8')).toBe(unicode)
    })

    it('fails open without the marker: exit 0, nothing on stderr, payload spooled', async () => {
      const run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl } })
      expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
      expect(existsSync(join(dataDir, 'hooks-fail-closed'))).toBe(false)
      expect(spooled()).toHaveLength(1)
    })

    it('blocks PreToolUse only: other events exit 0 with the marker', async () => {
      for (const event of ['PostToolUse', 'PermissionRequest', 'Stop', 'UserPromptSubmit', 'SessionStart']) {
        const run = await runHook([event], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: failClosedDir() } })
        expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
        expect(spooled()).toEqual([expect.stringMatching(spoolName(event, '_'))])
      }
    })

    it('changes nothing while the server is up: exit 0, the reply body on stdout', async () => {
      const decision = '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"}}'
      reply = () => ({ status: 200, body: decision })
      const run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_DATA_DIR: failClosedDir() } })
      expect(run).toMatchObject({ code: 0, stdout: decision, stderr: '' })
      expect(received).toHaveLength(1)
      expect(spooled()).toEqual([])
    })

    it('does not block on an HTTP error reply or a timeout: a server that answers decides itself', async () => {
      for (const status of [401, 500, 503]) {
        reply = () => ({ status, body: '{"error":{"code":"x","message":"no"}}' })
        const run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_DATA_DIR: failClosedDir() } })
        expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
        expect(spooled()).toHaveLength(status >= 500 ? 1 : 0)
      }
      reply = () => 'hang'
      const run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_DATA_DIR: failClosedDir(), CLAUDE_SESSIONS_HOOK_TIMEOUT: '0.5' } })
      expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
      expect(spooled()).toHaveLength(1)
      expect(received).toHaveLength(4)
    })

    it('still blocks when the payload could not be spooled', async () => {
      // An empty payload is not spooled; a file where the spool dir should be makes the spool fail.
      let run = await runHook(['PreToolUse'], { input: '', env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: failClosedDir() } })
      expect(run).toMatchObject({ code: 2, stderr: blockedMessage(downUrl) })
      expect(spooled()).toEqual([])
      const dir = failClosedDir()
      writeFileSync(join(dir, 'spool'), 'not a dir')
      run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: dir } })
      expect(run).toMatchObject({ code: 2, stderr: blockedMessage(downUrl) })
      expect(readFileSync(join(dir, 'spool'), 'utf8')).toBe('not a dir')
    })

    it('finds the marker in the default data dir ($XDG_DATA_HOME, else ~/.local/share)', async () => {
      const xdg = join(tmp, `xdg-${++n}`)
      mkdirSync(join(xdg, 'claude-sessions'), { recursive: true })
      writeFileSync(join(xdg, 'claude-sessions', 'hooks-fail-closed'), '')
      let run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: '', XDG_DATA_HOME: xdg } })
      expect(run).toMatchObject({ code: 2, stderr: blockedMessage(downUrl) })
      expect(readdirSync(join(xdg, 'claude-sessions', 'spool'))).toHaveLength(1)
      const home = join(tmp, `home-${++n}`)
      mkdirSync(join(home, '.local/share/claude-sessions'), { recursive: true })
      writeFileSync(join(home, '.local/share/claude-sessions/hooks-fail-closed'), '')
      run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: '', HOME: home } })
      expect(run).toMatchObject({ code: 2, stderr: blockedMessage(downUrl) })
      // The marker of another data dir does not count.
      run = await runHook(['PreToolUse'], { input: payload(), env: { CLAUDE_SESSIONS_URL: downUrl, HOME: home } })
      expect(run).toMatchObject({ code: 0, stderr: '' })
    })

    it('looks at the marker only when the server is down, and starts no process for it (strace)', async () => {
      // .ci/run installs strace
      const trace = async (base: string) => {
        const dir = failClosedDir()
        const out = join(tmp, `trace-${++n}`)
        mkdirSync(join(dir, 'spool'))
        const run = await runHook(['PreToolUse'], {
          input: payload(),
          env: { CLAUDE_SESSIONS_URL: base, CLAUDE_SESSIONS_DATA_DIR: dir },
          wrap: ['strace', '-f', '-qq', '-e', 'trace=execve,file', '-o', out],
        })
        const lines = readFileSync(out, 'utf8').split('\n')
        return {
          code: run.code,
          execs: lines.filter((l) => /execve\(/.test(l) && !/ENOENT/.test(l)).map((l) => /execve\("([^"]+)"/.exec(l)?.[1]),
          marker: lines.filter((l) => l.includes('hooks-fail-closed')),
        }
      }
      const up = await trace(url)
      expect(up.code).toBe(0)
      expect(up.execs.map((p) => p?.split('/').pop())).toEqual(['sh', 'curl'])
      expect(up.marker).toEqual([])
      const down = await trace(downUrl)
      expect(down.code).toBe(2)
      expect(down.execs.map((p) => p?.split('/').pop())).toEqual(['sh', 'curl'])
      expect(down.marker).toHaveLength(1)
    })
  })

  const otherShells = ['dash', 'bash'].filter(shellAvailable)
  describe.each(otherShells)('under %s', (shell) => {
    it('posts verbatim with headers and prints the reply', async () => {
      reply = () => ({ status: 200, body: '{"ok":true}' })
      const run = await runHook(['UserPromptSubmit'], {
        shell,
        input: unicode,
        env: { CLAUDE_SESSION_MANAGER_ID: 'ab12cd34', CLAUDE_SESSION_MANAGER_TOKEN: 'tok' },
      })
      expect(run).toMatchObject({ code: 0, stdout: '{"ok":true}', stderr: '' })
      expect(received[0]!.body.toString()).toBe(`${unicode}\n`)
      expect(received[0]!.headers['x-sm-event']).toMatch(new RegExp(`^${UUID}$`))
      expect(received[0]!.headers).toMatchObject({ 'x-sm-session': 'ab12cd34', authorization: 'Bearer tok' })
    })

    it('spools when the server is down', async () => {
      const run = await runHook(['Stop'], { shell, input: big, env: { CLAUDE_SESSIONS_URL: downUrl } })
      expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' })
      const files = spooled()
      expect(files).toHaveLength(1)
      expect(readFileSync(join(spoolDir(), files[0]!), 'utf8')).toBe(big)
    })

    it('fails closed for PreToolUse with the marker, and open for other events', async () => {
      const env = () => ({ CLAUDE_SESSIONS_URL: downUrl, CLAUDE_SESSIONS_DATA_DIR: failClosedDir() })
      expect(await runHook(['PreToolUse'], { shell, input: unicode, env: env() })).toMatchObject({ code: 2, stdout: '', stderr: blockedMessage(downUrl) })
      expect(readFileSync(join(spoolDir(), spooled()[0]!), 'utf8')).toBe(unicode)
      expect(await runHook(['PostToolUse'], { shell, input: unicode, env: env() })).toMatchObject({ code: 0, stdout: '', stderr: '' })
      expect(spooled()).toHaveLength(1)
    })
  })
})

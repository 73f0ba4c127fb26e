import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs'
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { acquireInstanceLock } from './instance-lock.js'
import { processStartTime } from './proc.js'
import { startServer, type RunningServer } from './start-server.js'
import { StartGate } from './start-gate.js'
import { cleanup, operatorClient, silentLog, testConfig } from './test-support.js'

const running: RunningServer[] = []
const configs: Config[] = []
const children: number[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
})

function setup(overrides: Partial<Config> = {}) {
  const config = testConfig(overrides)
  configs.push(config)
  return config
}

/** A live process that is not a server: stands for a pid reused by another program. */
function otherProcess(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  children.push(child.pid!)
  return child.pid!
}

describe('the instance lock', () => {
  it('records our pid and process start time, and is released', () => {
    const config = setup()
    mkdirSync(config.dataDir, { recursive: true })
    const path = dataFiles(config.dataDir).lock
    const lock = acquireInstanceLock(path)
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid} ${processStartTime(process.pid)}\n`)
    expect(() => acquireInstanceLock(path)).toThrow(/another server \(pid \d+\)/)
    lock.release()
    expect(existsSync(path)).toBe(false)
  })

  it('takes over a lock whose pid now belongs to another process (pid reuse), or to no process', () => {
    const config = setup()
    mkdirSync(config.dataDir, { recursive: true })
    const path = dataFiles(config.dataDir).lock
    const other = otherProcess()
    // the other process runs, but started at another time than the lock says
    writeFileSync(path, `${other} 1\n`)
    acquireInstanceLock(path).release()
    // an older lock with a pid only: a live pid still counts as a holder...
    writeFileSync(path, `${other}\n`)
    expect(() => acquireInstanceLock(path)).toThrow(/another server/)
    // ...a dead one does not; nor does garbage
    writeFileSync(path, '2147483646\n')
    acquireInstanceLock(path).release()
    writeFileSync(path, 'garbage')
    acquireInstanceLock(path).release()
  })

  it('refuses while the real holder runs: same pid and same start time', () => {
    const config = setup()
    mkdirSync(config.dataDir, { recursive: true })
    const path = dataFiles(config.dataDir).lock
    const other = otherProcess()
    writeFileSync(path, `${other} ${processStartTime(other)}\n`)
    expect(() => acquireInstanceLock(path)).toThrow(/another server \(pid \d+\)/)
    expect(readFileSync(path, 'utf8')).toBe(`${other} ${processStartTime(other)}\n`)
  })
})

describe('a registry that cannot be opened', () => {
  it('a corrupt or truncated sessions.db: one clear message, the file untouched, the lock released, no port left open', async () => {
    const config = setup()
    const first = await startServer(config, silentLog())
    await first.close()
    const db = dataFiles(config.dataDir).database
    const size = statSync(db).size
    truncateSync(db, Math.floor(size / 3))
    const truncated = readFileSync(db)
    const err = await startServer(config, silentLog()).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('not a readable SQLite database') })
    expect((err as Error).message).toContain(`mv '${db}' '${db}.broken'`)
    expect(readFileSync(db).equals(truncated)).toBe(true)
    expect(existsSync(dataFiles(config.dataDir).lock)).toBe(false)

    writeFileSync(db, 'this is not a database at all'.repeat(200))
    await expect(startServer(config, silentLog())).rejects.toMatchObject({ message: expect.stringContaining('corrupt or truncated') })
    expect(readFileSync(db, 'utf8')).toBe('this is not a database at all'.repeat(200))
  })

  it('a directory where sessions.db belongs', async () => {
    const config = setup()
    mkdirSync(dataFiles(config.dataDir).database, { recursive: true })
    await expect(startServer(config, silentLog())).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('is a directory') })
    expect(existsSync(dataFiles(config.dataDir).lock)).toBe(false)
  })

  it('`sm server` prints the one message and exits non-zero (no hang answering 503)', async () => {
    const config = setup()
    mkdirSync(config.dataDir, { recursive: true })
    writeFileSync(dataFiles(config.dataDir).database, 'x'.repeat(4096))
    const sm = new URL('../../sm/bin/sm.cjs', import.meta.url).pathname
    const child = spawn(process.execPath, [sm, 'server', '--port', '0', '--data-dir', config.dataDir], {
      env: { PATH: process.env.PATH, HOME: config.dataDir, CLAUDE_SESSIONS_TMUX_SOCKET: config.tmuxSocket },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(2)
    expect(stderr).toMatch(/^sm server: the registry .* is not a readable SQLite database/)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('requests while the server starts', () => {
  it('are held, then handled in order; none gets "server is starting"', async () => {
    const gate = new StartGate()
    const server = http.createServer((req, res) => gate.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const order: string[] = []
    const replies = ['/a', '/b', '/c'].map(
      (path) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
            res.resume()
            resolve(res.statusCode!)
          })
          req.on('error', reject)
          req.end('{}')
        }),
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(gate.heldCount).toBe(3)
    gate.open((req, res) => {
      order.push(req.url!)
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => res.end(body))
    })
    expect(await Promise.all(replies)).toEqual([200, 200, 200])
    expect(order).toEqual(['/a', '/b', '/c'])
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('a failed start answers what was held with 503 (the hook spools it)', async () => {
    const gate = new StartGate()
    const server = http.createServer((req, res) => gate.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const reply = new Promise<number>((resolve) => http.get({ host: '127.0.0.1', port, path: '/health' }, (res) => resolve(res.statusCode!)))
    await new Promise((resolve) => setTimeout(resolve, 50))
    gate.refuseAll()
    expect(await reply).toBe(503)
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
})

describe('a graceful stop', () => {
  it('answers a request in flight, writes what is buffered, closes the store and releases the lock', async () => {
    const config = setup()
    const server = await startServer(config, silentLog())
    const client = operatorClient(server, config)
    const { session } = await client.create({ workingDir: config.dataDir, name: 'drained' })
    // a hook whose body is still arriving when the stop begins
    const { port } = new URL(server.url)
    const token = readFileSync(dataFiles(config.dataDir).operatorToken, 'utf8')
    expect(token.length).toBeGreaterThan(0)
    const reply = new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/hooks/SessionStart', method: 'POST', headers: { 'content-type': 'application/json', 'x-sm-event': 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' } },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
        },
      )
      req.on('error', reject)
      req.write('{"session_id":"ext-drain",')
      setTimeout(() => req.end('"source":"startup","cwd":"/tmp"}'), 300)
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closed = server.close()
    expect(await reply).toBe(200)
    await closed
    expect(existsSync(dataFiles(config.dataDir).lock)).toBe(false)
    // what it answered is on disk: the next server sees it
    const again = await startServer(config, silentLog())
    running.push(again)
    const sessions = (await operatorClient(again, config).list(true)).sessions.map((s) => s.id)
    expect(sessions).toEqual(expect.arrayContaining([session.id, 'ext-drain']))
  })
})

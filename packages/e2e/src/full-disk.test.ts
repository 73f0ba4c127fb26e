/**
 * A full disk under the data dir: the server keeps answering hooks (fail-open), keeps what it
 * can't write in memory, says so on /health, and writes everything once space returns. On a
 * small tmpfs when this user may mount one; otherwise under a file-size limit (prlimit --fsize),
 * where the WAL hits the cap first and a checkpoint makes room again (degraded, then caught up).
 */
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanBaseEnv } from './support/claude-home.js'
import { SmApi, SM_HOOK, startSmServer, writeSmConfig, type SmServer } from './support/sm-harness.js'
import { killServer, makeTempDir, privateSocket, removeDir, waitFor } from './support/tmux-harness.js'

/** Under prlimit (no tmpfs): the largest file the server may write. */
const FSIZE = 4 * 1024 * 1024

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const canMountTmpfs = (dir: string): boolean => spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', dir]).status === 0

/** Fills the file system holding `dir` until it refuses another byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC')
  } finally {
    closeSync(fd)
  }
  // and the last few bytes
  const tail = openSync(path, 'a')
  try {
    for (;;) writeSync(tail, Buffer.alloc(512, 1))
  } catch {
    // full
  } finally {
    closeSync(tail)
  }
  return path
}

function fireHook(server: SmServer, dataDir: string, n: number): { status: number | null; ms: number } {
  const started = performance.now()
  const payload = `{"session_id":"disk-1","hook_event_name":"PostToolUse","cwd":"/tmp","tool_name":"Bash","tool_use_id":"toolu_${n}","tool_input":{"command":"echo ${n}"},"tool_response":{"stdout":"${'x'.repeat(2000)}"}}`
  const run = spawnSync('sh', [SM_HOOK, 'PostToolUse'], {
    input: `${payload}\n`,
    env: { PATH: process.env.PATH, HOME: dataDir, CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: dataDir },
    timeout: 10_000,
  })
  return { status: run.status, ms: performance.now() - started }
}

async function health(server: SmServer): Promise<{ status: string; degraded?: { unwritten: number; reason: string } }> {
  return (await (await fetch(`${server.url}/health`)).json()) as { status: string; degraded?: { unwritten: number; reason: string } }
}

describe('a full disk', () => {
  it('keeps answering hooks, reports degraded, loses nothing, and catches up when space returns', async () => {
    const root = makeTempDir('sm-full-disk-')
    cleanups.push(() => removeDir(root))
    const disk = join(root, 'disk')
    mkdirSync(disk)
    const tmpfs = canMountTmpfs(disk)
    if (tmpfs) cleanups.push(() => void spawnSync('umount', ['-l', disk]))
    const dataDir = join(disk, 'data')
    const configPath = join(root, 'config.yaml')
    const socket = privateSocket('sm-disk')
    writeSmConfig(configPath, { command: 'true', logLevel: 'warn' })
    const env = cleanBaseEnv({ HOME: root })
    // without tmpfs: every file the server writes is capped at FSIZE (the database or its WAL reaches it soon)
    const server = await startSmServer({
      env,
      dataDir,
      socket,
      configPath,
      ...(tmpfs ? {} : { wrap: ['prlimit', `--fsize=${FSIZE}`, '--'] }),
    })
    cleanups.push(async () => {
      await server.stop()
      await killServer(socket)
    })
    const api = new SmApi(() => server.url, dataDir)

    for (let n = 0; n < 20; n++) expect(fireHook(server, dataDir, n).status).toBe(0)
    expect((await api.events('disk-1')).length).toBe(20)

    const filler = tmpfs ? fill(disk) : null
    let answered = 0
    let slowest = 0
    let total = 20
    // with tmpfs the disk is full now: 180 more; under the size cap, until the cap is hit and 100 more
    let degradedAt: number | null = null
    for (let n = 20; tmpfs ? n < 200 : n < 3000 && (degradedAt === null || n < degradedAt + 100); n++) {
      const r = fireHook(server, dataDir, n)
      total++
      if (r.status === 0) answered++
      slowest = Math.max(slowest, r.ms)
      if (!tmpfs && degradedAt === null && n % 20 === 0 && (await health(server)).status === 'degraded') degradedAt = n
    }
    expect(server.proc.exitCode).toBeNull() // no crash
    expect(answered).toBe(total - 20)
    if (!tmpfs) {
      // under the cap the WAL hits it first; a checkpoint makes room again, so the server goes
      // degraded, keeps the rows, and catches up by itself
      console.log(`full disk (prlimit): ${answered} hooks answered, slowest ${slowest.toFixed(0)} ms; degraded after ${degradedAt} events`)
      expect(degradedAt).not.toBeNull()
      await waitFor(async () => (await health(server)).status === 'ok', { timeoutMs: 15_000, intervalMs: 200 })
      const ids = (await api.events('disk-1')).map((e) => e.toolUseId)
      expect(new Set(ids).size).toBe(total)
      expect(ids).toHaveLength(total)
      return
    }
    const degraded = await health(server)
    console.log(`full disk (tmpfs): ${answered} hooks answered, slowest ${slowest.toFixed(0)} ms; health ${JSON.stringify(degraded)}`)
    expect(degraded.status).toBe('degraded')
    expect(degraded.degraded!.unwritten).toBeGreaterThan(0)
    expect(degraded.degraded!.reason).toMatch(/disk is full or failing/)

    if (filler !== null) {
      rmSync(filler)
      await waitFor(async () => (await health(server)).status === 'ok', { timeoutMs: 15_000, intervalMs: 200 })
      const ids = (await api.events('disk-1')).map((e) => e.toolUseId)
      expect(ids).toHaveLength(total)
      expect(new Set(ids).size).toBe(total)
      // and it survives a restart: it was written, not just kept
      await server.stop()
      const again = await startSmServer({ env, dataDir, socket, configPath })
      cleanups.push(() => again.stop())
      const reopened = new SmApi(() => again.url, dataDir)
      expect((await reopened.events('disk-1')).length).toBe(total)
    }
  })
})

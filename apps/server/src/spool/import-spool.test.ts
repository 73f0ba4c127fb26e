import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { FRESH_MS, formatSpoolFileName, importSpool, parseSpoolFileName, STALE_TMP_MS, type SpooledHook } from './index.js'

const HOOK = fileURLToPath(new URL('../../../../hooks/sm-hook', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'sm-spool-test-'))
let n = 0
afterAll(() => rmSync(root, { recursive: true, force: true }))

const freshDir = () => {
  const dir = join(root, `spool-${++n}`)
  mkdirSync(dir, { mode: 0o700 })
  return dir
}

const collect = () => {
  const items: SpooledHook[] = []
  return { items, ingest: (item: SpooledHook) => void items.push(item) }
}

const log = () => ({ warn: vi.fn<(obj: object, msg: string) => void>() })

/** Writes a spool file with a given mtime (seconds since the epoch). */
const put = (dir: string, name: string, content: string, mtime?: number) => {
  writeFileSync(join(dir, name), content)
  if (mtime !== undefined) utimesSync(join(dir, name), mtime, mtime)
}

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as net.AddressInfo
  await new Promise((resolve) => s.close(resolve))
  return port
}

describe('spool file names', () => {
  it('parses <event id>-<Event>-<id>.json, with _ for no id and ids containing -', () => {
    const uuid = '0f1e2d3c-4b5a-4697-8877-665544332211'
    expect(parseSpoolFileName(`${uuid}-PreToolUse-ab12cd34.json`)).toEqual({ eventId: uuid, event: 'PreToolUse', managerSessionId: 'ab12cd34' })
    expect(parseSpoolFileName(`${uuid}-Stop-_.json`)?.managerSessionId).toBeNull()
    expect(parseSpoolFileName(`${uuid}-Stop-sm-perm.json`)).toMatchObject({ event: 'Stop', managerSessionId: 'sm-perm' })
    // the 32-hex form (hosts without /proc's uuid)
    expect(parseSpoolFileName('00112233445566778899aabbccddeeff-Stop-x.json')).toMatchObject({ eventId: '00112233445566778899aabbccddeeff' })
    const f = { eventId: uuid, event: 'Stop', managerSessionId: null }
    expect(parseSpoolFileName(formatSpoolFileName(f))).toEqual(f)
  })

  it('still parses the older <pid>-<n>-<Event>-<id>.json, without an event id', () => {
    expect(parseSpoolFileName('4242-0-PreToolUse-ab12cd34.json')).toEqual({ eventId: null, event: 'PreToolUse', managerSessionId: 'ab12cd34' })
    expect(parseSpoolFileName('1-2-Stop-_.json')?.managerSessionId).toBeNull()
    expect(parseSpoolFileName('1-2-Stop-sm-perm.json')).toMatchObject({ event: 'Stop', managerSessionId: 'sm-perm' })
  })

  it('rejects other names', () => {
    for (const name of ['x.json', '1-2-Stop.json', '0f1e2d3c-4b5a-4697-8877-66554433221-Stop-x.json', 'abc-Stop-x.json', '1-2-Stop-a.tmp', 'a-2-Stop-a.json', '1-2-Stop-.json', '1-2-Pre_Tool-x.json', '1-2-Stop-a b.json', '1-2-Stop-é.json']) {
      expect(parseSpoolFileName(name), name).toBeNull()
    }
  })
})

describe('importSpool', () => {
  it('imports a file spooled by sm-hook: event, managerSessionId, payload, dedupeKey', async () => {
    const data = join(root, `data-${++n}`)
    const payload = { session_id: 'c-1', hook_event_name: 'Stop', last_assistant_message: 'fini ✓ 🚀' }
    const raw = JSON.stringify(payload)
    const run = spawnSync('sh', [HOOK, 'Stop'], {
      input: raw,
      env: {
        PATH: process.env.PATH,
        CLAUDE_SESSIONS_URL: `http://127.0.0.1:${await freePort()}`,
        CLAUDE_SESSIONS_DATA_DIR: data,
        CLAUDE_SESSION_MANAGER_ID: 'ab12cd34',
        CLAUDE_SESSION_MANAGER_TOKEN: 'secret',
      },
    })
    expect(run.status).toBe(0)
    const dir = join(data, 'spool')
    const [name] = readdirSync(dir)
    const spooledAt = Math.floor(statSync(join(dir, name!)).mtimeMs)
    expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-Stop-ab12cd34\.json$/)
    const eventId = name!.slice(0, 36)

    const { items, ingest } = collect()
    expect(importSpool(dir, ingest)).toEqual({ imported: 1, rejected: 0, deferred: 0 })
    expect(items).toEqual([
      { event: 'Stop', managerSessionId: 'ab12cd34', eventId, payload, raw, dedupeKey: `spool:${name}`, spooledAt },
    ])
    expect(readdirSync(dir)).toEqual([])
  })

  it('deletes imported files; a second import imports nothing', () => {
    const dir = freshDir()
    put(dir, '100-1-Stop-_.json', '{"a":1}')
    put(dir, '101-1-Stop-_.json', '{"a":2}')
    const { items, ingest } = collect()
    expect(importSpool(dir, ingest)).toEqual({ imported: 2, rejected: 0, deferred: 0 })
    expect(readdirSync(dir)).toEqual([])
    expect(importSpool(dir, ingest)).toEqual({ imported: 0, rejected: 0, deferred: 0 })
    expect(items).toHaveLength(2)
  })

  it('a re-import after a crash before the delete is deduplicated by its key', () => {
    const dir = freshDir()
    put(dir, '100-7-PreToolUse-ab12cd34.json', '{"tool_use_id":"t1"}')
    const recorded: string[] = []
    const seen = new Set<string>() // the store's contract: a repeated dedupe key is ignored
    const store = (item: SpooledHook) => {
      if (seen.has(item.dedupeKey)) return
      seen.add(item.dedupeKey)
      recorded.push(item.dedupeKey)
    }
    // The "crash": ingest ran, the file was not deleted (same name, same mtime).
    const keep = readFileSync(join(dir, '100-7-PreToolUse-ab12cd34.json'))
    utimesSync(join(dir, '100-7-PreToolUse-ab12cd34.json'), 1000, 1000)
    importSpool(dir, store)
    put(dir, '100-7-PreToolUse-ab12cd34.json', keep.toString(), 1000)
    importSpool(dir, store)
    expect(recorded).toEqual(['spool:100-7-PreToolUse-ab12cd34.json@1000000'])
    // a later outage of an older hook script reuses the pid-based name: another event, imported
    put(dir, '100-7-PreToolUse-ab12cd34.json', '{"tool_use_id":"t2"}', 2000)
    importSpool(dir, store)
    expect(recorded).toEqual(['spool:100-7-PreToolUse-ab12cd34.json@1000000', 'spool:100-7-PreToolUse-ab12cd34.json@2000000'])
  })

  it('gives an event-id file the key of its id, whatever its mtime', () => {
    const dir = freshDir()
    const name = '0f1e2d3c-4b5a-4697-8877-665544332211-Stop-_.json'
    put(dir, name, '{"a":1}', 1000)
    const { items, ingest } = collect()
    importSpool(dir, ingest)
    put(dir, name, '{"a":1}', 3000)
    importSpool(dir, ingest)
    expect(items.map((i) => i.eventId)).toEqual(['0f1e2d3c-4b5a-4697-8877-665544332211', '0f1e2d3c-4b5a-4697-8877-665544332211'])
  })

  it('imports in order of mtime, then name', () => {
    const dir = freshDir()
    put(dir, '200-0-Stop-_.json', '"d"', 4500)
    put(dir, '100-0-PreToolUse-_.json', '"b"', 3000)
    put(dir, '100-1-PostToolUse-_.json', '"c"', 4000)
    put(dir, '900-0-UserPromptSubmit-_.json', '"a"', 2000)
    put(dir, '300-2-Stop-_.json', '"f"', 5000)
    put(dir, '300-1-Stop-_.json', '"e"', 5000) // same mtime: by name
    const { items, ingest } = collect()
    importSpool(dir, ingest)
    expect(items.map((i) => i.payload)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
  })

  it('moves a file with bad JSON to rejected/ and goes on', () => {
    const dir = freshDir()
    put(dir, '100-1-Stop-_.json', '{"truncated":')
    put(dir, '101-1-Stop-_.json', '')
    put(dir, '102-1-Stop-_.json', '{"ok":true}')
    const old = (Date.now() - FRESH_MS - 1000) / 1000
    for (const f of ['100-1-Stop-_.json', '101-1-Stop-_.json']) utimesSync(join(dir, f), old, old)
    const { items, ingest } = collect()
    const l = log()
    expect(importSpool(dir, ingest, l)).toEqual({ imported: 1, rejected: 2, deferred: 0 })
    expect(items.map((i) => i.payload)).toEqual([{ ok: true }])
    expect(readdirSync(dir)).toEqual(['rejected'])
    expect(readdirSync(join(dir, 'rejected')).sort()).toEqual(['100-1-Stop-_.json', '101-1-Stop-_.json'])
    expect(readFileSync(join(dir, 'rejected', '100-1-Stop-_.json'), 'utf8')).toBe('{"truncated":')
    expect(l.warn).toHaveBeenCalledTimes(2)
    expect(l.warn.mock.calls[0]![0]).toMatchObject({ file: '100-1-Stop-_.json', reason: 'invalid JSON' })
  })

  it('leaves a fresh file that does not parse yet for the next import (a hook may be writing it)', () => {
    const dir = freshDir()
    put(dir, '100-1-Stop-_.json', '{"session_id":"c-1","half')
    const { items, ingest } = collect()
    expect(importSpool(dir, ingest, log())).toEqual({ imported: 0, rejected: 0, deferred: 1 })
    expect(readdirSync(dir)).toEqual(['100-1-Stop-_.json'])
    put(dir, '100-1-Stop-_.json', '{"session_id":"c-1","half":"done"}')
    expect(importSpool(dir, ingest, log())).toEqual({ imported: 1, rejected: 0, deferred: 0 })
    expect(items.map((i) => i.payload)).toEqual([{ session_id: 'c-1', half: 'done' }])
  })

  it('moves a file with a bad name to rejected/, and leaves other files alone', () => {
    const dir = freshDir()
    put(dir, 'garbage.json', '{}')
    put(dir, 'notes.txt', 'x')
    const { items, ingest } = collect()
    expect(importSpool(dir, ingest, log())).toEqual({ imported: 0, rejected: 1, deferred: 0 })
    expect(items).toEqual([])
    expect(readdirSync(join(dir, 'rejected'))).toEqual(['garbage.json'])
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'rejected'])
  })

  it('moves a file that ingest throws on to rejected/ and goes on', () => {
    const dir = freshDir()
    put(dir, '100-1-Stop-_.json', '{"n":1}')
    put(dir, '101-1-Stop-_.json', '{"n":2}')
    put(dir, '102-1-Stop-_.json', '{"n":3}')
    const seen: unknown[] = []
    const l = log()
    const result = importSpool(
      dir,
      (item) => {
        seen.push(item.payload)
        if ((item.payload as { n: number }).n === 2) throw new Error('bad event')
      },
      l,
    )
    expect(result).toEqual({ imported: 2, rejected: 1, deferred: 0 })
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(readdirSync(join(dir, 'rejected'))).toEqual(['101-1-Stop-_.json'])
    expect(l.warn.mock.calls[0]![0]).toMatchObject({ reason: 'ingest failed', err: new Error('bad event') })
  })

  it('ignores fresh .tmp files; moves stale ones to rejected/', () => {
    const dir = freshDir()
    put(dir, '100-1-Stop-_.tmp', '{"half":')
    const old = (Date.now() - STALE_TMP_MS - 60_000) / 1000
    put(dir, '90-1-Stop-_.tmp', '{"dead":', old)
    const { items, ingest } = collect()
    expect(importSpool(dir, ingest, log())).toEqual({ imported: 0, rejected: 1, deferred: 0 })
    expect(items).toEqual([])
    expect(readdirSync(dir).sort()).toEqual(['100-1-Stop-_.tmp', 'rejected'])
    expect(readdirSync(join(dir, 'rejected'))).toEqual(['90-1-Stop-_.tmp'])
  })

  it('a missing dir imports nothing', () => {
    const { ingest } = collect()
    const l = log()
    expect(importSpool(join(root, 'no-such-dir'), ingest, l)).toEqual({ imported: 0, rejected: 0, deferred: 0 })
    expect(l.warn).not.toHaveBeenCalled()
    expect(existsSync(join(root, 'no-such-dir'))).toBe(false)
  })
})

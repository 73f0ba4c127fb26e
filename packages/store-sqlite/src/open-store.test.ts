import type { NewStoredEvent } from '@claude-sessions/core'
import { SessionsError } from '@claude-sessions/core'
import { aSession, aToolEvent } from '@claude-sessions/core/testing'
import Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempStores } from './test-support.js'

const { open, dbPath, tempDir } = useTempStores()

const anEvent = (overrides: Partial<NewStoredEvent> = {}): NewStoredEvent => ({
  sessionId: 'a1b2c3d4',
  claudeSessionId: 'c-1',
  event: 'PostToolUse',
  at: 1_700_000_000_000,
  toolName: 'Bash',
  toolUseId: 'toolu_1',
  notificationType: null,
  raw: '{"tool_name":"Bash"}',
  rawSize: 20,
  ...overrides,
})

/** Rows in a table as seen through a separate connection: what is really on disk. */
const rowsOnDisk = (path: string, table: string): number => {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('openSqliteStore', () => {
  it('keeps sessions, token hashes, events and dedupe keys across close and reopen', () => {
    const path = dbPath()
    const first = open({ path })
    const s = aSession({ name: 'keeper', state: 'working', claudeSessionId: 'c-1', lastMessage: '; rm -rf $(x) "\'\n✓', policy: 'strict' })
    first.sessions.insert(s, 'hash-keeper')
    first.events.append(anEvent({ dedupeKey: 'spool:1' }))
    first.events.append(anEvent({ toolUseId: 'toolu_2' }))
    first.close()

    const second = open({ path })
    expect(second.sessions.get(s.id)).toEqual(s)
    expect(second.sessions.tokenHash(s.id)).toBe('hash-keeper')
    expect(second.sessions.findByClaudeSessionId('c-1')?.id).toBe(s.id)
    expect(second.events.list(s.id).map((e) => e.toolUseId)).toEqual(['toolu_1', 'toolu_2'])
    expect(second.events.hasDedupeKey('spool:1')).toBe(true)
  })

  it('keeps a policy changed by a written-behind update across close and reopen', () => {
    const path = dbPath()
    const first = open({ path })
    const s = aSession({ policy: 'strict' })
    first.sessions.insert(s, null)
    first.sessions.update({ ...s, state: 'working', policy: 'lenient' })
    first.close()
    expect(open({ path }).sessions.get(s.id)?.policy).toBe('lenient')
  })

  it('keeps tool event ids unique and increasing across close and reopen, even once the newest are deleted', () => {
    const path = dbPath()
    const first = open({ path })
    const a = first.toolAudit.append(aToolEvent({ at: 1 }))
    const b = first.toolAudit.append(aToolEvent({ at: 2 }))
    first.close()

    const second = open({ path })
    const c = second.toolAudit.append(aToolEvent({ at: 3 }))
    expect(c.id).toBeGreaterThan(b.id)
    expect(second.toolAudit.list().map((e) => e.id)).toEqual([a.id, b.id, c.id])
    expect(second.toolAudit.deleteBefore(10)).toBe(3)
    second.close()

    const third = open({ path })
    const d = third.toolAudit.append(aToolEvent({ at: 4 }))
    expect(d.id).toBeGreaterThan(c.id)
    expect(third.toolAudit.list()).toEqual([d])
  })

  it('applies each migration once, however often the file is reopened', () => {
    const path = dbPath()
    open({ path }).close()
    open({ path }).close()
    const store = open({ path })
    store.sessions.insert(aSession(), null)
    store.close()
    const db = new Database(path, { readonly: true })
    const tags = db.prepare('SELECT tag FROM schema_migrations').pluck().all()
    db.close()
    expect(tags.length).toBeGreaterThan(0)
    expect(new Set(tags).size).toBe(tags.length)
    expect(tags[0]).toBe('0000_initial_schema')
  })

  it('writes a batch of 10,000 appends, all there after reopening', () => {
    const path = dbPath()
    const store = open({ path })
    for (let i = 0; i < 10_000; i++) store.events.append(anEvent({ toolUseId: `t${i}`, at: i }))
    store.close()
    expect(rowsOnDisk(path, 'events')).toBe(10_000)
    const again = open({ path })
    expect(again.events.count()).toBe(10_000)
    const last = again.events.list('a1b2c3d4', { limit: 1 })
    expect(last.map((e) => e.toolUseId)).toEqual(['t9999'])
  })

  it('records a dedupe key repeated across a reopen once', () => {
    const path = dbPath()
    const first = open({ path })
    first.events.append(anEvent({ dedupeKey: 'spool:a:1' }))
    first.close()
    const second = open({ path })
    second.events.append(anEvent({ dedupeKey: 'spool:a:1' }))
    second.events.append(anEvent({ dedupeKey: 'spool:a:2' }))
    second.events.append(anEvent({ dedupeKey: 'spool:a:2' }))
    expect(second.events.count()).toBe(2)
  })

  it('creates the directory and the database files for the owner only', () => {
    const path = dbPath()
    const store = open({ path })
    store.sessions.insert(aSession(), 'hash')
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    for (const side of [`${path}-wal`, `${path}-shm`]) {
      if (existsSync(side)) expect(statSync(side).mode & 0o777).toBe(0o600)
    }
    expect(existsSync(`${path}-wal`)).toBe(true)
  })

  it('leaves the database unchanged when a name clashes', () => {
    const path = dbPath()
    const store = open({ path })
    store.sessions.insert(aSession({ id: '00000001', name: 'dup' }), 'h1')
    store.sessions.insert(aSession({ id: '00000002', name: 'other' }), 'h2')
    const before = store.sessions.list({ includeStopped: true })

    expect(() => store.sessions.insert(aSession({ id: '00000003', name: 'dup' }), 'h3')).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    )
    expect(() => store.sessions.update({ ...before[1]!, name: 'dup', state: 'working' })).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    )
    store.close()

    const reopened = open({ path })
    expect(reopened.sessions.list({ includeStopped: true })).toEqual(before)
    expect(reopened.sessions.get('00000003')).toBeUndefined()
    expect(reopened.sessions.tokenHash('00000003')).toBeNull()
  })

  it('refuses a second session with the same id, even when its name clashes too', () => {
    const store = open({ path: dbPath() })
    store.sessions.insert(aSession({ id: '00000001', name: 'dup' }), null)
    expect(() => store.sessions.insert(aSession({ id: '00000001', name: 'dup' }), null)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    )
    expect(() => store.sessions.insert(aSession({ id: '00000001', name: 'fresh' }), null)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    )
    expect(store.sessions.get('00000001')?.name).toBe('dup')
  })

  it('lets a stopped session keep its name while a live one takes it', () => {
    const store = open({ path: dbPath() })
    store.sessions.insert(aSession({ id: '00000001', name: 'dup', state: 'stopped', stoppedAt: 1 }), null)
    store.sessions.insert(aSession({ id: '00000002', name: 'dup' }), null)
    store.sessions.insert(aSession({ id: '00000003', name: 'dup', state: 'stopped', stoppedAt: 2 }), null)
    expect(() => store.sessions.update({ ...store.sessions.get('00000003')!, state: 'idle', stoppedAt: null })).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    )
    expect(store.sessions.list({ includeStopped: true }).map((s) => s.name)).toEqual(['dup', 'dup', 'dup'])
  })

  it('buffers appends until the next turn of the event loop, or until the batch is full', async () => {
    const path = dbPath()
    const store = open({ path, batchSize: 3 })
    store.events.append(anEvent())
    store.events.append(anEvent())
    expect(rowsOnDisk(path, 'events')).toBe(0)
    store.events.append(anEvent())
    expect(rowsOnDisk(path, 'events')).toBe(3)
    store.events.append(anEvent())
    expect(rowsOnDisk(path, 'events')).toBe(3)
    await nextTurn()
    expect(rowsOnDisk(path, 'events')).toBe(4)
  })

  it('lets readers see every appended event at once', () => {
    const store = open({ path: dbPath() })
    store.events.append(anEvent({ dedupeKey: 'k1' }))
    expect(store.events.hasDedupeKey('k1')).toBe(true)
    store.events.append(anEvent({ toolUseId: 'toolu_9' }))
    expect(store.events.list('a1b2c3d4', { limit: 1 })[0]?.toolUseId).toBe('toolu_9')
    store.events.append(anEvent())
    expect(store.events.count()).toBe(3)
  })

  it('keeps the rows of a failed flush, reports the failure, reads what is written meanwhile, and writes them once it can', async () => {
    const path = dbPath()
    const errors: SessionsError[] = []
    const store = open({ path, onError: (err) => errors.push(err) })
    const saboteur = new Database(path)
    saboteur.exec(`CREATE TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)

    store.events.append(anEvent({ toolUseId: 'kept-1', dedupeKey: 'hook:k1' }))
    store.events.append(anEvent({ toolUseId: 'kept-2' }))
    expect(store.writeFailure()).toBeNull()
    expect(await store.whenWritten()).toBe(false)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'internal' })
    expect(errors[0]?.message).toContain('disk on fire')
    expect(store.writeFailure()).toMatchObject({ unwritten: 2, error: { code: 'internal' } })
    // a read goes on with what is written; a buffered key is still known
    expect(store.events.count()).toBe(0)
    expect(store.events.hasDedupeKey('hook:k1')).toBe(true)
    expect(errors).toHaveLength(2)

    saboteur.exec('DROP TRIGGER no_events')
    saboteur.close()
    expect(store.events.list('a1b2c3d4').map((e) => e.toolUseId)).toEqual(['kept-1', 'kept-2'])
    expect(store.writeFailure()).toBeNull()
    expect(store.events.hasDedupeKey('hook:k1')).toBe(true)
    expect(errors).toHaveLength(2)
  })

  it('retries a failed write on its own, and answers whenWritten after the commit that holds the rows', async () => {
    const path = dbPath()
    const store = open({ path, onError: () => undefined, retryMs: 20 })
    const saboteur = new Database(path)
    saboteur.exec(`CREATE TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
    store.events.append(anEvent())
    expect(await store.whenWritten()).toBe(false)
    saboteur.exec('DROP TRIGGER no_events')
    saboteur.close()
    await new Promise((r) => setTimeout(r, 80))
    expect(rowsOnDisk(path, 'events')).toBe(1)
    expect(store.writeFailure()).toBeNull()
    store.events.append(anEvent())
    expect(rowsOnDisk(path, 'events')).toBe(1)
    expect(await store.whenWritten()).toBe(true)
    expect(rowsOnDisk(path, 'events')).toBe(2)
  })

  it('a read inside beforeFlush (the auditor looking up a call) commits nothing: events never reach the disk before their audit rows', async () => {
    const path = dbPath()
    const store = open({ path })
    let seenOnDisk = -1
    store.setBeforeFlush(() => {
      store.toolAudit.list({ toolUseId: 'toolu_1' })
      store.events.list('a1b2c3d4')
      seenOnDisk = rowsOnDisk(path, 'events')
      store.toolAudit.append(aToolEvent())
    })
    store.events.append(anEvent())
    expect(await store.whenWritten()).toBe(true)
    expect(seenOnDisk).toBe(0)
    expect(rowsOnDisk(path, 'events')).toBe(1)
    expect(rowsOnDisk(path, 'tool_events')).toBe(1)
  })

  it('writes an event, its session update and its tool-audit row in one transaction: all or none', async () => {
    const path = dbPath()
    const store = open({ path, onError: () => undefined })
    const saboteur = new Database(path)
    saboteur.exec(`CREATE TRIGGER no_tools BEFORE INSERT ON tool_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
    store.events.append(anEvent())
    store.toolAudit.append(aToolEvent())
    expect(await store.whenWritten()).toBe(false)
    expect(rowsOnDisk(path, 'events')).toBe(0)
    saboteur.exec('DROP TRIGGER no_tools')
    saboteur.close()
    expect(await store.whenWritten()).toBe(true)
    expect(rowsOnDisk(path, 'events')).toBe(1)
    expect(rowsOnDisk(path, 'tool_events')).toBe(1)
  })

  it('refuses an event missing a required field at append, without blocking the others', () => {
    const store = open({ path: dbPath() })
    const bad = { ...anEvent(), raw: undefined } as unknown as NewStoredEvent
    expect(() => store.events.append(bad)).toThrow(expect.objectContaining({ code: 'invalid_input' }))
    store.events.append(anEvent())
    expect(store.events.count()).toBe(1)
  })

  it('closes idempotently, flushing first, and refuses appends afterwards', () => {
    const path = dbPath()
    const store = open({ path })
    store.events.append(anEvent())
    store.close()
    store.close()
    expect(rowsOnDisk(path, 'events')).toBe(1)
    expect(() => store.events.append(anEvent())).toThrow(SessionsError)
  })

  it('wraps a path it cannot open as a database as an internal error', () => {
    expect(() => open({ path: tempDir() })).toThrow(expect.objectContaining({ code: 'internal' }))
  })

  it('opens the file in WAL mode', () => {
    const path = dbPath()
    open({ path }).close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('opens a throwaway store in memory', () => {
    const store = open({ path: ':memory:' })
    store.sessions.insert(aSession({ name: 'scratch' }), null)
    store.events.append(anEvent())
    expect(store.sessions.list().map((s) => s.name)).toEqual(['scratch'])
    expect(store.events.count()).toBe(1)
  })

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => open({ path: dbPath(), batchSize: 0 })).toThrow(expect.objectContaining({ code: 'invalid_input' }))
  })
})

import Database from 'better-sqlite3'
import { getTableConfig } from 'drizzle-orm/sqlite-core'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations } from './generated/migrations.js'
import { applyMigrations, statementsOf, type Migration } from './migrate.js'
import { events, sessions } from './schema.js'

const drizzleDir = fileURLToPath(new URL('../drizzle/', import.meta.url))

const open: Database.Database[] = []
const memoryDb = () => {
  const db = new Database(':memory:')
  open.push(db)
  return db
}
afterEach(() => {
  for (const db of open.splice(0)) db.close()
})

const tagsIn = (db: Database.Database) => db.prepare('SELECT tag FROM schema_migrations ORDER BY tag').pluck().all()

describe('migrations', () => {
  it('embeds exactly the migrations of drizzle/, in journal order (run `pnpm gen:migrations` if not)', () => {
    const journal = JSON.parse(readFileSync(join(drizzleDir, 'meta', '_journal.json'), 'utf8')) as {
      entries: { idx: number; tag: string }[]
    }
    const expected = [...journal.entries]
      .sort((a, b) => a.idx - b.idx)
      .map((e) => ({ tag: e.tag, sql: readFileSync(join(drizzleDir, `${e.tag}.sql`), 'utf8') }))
    expect(migrations).toEqual(expected)
  })

  it('builds the tables and indexes schema.ts declares (run `pnpm db:generate` if not)', () => {
    const db = memoryDb()
    applyMigrations(db, migrations)
    for (const table of [sessions, events]) {
      const config = getTableConfig(table)
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(config.name)
      expect(columns.sort()).toEqual(config.columns.map((c) => c.name).sort())
      const indexes = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
        .pluck()
        .all(config.name)
      expect(indexes.sort()).toEqual(config.indexes.map((i) => i.config.name).sort())
    }
  })

  it('splits a migration at the statement breakpoints', () => {
    expect(statementsOf({ tag: 't', sql: 'CREATE TABLE a (x);--> statement-breakpoint\nCREATE TABLE b (y);\n' })).toEqual([
      'CREATE TABLE a (x);',
      'CREATE TABLE b (y);',
    ])
  })

  it('applies only the migrations not yet recorded', () => {
    const db = memoryDb()
    expect(applyMigrations(db, migrations)).toEqual(migrations.map((m) => m.tag))
    expect(applyMigrations(db, migrations)).toEqual([])
    const next: Migration = { tag: '9999_add_notes', sql: 'CREATE TABLE `notes` (`id` integer PRIMARY KEY);' }
    expect(applyMigrations(db, [...migrations, next])).toEqual(['9999_add_notes'])
    expect(tagsIn(db)).toEqual([...migrations.map((m) => m.tag), '9999_add_notes'].sort())
  })

  it('0009_web keeps old rows meaningful: a session is in its state since its last activity; decided tool events were decided by the policy', () => {
    const db = memoryDb()
    const before = migrations.filter((m) => m.tag < '0009')
    applyMigrations(db, before)
    db.prepare("INSERT INTO sessions (id, kind, state, working_dir, created_at, last_activity_at, background_tasks) VALUES ('a1b2c3d4', 'managed', 'idle', '/w', 100, 4242, 0)").run()
    const tool = "INSERT INTO tool_events (at, session_id, claude_session_id, event, decision) VALUES (1, 'a1b2c3d4', 'c', 'PreToolUse', ?)"
    db.prepare(tool).run('deny')
    db.prepare(tool).run(null)
    expect(applyMigrations(db, migrations.filter((m) => m.tag <= '0009_web'))).toEqual(['0009_web'])
    expect(db.prepare('SELECT state_since FROM sessions').pluck().get()).toBe(4242)
    expect(db.prepare('SELECT decided_by FROM tool_events ORDER BY id').pluck().all()).toEqual(['policy', null])
  })

  it('rolls a failing migration back whole and records nothing for it', () => {
    const db = memoryDb()
    applyMigrations(db, migrations)
    const broken: Migration = {
      tag: '9999_broken',
      sql: 'CREATE TABLE `half` (`id` integer);--> statement-breakpoint\nCREATE TABLE `sessions` (`id` text);',
    }
    expect(() => applyMigrations(db, [...migrations, broken])).toThrow(/already exists/)
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half'`).pluck().get()).toBe(0)
    expect(tagsIn(db)).toEqual(migrations.map((m) => m.tag))
  })

  it('restores foreign key enforcement after migrating', () => {
    const db = memoryDb()
    db.pragma('foreign_keys = ON')
    applyMigrations(db, migrations)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach } from 'vitest'
import { openSqliteStore, type OpenSqliteStoreOptions, type SqliteStore } from './open-store.js'

/**
 * Temp dirs and stores for one test file: everything made during a test is closed and
 * removed after it.
 */
export function useTempStores() {
  const dirs: string[] = []
  const stores: SqliteStore[] = []
  afterEach(async () => {
    for (const s of stores.splice(0)) {
      // the checkpoint worker must be gone before its files' directory is removed
      await s.stopCheckpoints()
      s.close()
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-store-'))
    dirs.push(dir)
    return dir
  }
  const open = (options: Partial<OpenSqliteStoreOptions> & { path: string }): SqliteStore => {
    const store = openSqliteStore(options)
    stores.push(store)
    return store
  }
  return { tempDir, open, dbPath: () => join(tempDir(), 'data', 'sessions.db') }
}

/** Reads through a second, read-only connection: what another process (or the next start) would see on disk. */
export function onDisk<T>(path: string, query: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare(query).all(...params) as T[]
  } finally {
    db.close()
  }
}

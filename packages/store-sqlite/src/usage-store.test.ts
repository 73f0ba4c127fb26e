import { usageStoreContract } from '@claude-sessions/core/testing'
import { afterEach } from 'vitest'
import { openSqliteStore, type SqliteStore } from './open-store.js'

const open: SqliteStore[] = []
afterEach(() => {
  for (const s of open.splice(0)) s.close()
})

usageStoreContract('SQLite (:memory:)', () => {
  const store = openSqliteStore({ path: ':memory:' })
  open.push(store)
  return store.usage
})

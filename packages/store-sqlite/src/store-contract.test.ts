import { storeContract } from '@claude-sessions/core/testing'
import { useTempStores } from './test-support.js'

const { open, dbPath } = useTempStores()

storeContract('SQLite store', () => open({ path: dbPath() }))
storeContract('SQLite store, batch of one', () => open({ path: dbPath(), batchSize: 1 }))

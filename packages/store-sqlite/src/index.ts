export { openSqliteStore, DEFAULT_BATCH_SIZE } from './open-store.js'
export type { OpenSqliteStoreOptions, SqliteStore } from './open-store.js'

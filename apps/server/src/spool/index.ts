export { FRESH_MS, importSpool, REJECTED_DIR, STALE_TMP_MS } from './import-spool.js'
export type { SpooledHook, SpoolImportResult, SpoolLog } from './import-spool.js'
export { formatSpoolFileName, NO_SESSION_ID, parseSpoolFileName } from './spool-file-name.js'
export type { SpoolFileName } from './spool-file-name.js'

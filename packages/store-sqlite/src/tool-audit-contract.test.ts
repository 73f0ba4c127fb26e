import { toolAuditContract } from '@claude-sessions/core/testing'
import { useTempStores } from './test-support.js'

const { open, dbPath } = useTempStores()

toolAuditContract('SQLite tool audit', () => open({ path: dbPath() }).toolAudit)

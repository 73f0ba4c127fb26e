import { InMemoryToolAuditStore } from './in-memory-tool-audit.js'
import { toolAuditContract } from './tool-audit-contract.js'

toolAuditContract('in-memory tool audit', () => new InMemoryToolAuditStore())

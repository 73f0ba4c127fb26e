import { InMemoryUsageStore } from './in-memory-usage.js'
import { usageStoreContract } from './usage-contract.js'

usageStoreContract('in memory', () => new InMemoryUsageStore())

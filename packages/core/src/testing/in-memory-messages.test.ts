import { InMemoryMessageStore, InMemoryWatchStore } from './in-memory-messages.js'
import { InMemoryEventStore, InMemorySessionStore } from './in-memory-store.js'
import { messageStoreContract, watchStoreContract } from './message-contract.js'
import { storeContract } from './store-contract.js'

messageStoreContract('in-memory messages', () => new InMemoryMessageStore())
watchStoreContract('in-memory watches', () => new InMemoryWatchStore())

// The session/event fakes had no run of their own contract; it rides here.
storeContract('in-memory store', () => ({ sessions: new InMemorySessionStore(), events: new InMemoryEventStore() }))

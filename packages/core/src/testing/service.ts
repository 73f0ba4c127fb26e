import { MessageService, type MessageServiceConfig } from '../service/message-service.js'
import { SessionService, type SessionServiceConfig, type SessionServiceDeps } from '../service/session-service.js'
import { InMemoryMessageStore, InMemoryWatchStore } from './in-memory-messages.js'
import { FakeMultiplexer } from './fake-multiplexer.js'
import { FixedClock, SequentialIds } from './fixed-clock.js'
import { InMemoryEventStore, InMemorySessionStore } from './in-memory-store.js'

/** Service settings for tests: quick delivery timings, the agent `claude`. */
export const testServiceConfig = (overrides: Partial<SessionServiceConfig> = {}): SessionServiceConfig => ({
  agentCommand: ['claude'],
  env: {},
  unsetEnv: [],
  rawEventCap: 65_536,
  delivery: { settleMs: 1, confirmMs: 500, pollMs: 20, hookGraceMs: 40 },
  staleMs: 20_000,
  interruptSettleMs: 1000,
  startWaitMs: 2000,
  ...overrides,
})

/**
 * A SessionService on in-memory fakes, with its parts exposed. Tokens hash to `h:<token>`;
 * absolute paths count as directories.
 */
export function aSessionService(options: { config?: Partial<SessionServiceConfig>; deps?: Partial<SessionServiceDeps> } = {}) {
  const sessions = new InMemorySessionStore()
  const events = new InMemoryEventStore()
  // the service and its terminals agree on what is a directory
  const isDirectory = options.deps?.isDirectory ?? ((p: string) => p.startsWith('/'))
  const mux = new FakeMultiplexer({ isDirectory })
  const clock = new FixedClock()
  const service = new SessionService({
    sessions,
    events,
    mux,
    clock,
    ids: new SequentialIds(),
    hashToken: (t) => `h:${t}`,
    isDirectory,
    config: testServiceConfig(options.config),
    ...options.deps,
  })
  return { service, sessions, events, mux, clock }
}

/** A MessageService on in-memory stores over `service`; timers wait on the clock. */
export function aMessageService(service: SessionService, clock: FixedClock, config: Partial<MessageServiceConfig> = {}) {
  const messages = new InMemoryMessageStore()
  const watches = new InMemoryWatchStore()
  const svc = new MessageService({
    sessions: service,
    messages,
    watches,
    clock,
    config: { maxStopBlocks: 3, fenceMs: 10_000, waitSettleMs: 2000, spawnWaitTimeoutMs: 3_600_000, ...config },
  })
  return { messages: svc, messageStore: messages, watches }
}

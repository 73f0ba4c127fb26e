export { SessionService } from './session-service.js'
export type {
  CreateSessionRequest,
  EffectListener,
  HookInput,
  HookReply,
  SessionServiceConfig,
  SessionServiceDeps,
} from './session-service.js'
export { deliverText, promptMatches } from './deliver.js'
export type { DeliveryResult, DeliveryTiming } from './deliver.js'
export { KeyedMutex } from './keyed-mutex.js'

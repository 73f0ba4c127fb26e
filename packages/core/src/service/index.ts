export { SessionService } from './session-service.js'
export type {
  CreateSessionRequest,
  EffectListener,
  HookInput,
  HookReply,
  HookReplier,
  HookHolder,
  ChangeListener,
  SessionChange,
  GoneSignal,
  SessionServiceConfig,
  SessionServiceDeps,
} from './session-service.js'
export { claudeNormalized, deliverText, INPUT_HELD_REASON, InputHeldError, promptMatches, unwrapPaste } from './deliver.js'
export type { DeliveryResult, DeliveryTiming } from './deliver.js'
export { KeyedMutex } from './keyed-mutex.js'
export { MessageService } from './message-service.js'
export type { MessageServiceConfig, MessageServiceDeps, SendRequest, SendResult } from './message-service.js'
export { buildSummaryPrompt, cleanSummary, DEFAULT_SUMMARY_LINES, MAX_SUMMARY_LINES, SUMMARY_MAX_CHARS, SUMMARY_MAX_LINES, SummaryService } from './summary.js'
export type { SessionSummary, SummaryPromptInput, SummaryServiceDeps } from './summary.js'

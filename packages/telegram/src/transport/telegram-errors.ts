import { GrammyError, HttpError } from 'grammy'

/** What a failed operation calls for. */
export type Failure =
  /** try again later; `retryAfterMs` when Telegram said how long to wait */
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  /** never succeeds: mark failed */
  | { kind: 'permanent'; message: string }
  /** the topic (message thread) no longer exists */
  | { kind: 'thread_gone'; message: string }
  /** Telegram could not parse the HTML: send the plain text instead */
  | { kind: 'bad_entities'; message: string }
  /** nothing to change: as good as done */
  | { kind: 'not_modified'; message: string }

/** A failure the adapter decides itself (not an answer from Telegram). */
export class OperationFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message)
    this.name = 'OperationFailure'
  }
}

const THREAD_GONE = /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i
const NOT_MODIFIED = /message is not modified|TOPIC_NOT_MODIFIED/i
const BAD_ENTITIES = /can't parse entities|can't find end of the entity/i

/** Telegram answered with this error (a definite answer: the method did not take effect). */
export function classify(err: unknown, redact: (text: string) => string): Failure {
  if (err instanceof OperationFailure) return err.failure
  if (err instanceof GrammyError) {
    const message = redact(`${err.error_code}: ${err.description}`)
    const code = err.error_code
    if (code === 429) {
      const after = err.parameters?.retry_after
      return typeof after === 'number' ? { kind: 'retry', message, retryAfterMs: after * 1000 } : { kind: 'retry', message }
    }
    if (code >= 500 || code === 401 || code === 404 || code === 409) return { kind: 'retry', message }
    if (NOT_MODIFIED.test(err.description)) return { kind: 'not_modified', message }
    if (THREAD_GONE.test(err.description)) return { kind: 'thread_gone', message }
    if (BAD_ENTITIES.test(err.description)) return { kind: 'bad_entities', message }
    return { kind: 'permanent', message }
  }
  if (err instanceof HttpError) return { kind: 'retry', message: redact(networkMessage(err)) }
  return { kind: 'permanent', message: redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err)) }
}

/** Errors before a connection existed: the request never reached Telegram. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Whether `err` proves the request had no effect: Telegram's own error answer (other than a
 * gateway error), or a connection that was never made. A timeout, a reset or an abort prove nothing.
 */
export function provesNotApplied(err: unknown): boolean {
  if (err instanceof OperationFailure) return true
  if (err instanceof GrammyError) return err.error_code !== 502 && err.error_code !== 504
  if (err instanceof HttpError) return NEVER_SENT.has(errorCode(err.error) ?? '')
  return false
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function networkMessage(err: HttpError): string {
  const code = errorCode(err.error)
  return code ? `${err.message} (${code})` : err.message
}

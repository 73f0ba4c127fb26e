/** Every failure the domain can name. The API maps each code to one HTTP status, the CLI to one exit code. */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_name'
  | 'unauthorized'
  | 'forbidden'
  | 'session_not_found'
  | 'not_found'
  | 'ambiguous_session'
  | 'name_taken'
  | 'session_stopped'
  | 'not_typable'
  | 'limit_reached'
  | 'payload_too_large'
  | 'rate_limited'
  | 'multiplexer_failed'
  | 'delivery_failed'
  | 'unavailable'
  | 'internal'

export class SessionsError extends Error {
  readonly code: ErrorCode
  override readonly cause?: unknown

  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message)
    this.name = 'SessionsError'
    this.code = code
    this.cause = options.cause
  }

  static is(value: unknown, code?: ErrorCode): value is SessionsError {
    return value instanceof SessionsError && (code === undefined || value.code === code)
  }
}

/** HTTP status for each error code: the single table both the server and the client agree on. */
export const statusForCode: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_name: 400,
  unauthorized: 401,
  forbidden: 403,
  session_not_found: 404,
  not_found: 404,
  ambiguous_session: 409,
  name_taken: 409,
  session_stopped: 409,
  not_typable: 409,
  limit_reached: 409,
  payload_too_large: 413,
  rate_limited: 429,
  multiplexer_failed: 503,
  delivery_failed: 503,
  unavailable: 503,
  internal: 500,
}

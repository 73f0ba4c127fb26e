import type { ErrorCode } from '@claude-sessions/core'

/** A failed request: `code` is the server's error code, or `unavailable` when it can't be reached. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

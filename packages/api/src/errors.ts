import { SessionsError, statusForCode } from '@claude-sessions/core'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorBody } from './dto.js'

export interface ErrorLog {
  error(obj: object, msg: string): void
}

/** The one place an error becomes a response: `{error:{code,message}}` with the code's status. */
export function errorResponse(err: unknown, c: Context, log?: ErrorLog): Response {
  const known = err instanceof SessionsError ? err : null
  if (!known) log?.error({ err }, 'unhandled error')
  const code = known?.code ?? 'internal'
  const message = known?.message ?? 'internal error'
  const body: ErrorBody = { error: { code, message } }
  return c.json(body, statusForCode[code] as ContentfulStatusCode)
}

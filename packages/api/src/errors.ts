import { SessionsError, statusForCode } from '@claude-sessions/core'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorBody } from './dto.js'

export interface ErrorLog {
  error(obj: object, msg: string): void
}

/** The one place an error becomes a reply: `{error:{code,message}}` and the code's status. */
export function errorBody(err: unknown, log?: ErrorLog): { status: number; body: ErrorBody } {
  const known = err instanceof SessionsError ? err : null
  if (!known) log?.error({ err }, 'unhandled error')
  const code = known?.code ?? 'internal'
  return { status: statusForCode[code], body: { error: { code, message: known?.message ?? 'internal error' } } }
}

/** `errorBody` as a hono response. */
export function errorResponse(err: unknown, c: Context, log?: ErrorLog): Response {
  const { status, body } = errorBody(err, log)
  return c.json(body, status as ContentfulStatusCode)
}

import { describe, expect, expectTypeOf, it } from 'vitest'
import { SessionsError, statusForCode, type ErrorCode } from './errors.js'

/** Every code, spelled out: the type check below fails when the union and this list differ. */
const ALL_CODES = [
  'invalid_input',
  'invalid_name',
  'unauthorized',
  'forbidden',
  'session_not_found',
  'not_found',
  'ambiguous_session',
  'name_taken',
  'session_stopped',
  'not_typable',
  'limit_reached',
  'payload_too_large',
  'rate_limited',
  'multiplexer_failed',
  'delivery_failed',
  'unavailable',
  'internal',
] as const satisfies readonly ErrorCode[]

const ALLOWED_STATUSES = [400, 401, 403, 404, 409, 413, 429, 500, 503]

describe('error codes', () => {
  it('the list above is the whole ErrorCode union', () => {
    expectTypeOf<(typeof ALL_CODES)[number]>().toEqualTypeOf<ErrorCode>()
    expect(new Set(ALL_CODES).size).toBe(ALL_CODES.length)
  })

  it('every code has exactly one status, and the table has no extra keys', () => {
    expect(Object.keys(statusForCode).sort()).toEqual([...ALL_CODES].sort())
  })

  it.each(ALL_CODES)('%s maps to an allowed HTTP status', (code) => {
    expect(ALLOWED_STATUSES).toContain(statusForCode[code])
  })

  it('maps the codes clients rely on to their statuses', () => {
    expect(statusForCode.invalid_input).toBe(400)
    expect(statusForCode.invalid_name).toBe(400)
    expect(statusForCode.unauthorized).toBe(401)
    expect(statusForCode.forbidden).toBe(403)
    expect(statusForCode.session_not_found).toBe(404)
    expect(statusForCode.ambiguous_session).toBe(409)
    expect(statusForCode.payload_too_large).toBe(413)
    expect(statusForCode.internal).toBe(500)
    expect(statusForCode.unavailable).toBe(503)
  })
})

describe('SessionsError', () => {
  it('carries code, message, name and cause', () => {
    const cause = new Error('tmux exited 1')
    const error = new SessionsError('multiplexer_failed', 'tmux failed', { cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('multiplexer_failed')
    expect(error.message).toBe('tmux failed')
    expect(error.name).toBe('SessionsError')
    expect(error.cause).toBe(cause)
    expect(new SessionsError('internal', 'x').cause).toBeUndefined()
  })

  it('is() recognises the error, optionally by code', () => {
    const error = new SessionsError('name_taken', 'taken')
    expect(SessionsError.is(error)).toBe(true)
    expect(SessionsError.is(error, 'name_taken')).toBe(true)
    expect(SessionsError.is(error, 'not_found')).toBe(false)
    expect(SessionsError.is(new Error('plain'))).toBe(false)
    expect(SessionsError.is({ code: 'name_taken', message: 'look-alike' })).toBe(false)
    expect(SessionsError.is(null)).toBe(false)
  })
})

import { SessionsError } from '../errors.js'
import type { Session } from './session.js'

export const SESSION_ID_PATTERN = /^[0-9a-f]{8}$/
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/

export const isSessionId = (value: string): boolean => SESSION_ID_PATTERN.test(value)

/**
 * Throws `invalid_name` unless the name is 1–32 of `[A-Za-z0-9_-]` and does not look like a
 * session id (an id always wins when resolving, so such a name could point at another session).
 */
export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new SessionsError(
      'invalid_name',
      `invalid name ${JSON.stringify(name)}: use 1-32 letters, digits, '_' or '-'`,
    )
  }
  if (SESSION_ID_PATTERN.test(name)) {
    throw new SessionsError('invalid_name', `invalid name ${JSON.stringify(name)}: 8 hex digits look like a session id`)
  }
  return name
}

/**
 * Finds the session a user means by `ref`: an exact id, an exact name (live sessions first),
 * or a unique id prefix. Throws `session_not_found` or `ambiguous_session`.
 */
export function resolveSessionRef(sessions: readonly Session[], ref: string): Session {
  const trimmed = ref.trim()
  if (trimmed === '') throw new SessionsError('invalid_input', 'session reference is empty')
  const byId = sessions.find((s) => s.id === trimmed)
  if (byId) return byId
  const named = sessions.filter((s) => s.name === trimmed)
  const liveNamed = named.filter((s) => s.state !== 'stopped')
  if (liveNamed.length === 1) return liveNamed[0]!
  if (liveNamed.length > 1) {
    throw new SessionsError(
      'ambiguous_session',
      `'${trimmed}' names ${liveNamed.length} live sessions: ${liveNamed.map((s) => s.id).join(', ')}`,
    )
  }
  if (liveNamed.length === 0 && named.length > 0) {
    return [...named].sort((a, b) => b.createdAt - a.createdAt)[0]!
  }
  const byPrefix = sessions.filter((s) => s.id.startsWith(trimmed))
  if (byPrefix.length === 1) return byPrefix[0]!
  if (byPrefix.length > 1) {
    const live = byPrefix.filter((s) => s.state !== 'stopped')
    if (live.length === 1) return live[0]!
    throw new SessionsError(
      'ambiguous_session',
      `'${trimmed}' matches ${byPrefix.length} sessions: ${byPrefix.map((s) => s.id).join(', ')}`,
    )
  }
  throw new SessionsError('session_not_found', `no session '${trimmed}'`)
}

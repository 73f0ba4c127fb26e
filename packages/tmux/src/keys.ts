import { SENDABLE_KEYS, SessionsError, type SendableKey } from '@claude-sessions/core'

const NAMED_KEYS: Partial<Record<SendableKey, string>> = { Escape: 'Escape', Enter: 'Enter' }

/**
 * The `send-keys` arguments (after the target) for one key: Escape and Enter by tmux key
 * name (they reach the program as ESC and CR), `y`, `n` and digits literally (`-l`).
 */
export function sendKeyArgs(key: SendableKey): { literal: boolean; key: string } {
  if (!(SENDABLE_KEYS as readonly string[]).includes(key)) {
    throw new SessionsError('invalid_input', `key ${JSON.stringify(key)} can't be sent; use one of ${SENDABLE_KEYS.join(', ')}`)
  }
  const named = NAMED_KEYS[key]
  return named ? { literal: false, key: named } : { literal: true, key }
}

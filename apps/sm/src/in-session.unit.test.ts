import { describe, expect, it } from 'vitest'
import { wantsSessionStatus } from './in-session.js'

describe('sm status inside a managed session', () => {
  const inside = { CLAUDE_SESSION_MANAGER_ID: 'a1b2c3d4' }
  it('is the session view only for `status` without --all, inside a session', () => {
    expect(wantsSessionStatus('status', false, inside)).toBe(true)
    expect(wantsSessionStatus('status', true, inside)).toBe(false)
    expect(wantsSessionStatus('ls', false, inside)).toBe(false)
    expect(wantsSessionStatus('me', false, inside)).toBe(false)
    expect(wantsSessionStatus('status', false, {})).toBe(false)
    expect(wantsSessionStatus('status', false, { CLAUDE_SESSION_MANAGER_ID: '' })).toBe(false)
  })
})

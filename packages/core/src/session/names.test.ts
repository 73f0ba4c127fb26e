import { describe, expect, it } from 'vitest'
import { SessionsError } from '../errors.js'
import { aSession } from '../testing/builders.js'
import { isSessionId, resolveSessionRef, SESSION_ID_PATTERN, validateName } from './names.js'
import type { Session } from './session.js'

function thrown(fn: () => unknown): SessionsError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SessionsError)
    return error as SessionsError
  }
  throw new Error('expected a SessionsError, nothing was thrown')
}

describe('validateName', () => {
  it.each(['a', 'worker', 'Worker-2', 'build_and_test', '0', '-', '_x', 'x'.repeat(32), 'A1b2C3d4'])(
    'accepts %j and returns it unchanged',
    (name) => {
      expect(validateName(name)).toBe(name)
    },
  )

  it.each([
    ['empty', ''],
    ['33 characters', 'x'.repeat(33)],
    ['a space', 'my worker'],
    ['a leading space', ' worker'],
    ['a trailing newline', 'worker\n'],
    ['a semicolon', 'a;b'],
    ['shell characters', '$(rm -rf ~)'],
    ['quotes', `it's`],
    ['a dot', 'a.b'],
    ['a slash', 'a/b'],
    ['a colon (tmux target syntax)', 'a:1'],
    ['non-ASCII letters', 'café'],
    ['an emoji', 'bot🤖'],
    ['Cyrillic', 'работник'],
    ['a tab', 'a\tb'],
  ])('rejects %s', (_what, name) => {
    const error = thrown(() => validateName(name))
    expect(error.code).toBe('invalid_name')
    expect(error.message).toContain(JSON.stringify(name))
  })

  it('counts characters at the boundaries: 1 and 32 pass, 0 and 33 fail', () => {
    expect(() => validateName('a')).not.toThrow()
    expect(() => validateName('a'.repeat(32))).not.toThrow()
    expect(() => validateName('')).toThrow(SessionsError)
    expect(() => validateName('a'.repeat(33))).toThrow(SessionsError)
  })
})

describe('session ids', () => {
  it('are 8 lowercase hex characters', () => {
    expect(isSessionId('a1b2c3d4')).toBe(true)
    expect(SESSION_ID_PATTERN.test('00000000')).toBe(true)
    for (const bad of ['A1B2C3D4', 'a1b2c3d', 'a1b2c3d45', 'g1b2c3d4', '', 'a1b2c3d4\n']) {
      expect(isSessionId(bad), bad).toBe(false)
    }
  })
})

describe('resolveSessionRef', () => {
  const live = aSession({ id: 'aa11bb22', name: 'builder', state: 'working', createdAt: 3 })
  const other = aSession({ id: 'aa11cc33', name: 'tester', state: 'idle', createdAt: 2 })
  const lone = aSession({ id: 'f0f0f0f0', name: null, state: 'idle', createdAt: 1 })
  const sessions: Session[] = [live, other, lone]

  it('finds an exact id', () => {
    expect(resolveSessionRef(sessions, 'aa11cc33')).toBe(other)
  })

  it('ignores surrounding whitespace', () => {
    expect(resolveSessionRef(sessions, '  aa11cc33\n')).toBe(other)
  })

  it('finds a unique id prefix', () => {
    expect(resolveSessionRef(sessions, 'f0f')).toBe(lone)
    expect(resolveSessionRef(sessions, 'aa11b')).toBe(live)
  })

  it('refuses an ambiguous prefix with ambiguous_session (409) naming the candidates', () => {
    const error = thrown(() => resolveSessionRef(sessions, 'aa11'))
    expect(error.code).toBe('ambiguous_session')
    expect(error.message).toContain('aa11bb22')
    expect(error.message).toContain('aa11cc33')
  })

  it('prefers the only live session among those a prefix matches', () => {
    const stopped = aSession({ id: 'aa11dd44', state: 'stopped' })
    const pair = [aSession({ id: 'aa11bb22', state: 'idle' }), stopped]
    expect(resolveSessionRef(pair, 'aa11').id).toBe('aa11bb22')
  })

  it('finds a session by name', () => {
    expect(resolveSessionRef(sessions, 'tester')).toBe(other)
  })

  it('matches names exactly (case and all)', () => {
    expect(() => resolveSessionRef(sessions, 'Tester')).toThrow(SessionsError)
    expect(() => resolveSessionRef(sessions, 'test')).toThrow(SessionsError)
  })

  it('prefers the live session of a name over stopped ones', () => {
    const oldStopped = aSession({ id: '11111111', name: 'worker', state: 'stopped', createdAt: 10 })
    const liveOne = aSession({ id: '22222222', name: 'worker', state: 'idle', createdAt: 5 })
    const newerStopped = aSession({ id: '33333333', name: 'worker', state: 'stopped', createdAt: 20 })
    expect(resolveSessionRef([oldStopped, newerStopped, liveOne], 'worker')).toBe(liveOne)
  })

  it('resolves a name only stopped sessions carry to the newest of them', () => {
    const older = aSession({ id: '11111111', name: 'worker', state: 'stopped', createdAt: 10 })
    const newest = aSession({ id: '33333333', name: 'worker', state: 'stopped', createdAt: 30 })
    const middle = aSession({ id: '22222222', name: 'worker', state: 'stopped', createdAt: 20 })
    expect(resolveSessionRef([older, newest, middle], 'worker')).toBe(newest)
  })

  it('refuses a name that two live sessions carry', () => {
    const a = aSession({ id: '11111111', name: 'twin', state: 'idle' })
    const b = aSession({ id: '22222222', name: 'twin', state: 'working' })
    const error = thrown(() => resolveSessionRef([a, b], 'twin'))
    expect(error.code).toBe('ambiguous_session')
    expect(error.message).toContain('11111111')
    expect(error.message).toContain('22222222')
  })

  it('takes an exact id over a name and a name over a prefix', () => {
    const named = aSession({ id: '11111111', name: 'aa11bb22', state: 'idle' })
    expect(resolveSessionRef([named, live], 'aa11bb22')).toBe(live)
    const prefixName = aSession({ id: '22222222', name: 'aa11', state: 'idle' })
    expect(resolveSessionRef([live, other, prefixName], 'aa11')).toBe(prefixName)
  })

  it('finds external sessions by their Claude session id and its prefix', () => {
    const external = aSession({ id: '6bf01783-816d-49d3-a354-25f1341e986b', kind: 'external', tmuxSession: null })
    expect(resolveSessionRef([live, external], '6bf01783-816d-49d3-a354-25f1341e986b')).toBe(external)
    expect(resolveSessionRef([live, external], '6bf0')).toBe(external)
  })

  it('reports an unknown reference as session_not_found', () => {
    const error = thrown(() => resolveSessionRef(sessions, 'nobody'))
    expect(error.code).toBe('session_not_found')
    expect(error.message).toContain('nobody')
    expect(thrown(() => resolveSessionRef([], 'aa11bb22')).code).toBe('session_not_found')
  })

  it.each(['', '   ', '\n'])('refuses the empty reference %j with invalid_input', (ref) => {
    expect(thrown(() => resolveSessionRef(sessions, ref)).code).toBe('invalid_input')
  })
})

describe('validateName refuses id-like names', () => {
  it('rejects 8 lowercase hex digits, accepts other 8-char names', () => {
    expect(() => validateName('deadbeef')).toThrow(expect.objectContaining({ code: 'invalid_name' }))
    expect(validateName('deadbeeF')).toBe('deadbeeF')
    expect(validateName('deadbee')).toBe('deadbee')
  })
})

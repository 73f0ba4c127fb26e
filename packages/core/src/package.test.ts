import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const dist = new URL('../dist/', import.meta.url)

describe('@claude-sessions/core as a package', () => {
  it('is built to ESM with type declarations, importable by other tools', async () => {
    expect(existsSync(new URL('index.js', dist)), 'run the setup (it builds) first').toBe(true)
    expect(existsSync(new URL('index.d.ts', dist))).toBe(true)
    const core = (await import(new URL('index.js', dist).href)) as typeof import('./index.js')
    const session = core.newSession({ id: 'a1b2c3d4', kind: 'managed', state: 'starting', workingDir: '/w', tmuxSession: 'claude-a1b2c3d4', createdAt: 1 })
    const { session: next } = core.reduce(session, core.parseHookEvent('Stop', { session_id: 'c-1', last_assistant_message: 'ok' }), 2)
    expect(next).toMatchObject({ state: 'idle', lastMessage: 'ok' })
  })
})

import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const dist = new URL('../dist/', import.meta.url)
/** A subpath of the built package, as another tool imports it. */
const load = async <T>(file: string): Promise<T> => (await import(new URL(file, dist).href)) as T

describe('@claude-sessions/core as a package', () => {
  it('is built to ESM with type declarations, importable by other tools', async () => {
    expect(existsSync(new URL('index.js', dist)), 'run the setup (it builds) first').toBe(true)
    expect(existsSync(new URL('index.d.ts', dist))).toBe(true)
    const core = await load<typeof import('./index.js')>('index.js')
    const session = core.newSession({ id: 'a1b2c3d4', kind: 'managed', state: 'starting', workingDir: '/w', tmuxSession: 'claude-a1b2c3d4', createdAt: 1 })
    const { session: next } = core.reduce(session, core.parseHookEvent('Stop', { session_id: 'c-1', last_assistant_message: 'ok' }), 2)
    expect(next).toMatchObject({ state: 'idle', lastMessage: 'ok' })
  })

  it('every subpath of package.json is built, with its declarations, and holds its concern', async () => {
    const { exports } = (await import('../package.json', { with: { type: 'json' } })).default as { exports: Record<string, { types: string; import: string }> }
    expect(Object.keys(exports).sort()).toEqual(['.', './audit', './services', './telegram', './telegram/testing', './testing'])
    for (const [subpath, files] of Object.entries(exports)) {
      expect(existsSync(new URL(files.import, new URL('../', dist))), `${subpath}: ${files.import}`).toBe(true)
      expect(existsSync(new URL(files.types, new URL('../', dist))), `${subpath}: ${files.types}`).toBe(true)
    }
    const root = await load<Record<string, unknown>>('index.js')
    const audit = await load<typeof import('./audit/index.js')>('audit/index.js')
    const services = await load<typeof import('./services.js')>('services.js')
    const telegram = await load<Record<string, unknown>>('telegram.js')
    const testing = await load<typeof import('./testing/index.js')>('testing/index.js')
    const telegramTesting = await load<typeof import('./telegram-testing.js')>('telegram-testing.js')
    // the root is the model: no classifier, no services, no Telegram stores
    expect(root).toHaveProperty('reduce')
    for (const name of ['classifyCommand', 'SessionService', 'ToolAuditor', 'inMemoryTelegramStores']) expect(root, name).not.toHaveProperty(name)
    expect(typeof audit.classifyCommand).toBe('function')
    expect(typeof services.SessionService).toBe('function')
    expect(typeof services.connectNotifiers).toBe('function')
    expect(telegram.TELEGRAM_TOPIC_STATUSES).toContain('open')
    expect(typeof testing.aSessionService).toBe('function')
    expect(testing).not.toHaveProperty('inMemoryTelegramStores')
    expect(typeof telegramTesting.inMemoryTelegramStores).toBe('function')
  })

  it("README's examples: reduce hook events to a state; classify a command; run the service on the in-memory fakes", async () => {
    // 1. reduce hook events to a state
    const { newSession, parseHookEvent, reduce } = await load<typeof import('./index.js')>('index.js')
    let session = newSession({ id: 'a1b2c3d4', kind: 'managed', state: 'starting', workingDir: '/work', tmuxSession: 'claude-a1b2c3d4', createdAt: 0 })
    const hooks: [string, object][] = [
      ['UserPromptSubmit', { session_id: 's-1', prompt: 'fix the tests' }],
      ['PreToolUse', { session_id: 's-1', tool_name: 'Bash', tool_input: { command: 'npm test' } }],
      ['Stop', { session_id: 's-1', last_assistant_message: 'All tests pass.' }],
    ]
    const states: string[] = []
    for (const [name, payload] of hooks) {
      session = reduce(session, parseHookEvent(name, payload), Date.now()).session
      states.push(session.state)
    }
    expect(states).toEqual(['working', 'working', 'idle'])
    expect(session.lastMessage).toBe('All tests pass.')

    // 2. classify a command
    const { classifyCommand } = await load<typeof import('./audit/index.js')>('audit/index.js')
    expect(classifyCommand('rm -rf ./build')).toMatchObject({ destructive: true, category: 'recursive_delete' })
    expect(classifyCommand('ls -la')).toMatchObject({ destructive: false, sensitive: false })

    // 3. run the service with the in-memory fakes
    const { aSessionService } = await load<typeof import('./testing/index.js')>('testing/index.js')
    const { service, mux } = aSessionService()
    const created = await service.create({ workingDir: '/work', name: 'demo' })
    expect(mux.terminals.has(created.tmuxSession!)).toBe(true)
    service.ingestHook({ event: 'UserPromptSubmit', payload: { session_id: 's-2', prompt: 'hello' }, raw: '{}', managerId: created.id, token: 'token-1' })
    expect(service.resolve('demo').state).toBe('working')
  })
})

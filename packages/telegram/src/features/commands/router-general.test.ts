import { SessionsError } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { FakeControl, replyProblems, replyText, T0 } from '../../testing/fake-control.js'
import { CommandRouter } from './index.js'

const NOW = T0 + 3_600_000

function setup() {
  const control = new FakeControl()
  const router = new CommandRouter({ control, now: () => NOW })
  return { control, router }
}

describe('/new', () => {
  it('says how to configure projects when there are none', async () => {
    const { control, router } = setup()
    const reply = await router.run('new', '', {})
    expect(replyText(reply)).toContain('set telegram.projects in the config')
    expect(reply.buttons).toBeUndefined()
    expect(replyText(await router.run('new', 'web', {}))).toContain('telegram.projects')
    expect(control.actions()).toEqual([])
  })

  it('offers a button per project, and a press starts a session there', async () => {
    const { control, router } = setup()
    control.projectList = [
      { name: 'web', dir: '/src/web' },
      { name: 'api.v2', dir: '/src/api' },
    ]
    const reply = await router.run('new', '', { sessionId: 'whatever' })
    expect(reply.buttons).toEqual([[{ text: 'web', data: 'n:web' }], [{ text: 'api.v2', data: 'n:api.v2' }]])
    const pressed = await router.press('n:api.v2', {})
    expect(replyText(pressed)).toBe('Started api [f0000001] in api.v2 (/src/api).')
    expect(control.actions()).toEqual([{ method: 'create', args: [{ workingDir: '/src/api' }] }])
  })

  it('starts a session in the named project, the rest as its first prompt', async () => {
    const { control, router } = setup()
    control.projectList = [{ name: 'Web', dir: '/src/web' }]
    expect(replyText(await router.run('new', 'Web', {}))).toBe('Started web [f0000001] in Web (/src/web).')
    expect(replyText(await router.run('new', 'web fix the <bug>\nthen test', {}))).toBe('Started web [f0000002] in Web (/src/web).')
    expect(control.callsOf('create')).toEqual([[{ workingDir: '/src/web' }], [{ workingDir: '/src/web', prompt: 'fix the <bug>\nthen test' }]])
  })

  it('lists the known projects for an unknown one', async () => {
    const { control, router } = setup()
    control.projectList = [
      { name: 'web', dir: '/src/web' },
      { name: 'api', dir: '/src/api' },
    ]
    expect(replyText(await router.run('new', 'mobile', {}))).toBe('Unknown project mobile. Known projects: web, api.')
    expect(replyText(await router.press('n:gone', {}))).toBe('Unknown project gone. Known projects: web, api.')
    expect(control.actions()).toEqual([])
  })

  it('shows a failure to start', async () => {
    const { control, router } = setup()
    control.projectList = [{ name: 'web', dir: '/src/web' }]
    control.fail('create', new SessionsError('limit_reached', '5 sessions are live, the limit is 5'))
    expect(replyText(await router.run('new', 'web', {}))).toBe("Can't start a session: 5 sessions are live, the limit is 5")
    expect(replyText(await router.press('n:web', {}))).toBe("Can't start a session: 5 sessions are live, the limit is 5")
    control.fail('projects', new Error('config unreadable'))
    expect(replyText(await router.run('new', '', {}))).toBe("Can't start a session: config unreadable")
  })
})

describe('/list', () => {
  it('shows live sessions, one line each, children indented under their parent', async () => {
    const { control, router } = setup()
    control.add({ id: 'aaaa1111', name: 'web', state: 'working', lastTool: 'Bash', lastActivityAt: NOW - 120_000 })
    control.add({ id: 'bbbb2222', name: 'api', lastActivityAt: NOW - 30_000 })
    control.add({ id: 'cccc3333', name: 'web-tests', parentId: 'aaaa1111', state: 'waiting_permission', lastTool: 'Write', lastActivityAt: NOW })
    control.add({ id: 'dddd4444', name: 'dead', state: 'stopped' })
    const reply = await router.run('list', '', {})
    expect(replyText(reply).split('\n')).toEqual([
      'Live sessions (3)',
      'web [aaaa1111] · working · Bash · 2m ago',
      '  ↳ web-tests [cccc3333] · waiting for permission · Write · just now',
      'api [bbbb2222] · idle · 30s ago',
    ])
    expect(reply.messages[0]!.html.startsWith('<b>Live sessions (3)</b>\n')).toBe(true)
    expect(replyProblems(reply)).toEqual([])
  })

  it('is the same in a topic, and says when nothing is live', async () => {
    const { router } = setup()
    expect(replyText(await router.run('list', '', { sessionId: 'aaaa1111' }))).toBe('No live sessions. /new starts one.')
  })

  it('splits a long list into pieces within the limit', async () => {
    const { control, router } = setup()
    for (let i = 0; i < 300; i++) control.add({ id: `s${String(i).padStart(7, '0')}`, name: `session <${i}> & ${'n'.repeat(20)}` })
    const reply = await router.run('list', '', {})
    expect(reply.messages.length).toBeGreaterThan(1)
    expect(replyProblems(reply)).toEqual([])
  })
})

describe('/help and the command list', () => {
  it('lists every command, one line each', async () => {
    const { router } = setup()
    const reply = await router.run('help', '', {})
    const text = replyText(reply)
    for (const { command } of CommandRouter.commands) expect(text).toMatch(new RegExp(`^/${command}\\b`, 'm'))
    expect(replyProblems(reply)).toEqual([])
  })

  it('gives setMyCommands valid entries: every command the router or its caller handles', () => {
    const names = CommandRouter.commands.map((c) => c.command)
    expect(names).toEqual(expect.arrayContaining(['new', 'list', 'status', 'kill', 'interrupt', 'clear', 'summary', 'message', 'output', 'tools', 'name', 'important', 'force', 'help', 'pair', 'follow']))
    expect(new Set(names).size).toBe(names.length)
    for (const { command, description } of CommandRouter.commands) {
      expect(command).toMatch(/^[a-z0-9_]{1,32}$/)
      expect(description.length).toBeGreaterThanOrEqual(3)
      expect(description.length).toBeLessThanOrEqual(256)
    }
  })

  it('answers unknown commands (and /pair or /follow, which the caller handles) briefly', async () => {
    const { router } = setup()
    expect(replyText(await router.run('frobnicate', 'x', {}))).toBe('Unknown command /frobnicate. /help lists them.')
    expect(replyText(await router.run('follow', '', {}))).toBe('Unknown command /follow. /help lists them.')
    expect(replyText(await router.run('constructor', '', {}))).toBe('Unknown command /constructor. /help lists them.')
    expect(replyText(await router.run('__proto__', '', {}))).toBe('Unknown command /__proto__. /help lists them.')
  })
})

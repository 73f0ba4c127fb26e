import { SessionsError } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { FakeControl, replyProblems, replyText, T0 } from '../../testing/fake-control.js'
import { CommandRouter } from './index.js'

function setup() {
  const control = new FakeControl()
  control.add({ id: 'aaaa1111', name: 'web', state: 'working' })
  control.add({ id: 'bbbb2222', name: 'api' })
  control.add({ id: 'cccc3333', name: 'old', state: 'stopped', stoppedAt: T0 })
  const router = new CommandRouter({ control, now: () => T0, timeZone: 'UTC' })
  return { control, router }
}

const TOPIC = { sessionId: 'aaaa1111' }

describe('choosing the session', () => {
  it("acts on the topic's session, the whole arguments its own", async () => {
    const { control, router } = setup()
    // the router passes the whole rest of the line on; judging the name is the control's job
    // (the server's refuses spaces), so this control takes any name
    control.checkName = () => {}
    expect(replyText(await router.run('name', 'new web name', TOPIC))).toBe('Renamed aaaa1111 to new web name.')
    expect(replyText(await router.run('clear', 'bbbb2222 first', TOPIC))).toContain('and sent the prompt')
    expect(control.actions()).toEqual([
      { method: 'rename', args: ['aaaa1111', 'new web name'] },
      { method: 'clear', args: ['aaaa1111', 'bbbb2222 first'] },
    ])
  })

  it('outside a topic, takes the session from the first word: id, id prefix or name', async () => {
    const { control, router } = setup()
    await router.run('interrupt', 'aaaa1111', {})
    await router.run('interrupt', 'bbbb', {})
    await router.run('interrupt', 'web', {})
    await router.run('name', 'api  the  api\n', {})
    expect(control.actions()).toEqual([
      { method: 'interrupt', args: ['aaaa1111'] },
      { method: 'interrupt', args: ['bbbb2222'] },
      { method: 'interrupt', args: ['aaaa1111'] },
      { method: 'rename', args: ['bbbb2222', 'the  api'] },
    ])
  })

  it('refuses arguments a command does not take, rather than guess', async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('kill', 'api', TOPIC))).toBe("In a session's topic, /kill acts on that session and takes no arguments.")
    expect(replyText(await router.run('kill', 'api now', {}))).toBe('Usage: /kill <session>')
    expect(replyText(await router.run('status', 'web extra', {}))).toBe('Usage: /status <session>')
    expect(control.actions()).toEqual([])
  })

  it('asks for the text of commands that need one', async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('name', '', TOPIC))).toBe('Usage: /name <name>')
    expect(replyText(await router.run('name', '   ', {}))).toBe('Usage: /name <session> <name>')
    expect(replyText(await router.run('name', 'web', {}))).toBe('Usage: /name <session> <name>')
    expect(replyText(await router.run('important', '', TOPIC))).toBe('Usage: /important <text>')
    expect(replyText(await router.run('force', 'web', {}))).toBe('Usage: /force <session> <text>')
    expect(control.actions()).toEqual([])
  })

  it('says which session was not found', async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('kill', 'nope', {}))).toBe("Can't kill: no session 'nope'")
    expect(replyText(await router.run('status', 'zzz', {}))).toMatch(/^Can't show the status: /)
    expect(replyText(await router.run('name', 'nope new', {}))).toMatch(/^Can't rename: /)
    expect(control.actions()).toEqual([])
  })

  it('says so when a reference fits several sessions', async () => {
    const { control, router } = setup()
    control.add({ id: 'aaaa9999', name: 'web2' })
    expect(replyText(await router.run('kill', 'aaaa', {}))).toMatch(/^Can't kill: 'aaaa' matches 2 sessions/)
  })
})

describe('buttons, then a press', () => {
  it('offers a button per live session when none is given outside a topic', async () => {
    const { router } = setup()
    const reply = await router.run('kill', '', {})
    expect(replyText(reply)).toBe('/kill: which session?')
    expect(reply.buttons).toEqual([[{ text: 'web [aaaa1111]', data: 'c:kill:aaaa1111' }], [{ text: 'api [bbbb2222]', data: 'c:kill:bbbb2222' }]])
  })

  it('runs the command for the pressed session', async () => {
    const { control, router } = setup()
    for (const command of ['status', 'message', 'summary', 'output', 'tools', 'interrupt', 'clear', 'kill']) {
      const reply = await router.run(command, '', {})
      const data = reply.buttons![1]![0]!.data
      expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64)
      const pressed = await router.press(data, {})
      expect(pressed, command).toBeDefined()
      expect(replyProblems(pressed)).toEqual([])
    }
    expect(control.actions()).toEqual([
      { method: 'interrupt', args: ['bbbb2222'] },
      { method: 'clear', args: ['bbbb2222'] },
      { method: 'kill', args: ['bbbb2222'] },
    ])
    expect(control.callsOf('output')).toEqual([['bbbb2222', 30]])
    expect(control.callsOf('tools')).toEqual([['bbbb2222', 10]])
    expect(control.callsOf('summary')).toEqual([['bbbb2222']])
  })

  it('answers a press whatever topic it comes from: the data names the session', async () => {
    const { control, router } = setup()
    expect(replyText(await router.press('c:interrupt:bbbb2222', TOPIC))).toBe('Interrupted api [bbbb2222] (Escape).')
    expect(control.actions()).toEqual([{ method: 'interrupt', args: ['bbbb2222'] }])
  })

  it('says so when the pressed session is gone or stopped', async () => {
    const { router } = setup()
    expect(replyText(await router.press('c:kill:deadbeef', {}))).toBe("Can't kill: no session 'deadbeef'")
    expect(replyText(await router.press('c:kill:cccc3333', {}))).toBe("Can't kill: session cccc3333 has stopped")
  })

  it('leaves data that is not its own alone', async () => {
    const { control, router } = setup()
    for (const data of ['p:1:a', 'f:aaaa1111', 'c:name:aaaa1111', 'c:important:aaaa1111', 'c:bogus:aaaa1111', 'c:kill', 'zzz', '']) {
      expect(await router.press(data, {}), data).toBeUndefined()
    }
    expect(control.actions()).toEqual([])
  })

  it('offers no buttons for commands that need text, nor when no session is live', async () => {
    const { control, router } = setup()
    expect((await router.run('important', '', {})).buttons).toBeUndefined()
    for (const s of control.sessions) s.state = 'stopped'
    const reply = await router.run('status', '', {})
    expect(replyText(reply)).toBe('No live sessions. /new starts one.')
    expect(reply.buttons).toBeUndefined()
  })

  it('leaves out sessions whose button data would not fit 64 bytes', async () => {
    const { control, router } = setup()
    control.add({ id: 'x'.repeat(70), name: 'weird' })
    const reply = await router.run('status', '', {})
    expect(reply.buttons?.map((row) => row[0]!.text)).toEqual(['web [aaaa1111]', 'api [bbbb2222]'])
    expect(replyText(reply)).toBe('/status: which session? (1 more not shown: /status <session>)')
  })
})

describe('failures of the control', () => {
  it('become "Can\'t <verb>: <message>" and never escape', async () => {
    const { control, router } = setup()
    control.fail('kill', new SessionsError('multiplexer_failed', 'tmux is gone'))
    control.fail('interrupt', new SessionsError('not_typable', 'session aaaa1111 is external'))
    control.fail('rename', new SessionsError('invalid_name', 'names are 1 to 40 characters'))
    control.fail('summary', new Error('summarizer timed out'))
    control.fail('output', 'a string thrown')
    control.fail('send', new SessionsError('delivery_failed', 'typing failed'))
    control.fail('children', new SessionsError('internal', 'store closed'))
    control.fail('tools', new SessionsError('unavailable', 'audit is off'))
    control.fail('clear', new SessionsError('session_stopped', 'gone'))
    expect(replyText(await router.run('kill', '', TOPIC))).toBe("Can't kill: tmux is gone")
    expect(replyText(await router.run('interrupt', '', TOPIC))).toBe("Can't interrupt: session aaaa1111 is external")
    expect(replyText(await router.run('name', 'x', TOPIC))).toBe("Can't rename: names are 1 to 40 characters")
    expect(replyText(await router.run('summary', '', TOPIC))).toBe("Can't summarize: summarizer timed out")
    expect(replyText(await router.run('output', '', TOPIC))).toBe("Can't show the output: a string thrown")
    expect(replyText(await router.run('force', 'stop', TOPIC))).toBe("Can't send: typing failed")
    expect(replyText(await router.run('status', '', TOPIC))).toBe("Can't show the status: store closed")
    expect(replyText(await router.run('tools', '', TOPIC))).toBe("Can't show the tool calls: audit is off")
    expect(replyText(await router.run('clear', '', TOPIC))).toBe("Can't clear: gone")
    expect(replyText(await router.press('c:kill:aaaa1111', {}))).toBe("Can't kill: tmux is gone")
  })

  it('catches a failing list and resolve too', async () => {
    const { control, router } = setup()
    control.fail('list', new SessionsError('internal', 'store closed'))
    expect(replyText(await router.run('list', '', {}))).toBe("Can't list the sessions: store closed")
    expect(replyText(await router.run('kill', '', {}))).toBe("Can't kill: store closed")
    control.fail('resolve', new SessionsError('internal', 'store closed'))
    expect(replyText(await router.run('message', '', TOPIC))).toBe("Can't show the last message: store closed")
  })
})

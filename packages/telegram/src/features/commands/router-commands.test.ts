import { describe, expect, it } from 'vitest'
import { CHUNK_LIMIT } from '../format.js'
import { aToolEvent, FakeControl, replyProblems, replyText, T0 } from '../../testing/fake-control.js'
import { CommandRouter } from './index.js'

const NOW = T0 + 10 * 60_000
const TOPIC = { sessionId: 'aaaa1111' }

function setup() {
  const control = new FakeControl()
  const web = control.add({ id: 'aaaa1111', name: 'web', state: 'working', workingDir: '/src/web', lastTool: 'Bash', lastActivityAt: NOW - 60_000 })
  const router = new CommandRouter({ control, now: () => NOW, timeZone: 'UTC' })
  return { control, router, web }
}

describe('/status', () => {
  it('shows state, directory, tool, activity, task and children', async () => {
    const { control, router, web } = setup()
    web.currentTask = 'fixing <login> & logout'
    control.add({ id: 'kid00001', name: 'tests', parentId: 'aaaa1111', state: 'waiting_permission' })
    const reply = await router.run('status', '', TOPIC)
    expect(replyText(reply).split('\n')).toEqual([
      'web [aaaa1111]',
      'State: working',
      'Directory: /src/web',
      'Current tool: Bash',
      'Last activity: 1m ago',
      'Task: fixing <login> & logout',
      'Children (1):',
      '  ↳ tests [kid00001] · waiting for permission',
    ])
    expect(reply.messages[0]!.html).toMatch(/^<b>web \[aaaa1111\]<\/b>\n/)
    expect(reply.messages[0]!.html).toContain('fixing &lt;login&gt; &amp; logout')
    expect(replyProblems(reply)).toEqual([])
  })
})

describe('/kill, /interrupt, /clear, /name', () => {
  it('do it and say so', async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('interrupt', '', TOPIC))).toBe('Interrupted web [aaaa1111] (Escape).')
    expect(replyText(await router.run('clear', '', TOPIC))).toBe('Cleared web [aaaa1111].')
    expect(replyText(await router.run('clear', 'now write the tests\nand run them', TOPIC))).toBe('Cleared web [aaaa1111] and sent the prompt.')
    expect(replyText(await router.run('name', 'frontend', TOPIC))).toBe('Renamed aaaa1111 to frontend.')
    expect(replyText(await router.run('kill', '', TOPIC))).toBe('Killed frontend [aaaa1111].')
    expect(control.actions()).toEqual([
      { method: 'interrupt', args: ['aaaa1111'] },
      { method: 'clear', args: ['aaaa1111'] },
      { method: 'clear', args: ['aaaa1111', 'now write the tests\nand run them'] },
      { method: 'rename', args: ['aaaa1111', 'frontend'] },
      { method: 'kill', args: ['aaaa1111'] },
    ])
  })

  it('show the control\'s refusal of a taken name', async () => {
    const { control, router } = setup()
    control.add({ id: 'bbbb2222', name: 'api' })
    expect(replyText(await router.run('name', 'api', TOPIC))).toBe("Can't rename: the name api is taken")
  })
})

describe('/summary and /message', () => {
  it('show the summary under a title, or say there is none', async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('summary', '', TOPIC))).toBe('Nothing to summarize for web [aaaa1111] yet.')
    control.summaries.set('aaaa1111', 'Fixed the <form> & added tests.')
    const reply = await router.run('summary', '', TOPIC)
    expect(replyText(reply)).toBe('Summary of web [aaaa1111]\nFixed the <form> & added tests.')
    expect(reply.messages[0]!.html).toBe('<b>Summary of web [aaaa1111]</b>\nFixed the &lt;form&gt; &amp; added tests.')
  })

  it("show the session's last assistant message, split when long", async () => {
    const { router, web } = setup()
    expect(replyText(await router.run('message', '', TOPIC))).toBe('web [aaaa1111] has no last message yet.')
    web.lastMessage = Array.from({ length: 400 }, (_, i) => `line ${i}: <b>not bold</b> & more text here`).join('\n')
    const reply = await router.run('message', '', TOPIC)
    expect(reply.messages.length).toBeGreaterThan(1)
    expect(replyText(reply).startsWith('Last message of web [aaaa1111]\nline 0')).toBe(true)
    expect(replyProblems(reply)).toEqual([])
  })
})

describe('/output', () => {
  it('shows the terminal tail as an escaped <pre> block, 30 lines by default', async () => {
    const { control, router } = setup()
    control.outputs.set('aaaa1111', '$ ls <dir> && echo "ok"\n  a.txt')
    const reply = await router.run('output', '', TOPIC)
    expect(control.callsOf('output')).toEqual([['aaaa1111', 30]])
    expect(reply.messages).toEqual([
      {
        text: 'Output of web [aaaa1111] (last 30 lines)\n$ ls <dir> && echo "ok"\n  a.txt',
        html: '<b>Output of web [aaaa1111] (last 30 lines)</b>\n<pre>$ ls &lt;dir&gt; &amp;&amp; echo "ok"\n  a.txt</pre>',
      },
    ])
  })

  it('takes N up to 200, in a topic or after the session', async () => {
    const { control, router } = setup()
    control.outputs.set('aaaa1111', 'x')
    await router.run('output', '200', TOPIC)
    await router.run('output', 'web 5', {})
    expect(control.callsOf('output')).toEqual([
      ['aaaa1111', 200],
      ['aaaa1111', 5],
    ])
  })

  it('refuses N out of range or not a number', async () => {
    const { control, router } = setup()
    for (const bad of ['0', '201', 'lots', '-3', '2.5']) {
      expect(replyText(await router.run('output', bad, TOPIC))).toBe('/output takes a number of lines from 1 to 200 (default 30).')
    }
    expect(replyText(await router.run('output', 'web 500', {}))).toBe('/output takes a number of lines from 1 to 200 (default 30).')
    expect(control.callsOf('output')).toEqual([])
  })

  it('splits a long tail into pieces within the limit and says when it is empty', async () => {
    const { control, router } = setup()
    control.outputs.set('aaaa1111', Array.from({ length: 200 }, (_, i) => `${i} ${'<&>'.repeat(20)} ${'x'.repeat(i % 70)}`).join('\n'))
    const reply = await router.run('output', '200', TOPIC)
    expect(reply.messages.length).toBeGreaterThan(1)
    for (const m of reply.messages) expect(m.text.length).toBeLessThanOrEqual(CHUNK_LIMIT)
    expect(replyProblems(reply)).toEqual([])
    control.outputs.set('aaaa1111', '\n  \n')
    expect(replyText(await router.run('output', '', TOPIC))).toBe('The terminal of web [aaaa1111] is empty.')
  })
})

describe('/tools', () => {
  const at = Date.UTC(2023, 10, 14, 22, 5, 0)

  it('lists the last events: time, tool, input, flags, decision, exit code', async () => {
    const { control, router } = setup()
    control.toolEvents.set('aaaa1111', [
      aToolEvent({ id: 1, at, toolName: 'Bash', command: 'rm -rf <build>', destructive: true, decision: 'ask' }),
      aToolEvent({ id: 2, at: at + 4000, event: 'PostToolUse', toolName: 'Bash', command: 'rm -rf <build>', exitCode: 0 }),
      aToolEvent({ id: 3, at: at + 9000, toolName: 'Read', targetFile: '/home/me/.env', sensitive: true, decision: 'deny' }),
    ])
    const reply = await router.run('tools', '', TOPIC)
    expect(control.callsOf('tools')).toEqual([['aaaa1111', 10]])
    expect(replyText(reply).split('\n')).toEqual([
      'Last 3 tool events of web [aaaa1111]',
      '22:05:00 Bash: rm -rf <build> [destructive, asked you]',
      '22:05:04 Bash done: rm -rf <build> [exit 0]',
      '22:05:09 Read: /home/me/.env [sensitive, denied]',
    ])
    expect(replyProblems(reply)).toEqual([])
  })

  it('takes N up to 50 and refuses anything else', async () => {
    const { control, router } = setup()
    control.toolEvents.set('aaaa1111', Array.from({ length: 60 }, (_, i) => aToolEvent({ id: i, at, toolName: `T${i}` })))
    const reply = await router.run('tools', 'web 50', {})
    expect(replyText(reply).split('\n')).toHaveLength(51)
    expect(replyText(reply)).toContain('T59')
    expect(replyText(reply)).not.toContain('T9\n')
    expect(replyText(await router.run('tools', '1', TOPIC)).split('\n')).toEqual(['Last 1 tool event of web [aaaa1111]', '22:05:00 T59'])
    for (const bad of ['0', '51', 'all']) expect(replyText(await router.run('tools', bad, TOPIC))).toBe('/tools takes a number of events from 1 to 50 (default 10).')
  })

  it('says when there are none', async () => {
    const { router } = setup()
    expect(replyText(await router.run('tools', '', TOPIC))).toBe('No tool events for web [aaaa1111] yet.')
  })
})

describe('/important and /force', () => {
  it("send in 'important' and 'urgent' mode and say delivered", async () => {
    const { control, router } = setup()
    expect(replyText(await router.run('important', 'check the <logs>\nplease', TOPIC))).toBe('Delivered.')
    expect(replyText(await router.run('force', 'web stop now', {}))).toBe('Delivered.')
    expect(control.callsOf('send')).toEqual([
      ['aaaa1111', 'check the <logs>\nplease', 'important'],
      ['aaaa1111', 'stop now', 'urgent'],
    ])
  })

  it('say when the text waits for the session', async () => {
    const { control, router } = setup()
    control.sendStatus = 'queued'
    expect(replyText(await router.run('important', 'later', TOPIC))).toBe('Queued: it goes in when web is free.')
    control.add({ id: 'bbbb2222' })
    expect(replyText(await router.run('force', 'bbbb2222 go', {}))).toBe('Queued: it goes in when bbbb2222 is free.')
  })
})

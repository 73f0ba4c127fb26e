import { newSession, SESSION_STATES, type Session } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { CHUNK_LIMIT, type FormattedMessage } from '../format.js'
import { checkHtml } from '../../testing/fake-html.js'
import { renderStatusCard, StatusCards } from './status-card.js'
import { manualTime } from '../../testing/manual-time.js'

const NOW = Date.parse('2024-05-10T12:00:00Z')

function aSession(fields: Partial<Session> = {}): Session {
  return { ...newSession({ id: 'ab12cd34', kind: 'managed', state: 'idle', workingDir: '/home/me/proj', tmuxSession: 'claude-ab12cd34', createdAt: NOW - 3_600_000 }), ...fields }
}

const render = (session: Session, children: Session[] = [], timeZone = 'UTC') => renderStatusCard({ session, children, now: NOW, timeZone })

describe('renderStatusCard', () => {
  it('shows name, id and state in a bold first line, then the last activity', () => {
    const card = render(aSession({ name: 'api', lastActivityAt: NOW - 12_000 }))
    expect(card.text).toBe('api [ab12cd34] · 💤 idle\nLast activity: 11:59')
    expect(card.html).toBe('<b>api [ab12cd34] · 💤 idle</b>\nLast activity: 11:59')
  })

  it('has a word for every state', () => {
    const words: Record<string, string> = {
      starting: 'starting',
      idle: 'idle',
      working: 'working',
      waiting_permission: 'waiting for permission',
      waiting_answer: 'waiting for an answer',
      error: 'last turn failed',
      stopped: 'stopped',
    }
    const titles = SESSION_STATES.map((state) => render(aSession({ state })).text.split('\n')[0]!)
    SESSION_STATES.forEach((state, i) => expect(titles[i]).toMatch(new RegExp(`^proj \\[ab12cd34\\] · \\S+ ${words[state]}$`)))
    expect(new Set(titles).size).toBe(SESSION_STATES.length)
  })

  it('shows the current tool while working only', () => {
    expect(render(aSession({ state: 'working', lastTool: 'Bash' })).text).toContain('\nTool: Bash\n')
    for (const state of ['idle', 'waiting_permission', 'error'] as const) expect(render(aSession({ state, lastTool: 'Bash' })).text).not.toContain('Tool:')
  })

  it('shows the current task on one line, shortened, and background tasks', () => {
    const card = render(aSession({ state: 'working', currentTask: `fix the\nlogin ${'x'.repeat(400)}`, backgroundTasks: 2 }))
    const task = card.text.split('\n').find((l) => l.startsWith('Task: '))!
    expect(task.startsWith('Task: fix the login xxx')).toBe(true)
    expect(task.length).toBeLessThanOrEqual('Task: '.length + 200)
    expect(task.endsWith('…')).toBe(true)
    expect(card.text).toContain('\nBackground tasks: 2\n')
    expect(render(aSession({ currentTask: '  ' })).text).not.toContain('Task:')
  })

  it('shows when a stopped session stopped', () => {
    const card = render(aSession({ state: 'stopped', stoppedAt: NOW - 5 * 60_000, backgroundTasks: 1 }))
    expect(card.text).toBe('proj [ab12cd34] · ⏹ stopped\nStopped: 11:55')
  })

  it('shows clock times in the given time zone', () => {
    expect(render(aSession(), [], 'Europe/Berlin').text).toContain('Last activity: 13:00')
    expect(render(aSession(), [], 'Asia/Kolkata').text).toContain('Last activity: 16:30')
  })

  it('says how long ago for a time more than a day back', () => {
    expect(render(aSession({ lastActivityAt: NOW - 50 * 3_600_000 })).text).toMatch(/Last activity: \d\d:\d\d \(2d 2h ago\)$/)
  })

  it('lists at most 10 children with their state, then how many more', () => {
    const children = Array.from({ length: 13 }, (_, i) => aSession({ id: `c${i}`, name: `child ${i}`, state: i % 2 === 0 ? 'working' : 'idle' }))
    const lines = render(aSession(), children).text.split('\n')
    const at = lines.indexOf('Children (13):')
    expect(at).toBeGreaterThan(0)
    expect(lines.slice(at + 1)).toEqual([...children.slice(0, 10).map((c, i) => `• child ${i} [c${i}] · ${i % 2 === 0 ? '⚙️ working' : '💤 idle'}`), '+3 more'])
    expect(render(aSession(), children.slice(0, 10)).text).not.toContain('more')
  })

  it('escapes HTML everywhere', () => {
    const card = render(
      aSession({ name: '<b>x</b> & co', state: 'working', lastTool: 'mcp__<t>', currentTask: 'a < b && c > d' }),
      [aSession({ id: 'k1', name: '</b><i>' })],
    )
    expect(checkHtml(card.html)).toEqual({ text: card.text })
    expect(card.html.startsWith('<b>&lt;b&gt;x&lt;/b&gt; &amp; co [ab12cd34]')).toBe(true)
  })

  it('is the same for the same input, and fits one message', () => {
    const children = Array.from({ length: 30 }, (_, i) => aSession({ id: `c${i}`, name: 'n'.repeat(300) }))
    const session = aSession({ name: 'n'.repeat(500), currentTask: 't'.repeat(5000), state: 'working', lastTool: 'T'.repeat(500) })
    const a = render(session, children)
    expect(render(session, children)).toEqual(a)
    expect(a.text.length).toBeLessThanOrEqual(CHUNK_LIMIT)
  })
})

function setup(minIntervalMs?: number) {
  const time = manualTime(NOW)
  const calls: string[] = []
  const state = new Map<string, string>([['s1', 'v1']])
  const card = (id: string): FormattedMessage | undefined => {
    const v = state.get(id)
    return v === undefined ? undefined : { text: `${id} ${v}`, html: `<b>${id}</b> ${v}` }
  }
  const errors: unknown[] = []
  let failEdit = false
  const cards = new StatusCards({
    clock: time.clock,
    timer: time.timer,
    minIntervalMs: minIntervalMs ?? 3000,
    send: (id, c) => void calls.push(`send ${c.text}`),
    edit: (id, c) => {
      if (failEdit) throw new Error('edit failed')
      calls.push(`edit ${c.text}`)
    },
    render: card,
    onError: (e) => errors.push(e),
  })
  return { time, calls, state, cards, errors, failEdits: () => void (failEdit = true), editsWork: () => void (failEdit = false) }
}

describe('StatusCards', () => {
  it('sends the first card, then skips identical renders', () => {
    const { cards, calls, time } = setup()
    cards.update('s1')
    time.advance(10_000)
    cards.update('s1')
    cards.update('s1')
    expect(calls).toEqual(['send s1 v1'])
    expect(time.live()).toEqual([])
  })

  it('edits at once when the last edit is older than the interval', () => {
    const { cards, calls, state, time } = setup()
    cards.update('s1')
    time.advance(3000)
    state.set('s1', 'v2')
    cards.update('s1')
    expect(calls).toEqual(['send s1 v1', 'edit s1 v2'])
  })

  it('within the interval, makes one trailing edit with the latest render at its end', () => {
    const { cards, calls, state, time } = setup()
    cards.update('s1')
    time.advance(1000)
    for (const v of ['v2', 'v3', 'v4']) {
      state.set('s1', v)
      cards.update('s1')
      time.advance(200)
    }
    expect(calls).toEqual(['send s1 v1'])
    expect(time.live().map((t) => t.ms)).toEqual([2000])
    state.set('s1', 'v5')
    time.advance(1399)
    expect(calls).toEqual(['send s1 v1'])
    time.advance(1)
    expect(calls).toEqual(['send s1 v1', 'edit s1 v5'])
    // the trailing edit starts a new interval
    state.set('s1', 'v6')
    cards.update('s1')
    expect(time.live().map((t) => t.ms)).toEqual([3000])
    time.advance(3000)
    expect(calls.at(-1)).toBe('edit s1 v6')
  })

  it('makes no trailing edit when the card is back to what was sent', () => {
    const { cards, calls, state, time } = setup()
    cards.update('s1')
    state.set('s1', 'v2')
    cards.update('s1')
    state.set('s1', 'v1')
    time.advance(5000)
    expect(calls).toEqual(['send s1 v1'])
  })

  it('keeps sessions apart, with a custom interval', () => {
    const { cards, calls, state, time } = setup(500)
    state.set('s2', 'a')
    cards.update('s1')
    cards.update('s2')
    state.set('s1', 'v2')
    state.set('s2', 'b')
    cards.update('s1')
    time.advance(100)
    cards.update('s2')
    time.advance(1000)
    expect(calls).toEqual(['send s1 v1', 'send s2 a', 'edit s1 v2', 'edit s2 b'])
  })

  it('does nothing for a session that is gone, and drops its pending edit', () => {
    const { cards, calls, state, time } = setup()
    cards.update('nope')
    cards.update('s1')
    state.set('s1', 'v2')
    cards.update('s1')
    state.delete('s1')
    time.advance(5000)
    expect(calls).toEqual(['send s1 v1'])
  })

  it('restore: the next update edits the existing card (at once), unless it says the same', () => {
    const a = setup()
    a.cards.restore('s1', '')
    a.cards.update('s1')
    expect(a.calls).toEqual(['edit s1 v1'])
    const b = setup()
    b.cards.restore('s1', 's1 v1')
    b.cards.update('s1')
    expect(b.calls).toEqual([])
  })

  it('forget makes a pending edit now (the final state), then nothing more', () => {
    const { cards, calls, state, time } = setup()
    cards.update('s1')
    state.set('s1', 'stopped')
    cards.update('s1')
    cards.forget('s1')
    expect(calls).toEqual(['send s1 v1', 'edit s1 stopped'])
    expect(time.live()).toEqual([])
    time.advance(10_000)
    expect(calls).toHaveLength(2)
  })

  it('stop cancels pending edits and ignores later updates', () => {
    const { cards, calls, state, time } = setup()
    cards.update('s1')
    state.set('s1', 'v2')
    cards.update('s1')
    cards.stop()
    expect(time.live()).toEqual([])
    cards.update('s1')
    time.advance(10_000)
    expect(calls).toEqual(['send s1 v1'])
  })

  it('a trailing edit that fails goes to onError, and a later update tries again', () => {
    const { cards, calls, state, time, errors, failEdits, editsWork } = setup()
    cards.update('s1')
    state.set('s1', 'v2')
    cards.update('s1')
    failEdits()
    time.advance(3000)
    expect(errors).toHaveLength(1)
    expect(calls).toEqual(['send s1 v1'])
    editsWork()
    cards.update('s1')
    expect(calls).toEqual(['send s1 v1', 'edit s1 v2'])
  })

  it('a failing send is retried by the next update', () => {
    const time = manualTime(NOW)
    let fail = true
    const sent: string[] = []
    const cards = new StatusCards({
      clock: time.clock,
      timer: time.timer,
      send: (id) => {
        if (fail) throw new Error('no topic yet')
        sent.push(id)
      },
      edit: () => {},
      render: (id) => ({ text: id, html: id }),
    })
    expect(() => cards.update('s1')).toThrow('no topic yet')
    fail = false
    cards.update('s1')
    expect(sent).toEqual(['s1'])
  })
})

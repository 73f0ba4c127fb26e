import { inMemoryTelegramStores } from '@claude-sessions/core/telegram/testing'
import { describe, expect, it } from 'vitest'
import { CHUNK_LIMIT, formatPlain, formatTitled, type FormattedMessage } from '../format.js'
import { checkHtml } from '../../testing/fake-html.js'
import { NOTIFICATION_KINDS, type NotificationKind } from '@claude-sessions/core'
import { Notifier, type Notification, type NotifierConfig, type NotifierDeps, type QuietHours } from './notifier.js'
import { manualTime } from '../../testing/manual-time.js'

const at = (iso: string) => Date.parse(iso)
const allOn = () => Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as NotifierConfig['enabled']
const NIGHT: QuietHours = { start: '22:00', end: '07:00', timeZone: 'UTC', urgent: ['permission', 'question'] }

const session = (id = 's1') => ({ id, name: `name-${id}`, workingDir: `/work/${id}` })
let seq = 0
function note(kind: NotificationKind, text = `${kind} ${++seq}`, id = 's1'): Notification {
  return { session: session(id), kind, messages: formatTitled(kind, text), summary: text }
}

function setup(config: Partial<NotifierConfig> = {}, start = at('2024-05-10T12:00:00Z')) {
  const time = manualTime(start)
  const posted: Notification[] = []
  const digests: { session: Notification['session']; messages: FormattedMessage[] }[] = []
  const order: string[] = []
  const errors: unknown[] = []
  const notifier = new Notifier({
    config: { enabled: allOn(), quietHours: null, ...config },
    clock: time.clock,
    timer: time.timer,
    post: (n) => {
      posted.push(n)
      order.push(`post ${n.summary}`)
    },
    postDigest: (s, messages) => {
      digests.push({ session: s, messages })
      order.push(`digest ${s.id}`)
    },
    onError: (e) => errors.push(e),
  })
  return { time, notifier, posted, digests, order, errors }
}

/** A notifier in quiet hours (23:00 in NIGHT) on a clock that stands still, its timer never firing; `deps` replace parts. */
const atNight = (deps: Partial<NotifierDeps>) =>
  new Notifier({
    config: { enabled: allOn(), quietHours: NIGHT },
    clock: { now: () => at('2024-05-10T23:00:00Z') },
    timer: () => ({ cancel() {} }),
    post: () => {},
    postDigest: () => {},
    ...deps,
  })

const digestText = (messages: FormattedMessage[]) => messages.map((m) => m.text).join('\n')

describe('Notifier: filters', () => {
  it('posts every enabled kind at once, as given (key and buttons too)', () => {
    const { notifier, posted } = setup()
    const n = { ...note('permission'), key: 'perm:1', buttons: [[{ text: 'Allow', data: 'a:1' }]] }
    expect(notifier.notify(n)).toBe('sent')
    expect(posted).toEqual([n])
  })

  it('drops disabled kinds', () => {
    const { notifier, posted } = setup({ enabled: { ...allOn(), turn_ended: false, typed_prompt: false } })
    expect(notifier.notify(note('turn_ended'))).toBe('filtered')
    expect(notifier.notify(note('typed_prompt'))).toBe('filtered')
    expect(notifier.notify(note('error'))).toBe('sent')
    expect(posted.map((n) => n.kind)).toEqual(['error'])
  })

  it('drops disabled kinds in quiet hours too, urgent or not', () => {
    const { notifier, posted } = setup({ enabled: { ...allOn(), permission: false, error: false }, quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    expect(notifier.notify(note('permission'))).toBe('filtered')
    expect(notifier.notify(note('error'))).toBe('filtered')
    expect(posted).toEqual([])
    expect(notifier.held().size).toBe(0)
  })
})

describe('Notifier: quiet hours', () => {
  it('holds non-urgent kinds over midnight and sends the urgent ones', () => {
    const { notifier, posted } = setup({ quietHours: NIGHT }, at('2024-05-10T23:30:00Z'))
    expect(notifier.notify(note('turn_ended', 'done'))).toBe('held')
    expect(notifier.notify(note('permission', 'may I'))).toBe('sent')
    expect(notifier.notify(note('question', 'which one'))).toBe('sent')
    expect(notifier.notify(note('error', 'boom', 's2'))).toBe('held')
    expect(posted.map((n) => n.summary)).toEqual(['may I', 'which one'])
    expect([...notifier.held()].map(([id, ns]) => [id, ns.map((n) => n.summary)])).toEqual([
      ['s1', ['done']],
      ['s2', ['boom']],
    ])
  })

  it('uses the configured urgent kinds', () => {
    const { notifier, posted } = setup({ quietHours: { ...NIGHT, urgent: ['error'] } }, at('2024-05-11T03:00:00Z'))
    expect(notifier.notify(note('permission'))).toBe('held')
    expect(notifier.notify(note('error'))).toBe('sent')
    expect(posted.map((n) => n.kind)).toEqual(['error'])
  })

  it('sends outside quiet hours', () => {
    const { notifier } = setup({ quietHours: NIGHT }, at('2024-05-11T07:00:00Z'))
    expect(notifier.notify(note('turn_ended'))).toBe('sent')
  })

  it("follows the configured time zone's wall clock", () => {
    // 21:30 UTC in January is 22:30 in Berlin
    const berlin = setup({ quietHours: { ...NIGHT, timeZone: 'Europe/Berlin' } }, at('2024-01-15T21:30:00Z'))
    const utc = setup({ quietHours: NIGHT }, at('2024-01-15T21:30:00Z'))
    expect(berlin.notifier.notify(note('turn_ended'))).toBe('held')
    expect(utc.notifier.notify(note('turn_ended'))).toBe('sent')
    // the end is 07:00 Berlin = 06:00 UTC
    expect(berlin.time.live().map((t) => t.ms)).toEqual([8.5 * 3_600_000])
    berlin.time.advanceTo(at('2024-01-16T05:59:59Z'))
    expect(berlin.digests).toEqual([])
    berlin.time.advanceTo(at('2024-01-16T06:00:00Z'))
    expect(berlin.digests.map((d) => d.session.id)).toEqual(['s1'])
  })

  it('arms one timer for the end, then posts one digest per session and holds nothing', () => {
    const { notifier, time, digests, posted } = setup({ quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    notifier.notify(note('turn_ended', 'a'))
    time.advanceTo(at('2024-05-11T01:00:00Z'))
    notifier.notify(note('error', 'b', 's2'))
    notifier.notify(note('flagged', 'c'))
    expect(time.all().map((t) => t.ms)).toEqual([8 * 3_600_000])
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(digests.map((d) => d.session.id)).toEqual(['s1', 's2'])
    expect(posted).toEqual([])
    expect(notifier.held().size).toBe(0)
    expect(time.live()).toEqual([])
    // the next night arms a new timer
    time.advanceTo(at('2024-05-11T22:30:00Z'))
    expect(notifier.notify(note('child_done'))).toBe('held')
    expect(time.live().map((t) => t.ms)).toEqual([8.5 * 3_600_000])
  })

  it('arms again when its timer fires before the end', () => {
    const { notifier, time, digests } = setup({ quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    notifier.notify(note('turn_ended'))
    const [first] = time.live()
    time.set(at('2024-05-11T06:00:00Z')) // the timer fires an hour early (clock adjusted)
    first!.live = false
    first!.work()
    expect(digests).toEqual([])
    expect(time.live().map((t) => t.ms)).toEqual([3_600_000])
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(digests).toHaveLength(1)
  })

  it('posts the digest before a notification that comes after the end but before the timer', () => {
    const { notifier, time, order } = setup({ quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    notifier.notify(note('turn_ended', 'night'))
    time.set(at('2024-05-11T07:00:05Z'))
    expect(notifier.notify(note('turn_ended', 'morning'))).toBe('sent')
    expect(order).toEqual(['digest s1', 'post morning'])
    expect(time.live()).toEqual([])
  })

  it('flush posts what is held now; stop cancels the timer and keeps what is held', () => {
    const a = setup({ quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    a.notifier.notify(note('turn_ended'))
    a.notifier.flush()
    expect(a.digests).toHaveLength(1)
    expect(a.time.live()).toEqual([])

    const b = setup({ quietHours: NIGHT }, at('2024-05-10T23:00:00Z'))
    b.notifier.notify(note('turn_ended'))
    b.notifier.stop()
    expect(b.time.live()).toEqual([])
    expect(b.notifier.held().get('s1')).toHaveLength(1)
    b.notifier.notify(note('turn_ended'))
    expect(b.time.live()).toEqual([])
    b.time.advanceTo(at('2024-05-11T08:00:00Z'))
    expect(b.digests).toEqual([])
  })
})

describe('Notifier: errors', () => {
  it('never throws: a failing post goes to onError and counts as sent', () => {
    const failure = new Error('outbox full')
    const errors: unknown[] = []
    const notifier = new Notifier({
      config: { enabled: allOn(), quietHours: null },
      clock: { now: () => 0 },
      timer: () => ({ cancel() {} }),
      post: () => {
        throw failure
      },
      postDigest: () => {},
      onError: (e) => errors.push(e),
    })
    expect(notifier.notify(note('error'))).toBe('sent')
    expect(errors).toEqual([failure])
  })

  it('a failing digest does not stop the others', () => {
    const posted: string[] = []
    const errors: unknown[] = []
    const notifier = atNight({
      postDigest: (s) => {
        if (s.id === 's1') throw new Error('nope')
        posted.push(s.id)
      },
      onError: () => {
        errors.push('s1')
        throw new Error('handler fails too')
      },
    })
    notifier.notify(note('error', 'x', 's1'))
    notifier.notify(note('error', 'y', 's2'))
    expect(() => notifier.flush()).not.toThrow()
    expect(posted).toEqual(['s2'])
    expect(errors).toEqual(['s1'])
  })
})

describe('Notifier: digest', () => {
  const night = (quietHours: QuietHours = NIGHT) => setup({ quietHours }, at('2024-05-10T22:05:00Z'))

  it('lists each held notification with its local time, then the last response in full', () => {
    const { notifier, time, digests } = night({ ...NIGHT, timeZone: 'Europe/Berlin' })
    // 22:05 UTC = 00:05 in Berlin (CEST): quiet
    notifier.notify({ session: session(), kind: 'turn_ended', messages: formatPlain('first answer'), summary: 'Response: first answer' })
    time.advanceTo(at('2024-05-10T23:10:00Z'))
    notifier.notify(note('error', 'Error: tool failed'))
    time.advanceTo(at('2024-05-11T01:45:00Z'))
    const last = formatPlain('the latest answer <with> & more')
    notifier.notify({ session: session(), kind: 'turn_ended', messages: last, summary: 'Response: the latest answer' })
    time.advanceTo(at('2024-05-11T05:00:00Z'))
    expect(digests).toHaveLength(1)
    const [d] = digests
    expect(d!.session).toEqual(session())
    expect(d!.messages).toHaveLength(2)
    expect(d!.messages[0]!.text).toBe(
      [
        'While you were away (22:00–07:00)',
        '00:05 Response: first answer',
        '01:10 Error: tool failed',
        '03:45 Response: the latest answer',
        '',
        'Latest response (03:45):',
      ].join('\n'),
    )
    expect(d!.messages[0]!.html.startsWith('<b>While you were away (22:00–07:00)</b>\n')).toBe(true)
    expect(checkHtml(d!.messages[0]!.html)).toEqual({ text: d!.messages[0]!.text })
    expect(d!.messages[1]).toEqual(last[0])
  })

  it('has no response part without a held turn_ended', () => {
    const { notifier, time, digests } = night()
    notifier.notify(note('child_done', 'Child done: abc'))
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(digests[0]!.messages.map((m) => m.text)).toEqual(['While you were away (22:00–07:00)\n22:05 Child done: abc'])
  })

  it('keeps summaries on one line', () => {
    const { notifier, time, digests } = night()
    notifier.notify({ ...note('flagged'), summary: 'Flagged:\n  rm -rf /tmp/x\n' })
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(digests[0]!.messages[0]!.text).toBe('While you were away (22:00–07:00)\n22:05 Flagged: rm -rf /tmp/x')
  })

  it('collapses the oldest lines beyond 50', () => {
    const { notifier, time, digests } = night()
    for (let i = 1; i <= 60; i++) {
      notifier.notify(note('error', `event ${i}`))
      time.advanceTo(time.clock.now() + 60_000)
    }
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    const lines = digestText(digests[0]!.messages).split('\n')
    expect(lines[0]).toBe('While you were away (22:00–07:00)')
    expect(lines[1]).toBe('… and 10 earlier')
    expect(lines.slice(2)).toHaveLength(50)
    expect(lines[2]).toBe('22:15 event 11')
    expect(lines.at(-1)).toBe('23:04 event 60')
  })

  it('splits a long digest, every piece within the chunk limit, the title on the first only', () => {
    const { notifier, time, digests } = night()
    for (let i = 1; i <= 49; i++) notifier.notify({ ...note('error'), summary: `event ${i} ${'x'.repeat(290)}` })
    const long = 'word '.repeat(3000) // 15000 characters
    notifier.notify({ session: session(), kind: 'turn_ended', messages: [{ text: long, html: long }], summary: 'Response: long' })
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    const messages = digests[0]!.messages
    expect(messages.length).toBeGreaterThan(6)
    for (const m of messages) {
      expect(m.text.length).toBeLessThanOrEqual(CHUNK_LIMIT)
      expect(checkHtml(m.html)).toEqual({ text: m.text })
    }
    expect(messages.filter((m) => m.html.includes('<b>'))).toEqual([messages[0]])
    const text = digestText(messages)
    expect(text).toContain('event 1 x')
    expect(text).toContain('event 49 x')
    expect(text.match(/Latest response \(22:05\):/g)).toHaveLength(1)
    // the response, re-split to fit: all its words are there
    expect(text.slice(text.indexOf('Latest response')).match(/word/g)).toHaveLength(3000)
  })
})

describe('Notifier: held notifications in a store', () => {
  type Store = ReturnType<typeof inMemoryTelegramStores>['held']
  function withStore(store: Store, start: number, quietHours: QuietHours | null = NIGHT) {
    const time = manualTime(start)
    const posted: Notification[] = []
    const digests: { session: Notification['session']; messages: FormattedMessage[] }[] = []
    const errors: unknown[] = []
    const notifier = new Notifier({
      config: { enabled: allOn(), quietHours },
      clock: time.clock,
      timer: time.timer,
      post: (n) => posted.push(n),
      postDigest: (s, messages) => digests.push({ session: s, messages }),
      onError: (e) => errors.push(e),
      store,
    })
    return { time, notifier, posted, digests, errors }
  }

  it('stores each held notification, and only those (no buttons or key)', () => {
    const store = inMemoryTelegramStores().held
    const { notifier } = withStore(store, at('2024-05-10T23:00:00Z'))
    notifier.notify({ ...note('turn_ended', 'an answer'), key: 'k', buttons: [[{ text: 'x', data: 'y' }]] })
    notifier.notify(note('permission', 'urgent: sent'))
    notifier.notify(note('error', 'boom', 's2'))
    expect(store.list()).toEqual([
      {
        id: expect.any(Number),
        sessionId: 's1',
        session: session('s1'),
        kind: 'turn_ended',
        summary: 'an answer',
        messages: formatTitled('turn_ended', 'an answer'),
        createdAt: at('2024-05-10T23:00:00Z'),
      },
      expect.objectContaining({ sessionId: 's2', kind: 'error', summary: 'boom', session: session('s2') }),
    ])
  })

  it("removes a session's stored notifications once its digest is posted", () => {
    const store = inMemoryTelegramStores().held
    const { notifier, time, digests } = withStore(store, at('2024-05-10T23:00:00Z'))
    notifier.notify(note('turn_ended', 'a'))
    notifier.notify(note('error', 'b', 's2'))
    expect(store.list()).toHaveLength(2)
    time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(digests.map((d) => d.session.id)).toEqual(['s1', 's2'])
    expect(store.list()).toEqual([])
  })

  it('keeps the stored notifications of a digest that failed', () => {
    const store = inMemoryTelegramStores().held
    const errors: unknown[] = []
    const notifier = atNight({
      postDigest: (s) => {
        if (s.id === 's1') throw new Error('outbox full')
      },
      onError: (e) => errors.push(e),
      store,
    })
    notifier.notify(note('error', 'x', 's1'))
    notifier.notify(note('error', 'y', 's2'))
    notifier.flush()
    expect(errors).toHaveLength(1)
    expect(store.list().map((n) => n.summary)).toEqual(['x'])
  })

  it('a store that fails goes to onError: the notification is held in memory all the same', () => {
    const failure = new Error('disk full')
    const fail = (): never => {
      throw failure
    }
    const broken = { add: fail, list: () => [], removeSession: fail }
    const errors: unknown[] = []
    const digests: string[] = []
    const notifier = atNight({
      postDigest: (s) => digests.push(s.id),
      onError: (e) => errors.push(e),
      store: broken,
    })
    expect(notifier.notify(note('error', 'x'))).toBe('held')
    expect(notifier.held().get('s1')?.map((n) => n.summary)).toEqual(['x'])
    notifier.flush()
    expect(digests).toEqual(['s1'])
    expect(errors).toEqual([failure, failure])
  })

  it('after a restart, a new notifier on the same store posts the earlier ones in the digest at the end', () => {
    const store = inMemoryTelegramStores().held
    const first = withStore(store, at('2024-05-10T23:00:00Z'))
    first.notifier.notify(note('turn_ended', 'first answer'))
    first.time.advanceTo(at('2024-05-11T01:00:00Z'))
    first.notifier.notify(note('error', 'boom', 's2'))
    first.time.advanceTo(at('2024-05-11T02:00:00Z'))
    first.notifier.notify({ session: session(), kind: 'turn_ended', messages: formatPlain('the latest answer'), summary: 'Response: the latest answer' })
    first.notifier.stop()

    const second = withStore(store, at('2024-05-11T03:00:00Z'))
    second.notifier.restore()
    expect([...second.notifier.held()].map(([id, ns]) => [id, ns.map((n) => n.summary)])).toEqual([
      ['s1', ['first answer', 'Response: the latest answer']],
      ['s2', ['boom']],
    ])
    expect(second.time.live().map((t) => t.ms)).toEqual([4 * 3_600_000])
    second.notifier.notify(note('flagged', 'after the restart'))
    second.time.advanceTo(at('2024-05-11T06:59:59Z'))
    expect(second.digests).toEqual([])
    second.time.advanceTo(at('2024-05-11T07:00:00Z'))
    expect(second.digests.map((d) => d.session.id)).toEqual(['s1', 's2'])
    expect(second.digests[0]!.messages.map((m) => m.text)).toEqual([
      [
        'While you were away (22:00–07:00)',
        '23:00 first answer',
        '02:00 Response: the latest answer',
        '03:00 after the restart',
        '',
        'Latest response (02:00):',
      ].join('\n'),
      'the latest answer',
    ])
    expect(digestText(second.digests[1]!.messages)).toBe('While you were away (22:00–07:00)\n01:00 boom')
    expect(second.posted).toEqual([])
    expect(store.list()).toEqual([])
    expect(second.errors).toEqual([])
  })

  it('restoring after the end of quiet hours posts the digests at once', () => {
    const store = inMemoryTelegramStores().held
    const first = withStore(store, at('2024-05-10T23:00:00Z'))
    first.notifier.notify(note('error', 'a'))
    first.notifier.notify(note('error', 'b', 's2'))
    first.notifier.stop()

    const second = withStore(store, at('2024-05-11T09:30:00Z'))
    second.notifier.restore()
    expect(second.digests.map((d) => [d.session.id, digestText(d.messages)])).toEqual([
      ['s1', 'While you were away (22:00–07:00)\n23:00 a'],
      ['s2', 'While you were away (22:00–07:00)\n23:00 b'],
    ])
    expect(second.time.live()).toEqual([])
    expect(second.notifier.held().size).toBe(0)
    expect(store.list()).toEqual([])
  })

  it('restores once: what is held already is not loaded again, and an empty store arms nothing', () => {
    const store = inMemoryTelegramStores().held
    const empty = withStore(store, at('2024-05-10T23:00:00Z'))
    empty.notifier.restore()
    expect(empty.time.all()).toEqual([])

    empty.notifier.notify(note('error', 'a'))
    empty.notifier.restore()
    empty.notifier.restore()
    expect(empty.notifier.held().get('s1')?.map((n) => n.summary)).toEqual(['a'])
    expect(empty.time.live()).toHaveLength(1)
  })

  it('with quiet hours switched off since, restored notifications are posted as they are', () => {
    const store = inMemoryTelegramStores().held
    const first = withStore(store, at('2024-05-10T23:00:00Z'))
    first.notifier.notify(note('error', 'a'))
    first.notifier.notify(note('turn_ended', 'b'))
    first.notifier.stop()

    const second = withStore(store, at('2024-05-10T23:30:00Z'), null)
    second.notifier.restore()
    expect(second.posted.map((n) => n.summary)).toEqual(['a', 'b'])
    expect(second.posted[1]!.messages).toEqual(formatTitled('turn_ended', 'b'))
    expect(second.digests).toEqual([])
    expect(store.list()).toEqual([])
  })
})

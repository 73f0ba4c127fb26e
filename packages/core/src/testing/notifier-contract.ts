import { describe, expect, it } from 'vitest'
import { NOTIFICATION_KINDS, type Notification, type Notifier } from '../notify/notification.js'
import type { Session } from '../session/session.js'

/** A notifier under test, and how to read what reached its far side (as text, in order). */
export interface NotifierUnderTest {
  notifier: Notifier
  /** Sessions the notifier knows (e.g. created in the service it posts for), to notify about. */
  session: Session
  stoppedSession: Session
  /** Resolves with the texts that arrived (waiting as needed), at least `count` of them. */
  arrived(count: number): Promise<string[]>
  close(): Promise<void> | void
}

/**
 * What every Notifier does: takes each kind of notification and passes it on in order, with its
 * title and body; returns at once (it queues) and never throws, whatever it is handed.
 */
export function notifierContract(name: string, make: () => Promise<NotifierUnderTest> | NotifierUnderTest): void {
  describe(`Notifier contract: ${name}`, () => {
    it('every kind arrives, in order, with its title and body', async () => {
      const t = await make()
      try {
        for (const kind of NOTIFICATION_KINDS) t.notifier.notify({ kind, session: t.session, title: `title of ${kind}`, body: `body of ${kind}` })
        const arrived = await t.arrived(NOTIFICATION_KINDS.length)
        const order = NOTIFICATION_KINDS.map((kind) => arrived.findIndex((text) => text.includes(`body of ${kind}`)))
        expect(order.every((i) => i >= 0), `arrived: ${JSON.stringify(arrived)}`).toBe(true)
        expect(order).toEqual([...order].sort((a, b) => a - b))
        for (const kind of NOTIFICATION_KINDS.filter((k) => k !== 'turn_ended')) {
          expect(arrived.some((text) => text.includes(`title of ${kind}`)), kind).toBe(true)
        }
      } finally {
        await t.close()
      }
    })

    it('returns at once and never throws: empty, huge or odd bodies, a stopped session', async () => {
      const t = await make()
      try {
        const odd: Notification[] = [
          { kind: 'flagged', session: t.session, title: '', body: '' },
          { kind: 'typed_prompt', session: t.session, title: 'Typed', body: 'x'.repeat(100_000) },
          { kind: 'question', session: t.session, title: 'Question', body: '<b>&\u0000\u202e' },
          { kind: 'error', session: t.stoppedSession, title: 'Error', body: 'late' },
        ]
        for (const n of odd) expect(t.notifier.notify(n)).toBeUndefined()
      } finally {
        await t.close()
      }
    })
  })
}

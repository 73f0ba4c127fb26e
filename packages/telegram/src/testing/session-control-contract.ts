import { MESSAGE_MAX_CHARS, SessionsError, type ErrorCode, type Session } from '@claude-sessions/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { Project, SessionControl } from '../control.js'

/** A SessionControl under test, with what the contract needs to arrange sessions it can't make itself. */
export interface SessionControlUnderTest {
  control: SessionControl
  /** The projects it was configured with. */
  projects: readonly Project[]
  /** A directory `create` may start sessions in, and a path that is not a directory. */
  dir: string
  notADirectory: string
  /** A live managed session started as a child of `parentId` (as `sm spawn` does). */
  child(parentId: string): Promise<Session>
  /** A live session sm did not start (known from its hooks only). */
  external(): Promise<Session>
  /** Puts `text` on the terminal screen of session `id`. */
  show(id: string, text: string): void
  /** Makes the summarizer answer `text` about session `id`. */
  summarizes(id: string, text: string): void
  /** Records tool calls of session `id`, oldest first, one per tool name. */
  toolCalls(id: string, tools: readonly string[]): void
  close?(): Promise<void> | void
}

const UNKNOWN = 'deadbeef'

async function expectCode(promise: Promise<unknown> | (() => unknown), code: ErrorCode, what = ''): Promise<void> {
  const error = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(
    () => null,
    (e: unknown) => e,
  )
  expect(SessionsError.is(error, code), `${what} expected ${code}, got ${error instanceof Error ? `${(error as SessionsError).code ?? error.name}: ${error.message}` : String(error)}`).toBe(true)
}

const ids = (sessions: readonly Session[]): string[] => sessions.map((s) => s.id)

/** The shortest prefix of `a` that `b` does not share. */
function uniquePrefix(a: string, b: string): string {
  let i = 0
  while (a[i] === b[i]) i++
  return a.slice(0, i + 1)
}

/**
 * What the bot may count on from every SessionControl, as the server's does it: sessions it
 * creates are managed, live ones listed oldest first; each method throws a SessionsError with
 * the server's code for an unknown session (`session_not_found`), a stopped one
 * (`session_stopped`), one sm did not start (`not_typable`), a bad name (`invalid_name`) or a
 * name a live session holds (`name_taken`), and bad input (`invalid_input`, `payload_too_large`).
 */
export function sessionControlContract(label: string, make: () => SessionControlUnderTest | Promise<SessionControlUnderTest>): void {
  describe(`${label} (session control contract)`, () => {
    const made: SessionControlUnderTest[] = []
    afterEach(async () => {
      for (const t of made.splice(0)) await t.close?.()
    })
    const setUp = async (): Promise<SessionControlUnderTest> => {
      const t = await make()
      made.push(t)
      return t
    }

    describe('sessions', () => {
      it('create starts a live managed session in the directory, named or not; list has live ones, oldest first', async () => {
        const t = await setUp()
        const { control } = t
        expect(control.list()).toEqual([])
        const web = await control.create({ workingDir: t.dir, name: 'web' })
        expect(web).toMatchObject({ kind: 'managed', workingDir: t.dir, name: 'web', stoppedAt: null })
        expect(web.state).not.toBe('stopped')
        const plain = await control.create({ workingDir: t.dir, prompt: 'fix the tests' })
        expect(plain.name).toBeNull()
        expect(plain.id).not.toBe(web.id)
        expect(ids(control.list())).toEqual([web.id, plain.id])
        expect(ids(control.list({ includeStopped: true }))).toEqual([web.id, plain.id])
      })

      it('create refuses a bad name, a name a live session holds and a path that is not a directory, starting nothing', async () => {
        const t = await setUp()
        const { control } = t
        await control.create({ workingDir: t.dir, name: 'web' })
        for (const name of ['', 'two words', 'x'.repeat(33), 'dé', 'a1b2c3d4', 'semi;']) {
          await expectCode(control.create({ workingDir: t.dir, name }), 'invalid_name', JSON.stringify(name))
        }
        await expectCode(control.create({ workingDir: t.dir, name: 'web' }), 'name_taken')
        await expectCode(control.create({ workingDir: t.notADirectory }), 'invalid_input')
        expect(control.list()).toHaveLength(1)
      })

      it("a stopped session's name is free again", async () => {
        const t = await setUp()
        const old = await t.control.create({ workingDir: t.dir, name: 'web' })
        await t.control.kill(old.id)
        const again = await t.control.create({ workingDir: t.dir, name: 'web' })
        expect(again.name).toBe('web')
        expect(t.control.resolve('web').id).toBe(again.id)
      })

      it('resolve finds a session by id, unique id prefix or name', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'alpha' })
        const b = await t.control.create({ workingDir: t.dir })
        expect(t.control.resolve(a.id).id).toBe(a.id)
        expect(t.control.resolve('alpha').id).toBe(a.id)
        expect(t.control.resolve(uniquePrefix(b.id, a.id)).id).toBe(b.id)
        expect(t.control.resolve(uniquePrefix(a.id, b.id)).id).toBe(a.id)
      })

      it('resolve refuses an unknown ref (session_not_found), an empty one (invalid_input) and a shared prefix (ambiguous_session)', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        const b = await t.control.create({ workingDir: t.dir })
        await expectCode(() => t.control.resolve(UNKNOWN), 'session_not_found')
        await expectCode(() => t.control.resolve('nobody'), 'session_not_found')
        await expectCode(() => t.control.resolve(''), 'invalid_input')
        await expectCode(() => t.control.resolve('  '), 'invalid_input')
        await expectCode(() => t.control.resolve(uniquePrefix(a.id, b.id).slice(0, -1)), 'ambiguous_session')
      })

      it('projects are the configured ones', async () => {
        const t = await setUp()
        expect(t.control.projects()).toEqual(t.projects)
      })

      it('kill stops a session: it leaves list(), stays in list({ includeStopped }) and resolves, stopped', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'web' })
        const b = await t.control.create({ workingDir: t.dir })
        const killed = await t.control.kill(a.id)
        expect(killed).toMatchObject({ id: a.id, state: 'stopped' })
        expect(killed.stoppedAt).not.toBeNull()
        expect(ids(t.control.list())).toEqual([b.id])
        expect(ids(t.control.list({ includeStopped: true }))).toEqual([a.id, b.id])
        expect(t.control.resolve(a.id).state).toBe('stopped')
        expect(t.control.resolve('web').id).toBe(a.id)
      })

      it('children are the direct children, stopped ones too, never grandchildren; none for an unknown id', async () => {
        const t = await setUp()
        const parent = await t.control.create({ workingDir: t.dir })
        const first = await t.child(parent.id)
        const second = await t.child(parent.id)
        const grandchild = await t.child(first.id)
        await t.control.kill(second.id)
        expect(ids(t.control.children(parent.id)).sort()).toEqual([first.id, second.id].sort())
        expect(ids(t.control.children(first.id))).toEqual([grandchild.id])
        expect(t.control.children(grandchild.id)).toEqual([])
        expect(t.control.children(UNKNOWN)).toEqual([])
      })
    })

    describe('rename', () => {
      it('gives the session its new name, which resolves; the old one no longer does', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'old-name' })
        const renamed = await t.control.rename(a.id, 'new_name-2')
        expect(renamed).toMatchObject({ id: a.id, name: 'new_name-2' })
        expect(t.control.resolve('new_name-2').id).toBe(a.id)
        await expectCode(() => t.control.resolve('old-name'), 'session_not_found')
        expect((await t.control.rename(a.id, 'new_name-2')).name).toBe('new_name-2')
      })

      it('refuses a bad name (invalid_name) and a name another live session holds (name_taken)', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'alpha' })
        await t.control.create({ workingDir: t.dir, name: 'beta' })
        for (const name of ['', 'two words', 'x'.repeat(33), 'a1b2c3d4', '<b>']) {
          await expectCode(t.control.rename(a.id, name), 'invalid_name', JSON.stringify(name))
        }
        await expectCode(t.control.rename(a.id, 'beta'), 'name_taken')
        expect(t.control.resolve(a.id).name).toBe('alpha')
      })

      it("renames a stopped session too; names are held by live sessions only", async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'alpha' })
        const b = await t.control.create({ workingDir: t.dir, name: 'beta' })
        await t.control.kill(a.id)
        expect((await t.control.rename(a.id, 'gone')).name).toBe('gone')
        // a live session may take a stopped one's name, and a stopped one a live one's
        expect((await t.control.rename(b.id, 'gone')).name).toBe('gone')
        expect((await t.control.rename(a.id, 'gone')).name).toBe('gone')
        expect(t.control.resolve('gone').id).toBe(b.id)
      })
    })

    describe('the terminal: interrupt, clear, output, summary', () => {
      it('interrupt and clear (with or without a prompt) return the live session', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir, name: 'web' })
        const interrupted = await t.control.interrupt(a.id)
        expect(interrupted.id).toBe(a.id)
        expect(interrupted.state).not.toBe('stopped')
        expect((await t.control.clear(a.id)).id).toBe(a.id)
        const cleared = await t.control.clear(a.id, 'start over')
        expect(cleared.id).toBe(a.id)
        expect(cleared.state).not.toBe('stopped')
      })

      it('output gives the last lines of the screen, without trailing spaces or blank lines', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        t.show(a.id, 'one\ntwo  \nthree\nfour\n\n   \n')
        expect(await t.control.output(a.id, 2)).toBe('three\nfour')
        expect(await t.control.output(a.id, 1)).toBe('four')
        expect(await t.control.output(a.id, 200)).toBe('one\ntwo\nthree\nfour')
      })

      it('output refuses a number of lines that is not a whole number (invalid_input)', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        for (const lines of [-1, 2.5, Number.NaN]) await expectCode(t.control.output(a.id, lines), 'invalid_input', String(lines))
      })

      it("summary is the summarizer's answer", async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        t.summarizes(a.id, 'Fixed the <form> & added tests.')
        expect(await t.control.summary(a.id)).toBe('Fixed the <form> & added tests.')
      })

      it('tools gives the newest `limit` tool events, oldest first; none for another session', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        const b = await t.control.create({ workingDir: t.dir })
        t.toolCalls(a.id, ['Read', 'Edit', 'Bash'])
        expect(t.control.tools(a.id, 2).map((e) => e.toolName)).toEqual(['Edit', 'Bash'])
        expect(t.control.tools(a.id, 50).map((e) => e.toolName)).toEqual(['Read', 'Edit', 'Bash'])
        expect(t.control.tools(a.id, 50).every((e) => e.sessionId === a.id)).toBe(true)
        expect(t.control.tools(b.id, 50)).toEqual([])
        expect(t.control.tools(UNKNOWN, 50)).toEqual([])
      })
    })

    describe('send', () => {
      it('takes a message in every mode: a new message id each time, delivered or queued', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        const seen = new Set<number>()
        for (const mode of ['sequential', 'important', 'urgent'] as const) {
          const r = await t.control.send(a.id, `a ${mode} message: <b>&</b> ✓`, mode)
          expect(Number.isInteger(r.messageId), mode).toBe(true)
          expect(seen.has(r.messageId), mode).toBe(false)
          seen.add(r.messageId)
          expect(['delivered', 'queued']).toContain(r.status)
        }
      })

      it('refuses an empty or blank message (invalid_input) and one over the limit (payload_too_large)', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        await expectCode(t.control.send(a.id, '', 'sequential'), 'invalid_input')
        await expectCode(t.control.send(a.id, ' \n\t', 'important'), 'invalid_input')
        await expectCode(t.control.send(a.id, 'x'.repeat(MESSAGE_MAX_CHARS + 1), 'sequential'), 'payload_too_large')
        await expectCode(t.control.send(UNKNOWN, '', 'sequential'), 'invalid_input')
      })
    })

    describe('refusals', () => {
      it('an unknown session: session_not_found from every method that acts on one', async () => {
        const t = await setUp()
        await expectCode(t.control.kill(UNKNOWN), 'session_not_found', 'kill')
        await expectCode(t.control.interrupt(UNKNOWN), 'session_not_found', 'interrupt')
        await expectCode(t.control.clear(UNKNOWN), 'session_not_found', 'clear')
        await expectCode(t.control.rename(UNKNOWN, 'web'), 'session_not_found', 'rename')
        await expectCode(t.control.summary(UNKNOWN), 'session_not_found', 'summary')
        await expectCode(t.control.output(UNKNOWN, 10), 'session_not_found', 'output')
        await expectCode(t.control.send(UNKNOWN, 'hi', 'sequential'), 'session_not_found', 'send')
      })

      it('a stopped session: session_stopped from kill, interrupt, clear, summary, output and send', async () => {
        const t = await setUp()
        const a = await t.control.create({ workingDir: t.dir })
        await t.control.kill(a.id)
        t.summarizes(a.id, 'Did things.')
        await expectCode(t.control.kill(a.id), 'session_stopped', 'kill')
        await expectCode(t.control.interrupt(a.id), 'session_stopped', 'interrupt')
        await expectCode(t.control.clear(a.id, 'again'), 'session_stopped', 'clear')
        await expectCode(t.control.summary(a.id), 'session_stopped', 'summary')
        await expectCode(t.control.output(a.id, 10), 'session_stopped', 'output')
        await expectCode(t.control.send(a.id, 'hi', 'sequential'), 'session_stopped', 'send')
        expect(t.control.resolve(a.id).state).toBe('stopped')
      })

      it('a session sm did not start: listed, resolved and renamed, but not driven (not_typable)', async () => {
        const t = await setUp()
        const ext = await t.external()
        expect(ext.kind).toBe('external')
        expect(ids(t.control.list())).toEqual([ext.id])
        expect(t.control.resolve(ext.id).id).toBe(ext.id)
        expect((await t.control.rename(ext.id, 'outside')).name).toBe('outside')
        t.summarizes(ext.id, 'Did things.')
        await expectCode(t.control.kill(ext.id), 'not_typable', 'kill')
        await expectCode(t.control.interrupt(ext.id), 'not_typable', 'interrupt')
        await expectCode(t.control.clear(ext.id), 'not_typable', 'clear')
        await expectCode(t.control.summary(ext.id), 'not_typable', 'summary')
        await expectCode(t.control.output(ext.id, 10), 'not_typable', 'output')
        await expectCode(t.control.send(ext.id, 'hi', 'sequential'), 'not_typable', 'send')
        expect(t.control.resolve(ext.id).state).not.toBe('stopped')
      })
    })
  })
}

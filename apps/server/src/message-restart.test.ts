import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Session } from '@claude-sessions/core'
import { MessageService, SessionService } from '@claude-sessions/core/services'
import { FakeMultiplexer, FixedClock, SequentialIds, testServiceConfig } from '@claude-sessions/core/testing'
import { openSqliteStore, type SqliteStore } from '@claude-sessions/store-sqlite'
import { afterEach, describe, expect, it } from 'vitest'

const CLAUDE = '6bf01783-816d-49d3-a354-25f1341e986b'
const dirs: string[] = []
const stores: SqliteStore[] = []

afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** One server life over the database file at `path`: real SQLite stores, a fake tmux, a manual clock. */
function boot(path: string, at: number) {
  const store = openSqliteStore({ path })
  stores.push(store)
  const mux = new FakeMultiplexer()
  const clock = new FixedClock(at)
  const service = new SessionService({
    sessions: store.sessions,
    events: store.events,
    mux,
    clock,
    ids: new SequentialIds(),
    hashToken: (t) => `h:${t}`,
    isDirectory: (p) => p.startsWith('/'),
    config: testServiceConfig(),
  })
  const errors: unknown[] = []
  const messages = new MessageService({
    sessions: service,
    messages: store.messages,
    watches: store.watches,
    clock,
    timer: () => undefined,
    onError: (e) => errors.push(e),
    config: { maxStopBlocks: 3, fenceMs: 10_000, waitSettleMs: 2000, spawnWaitTimeoutMs: 3_600_000 },
  })
  const hook = (s: Session, event: string, payload: Record<string, unknown> = {}, extra: { spooled?: boolean; eventId?: string } = {}) =>
    service.ingestHook({ event, payload: { session_id: CLAUDE, ...payload }, raw: JSON.stringify({ session_id: CLAUDE, ...payload }), managerId: s.id, token: 'token-1', ...extra })
  /** The session's terminal as this life's tmux sees it (tmux outlives the server). */
  const attach = async (s: Session) => {
    await mux.create({ name: s.tmuxSession!, cwd: s.workingDir, env: {}, unsetEnv: [], command: ['claude'] })
    return mux.terminals.get(s.tmuxSession!)!
  }
  /** A restart: this life ends (the store is closed, as on SIGTERM) while typing may be under way. */
  const stop = () => {
    messages.dispose()
    stores.splice(stores.indexOf(store), 1)
    store.close()
  }
  return { store, mux, clock, service, messages, hook, attach, stop, errors }
}

const never = () => new Promise<never>(() => undefined)

function aDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sm-msg-restart-'))
  dirs.push(dir)
  return join(dir, 'sessions.db')
}

describe('a message being typed at a restart is delivered exactly once (real SQLite, a new service over the same file)', () => {
  it('typed and submitted (its prompt hook recorded), but the server stopped before confirming: delivered from the log, never typed again', async () => {
    const path = aDatabase()
    const first = boot(path, 1_700_000_000_000)
    const beta = await first.service.create({ workingDir: '/w', name: 'beta' })
    first.hook(beta, 'SessionStart', { source: 'startup' })
    first.clock.advance(5000)
    // the agent gets the text and its hook is recorded; then the confirmation never comes back
    first.mux.onSubmit = (_name, text) => {
      first.hook(beta, 'UserPromptSubmit', { prompt: text })
      first.clock.sleep = never
    }
    void first.messages.send({ from: { kind: 'operator' }, to: beta.id, text: 'run the tests ✓' })
    await new Promise((r) => setTimeout(r, 50))
    expect(first.mux.terminals.get(beta.tmuxSession!)!.submitted).toEqual(['run the tests ✓'])
    const during = first.store.messages.list({ recipientId: beta.id })
    expect(during).toMatchObject([{ status: 'queued', typingSince: 1_700_000_005_000 }])
    first.stop()

    const second = boot(path, 1_700_000_060_000)
    const terminal = await second.attach(beta)
    second.messages.resume()
    await new Promise((r) => setTimeout(r, 50))
    expect(second.store.messages.list({ recipientId: beta.id })).toMatchObject([{ status: 'delivered', via: 'typed', typingSince: null }])
    // nothing typed again, and the turn's Stop does not carry it a second time
    expect(second.hook(beta, 'Stop', { last_assistant_message: 'done' })).toEqual({})
    expect(terminal.submitted).toEqual([])
    expect(second.errors).toEqual([])
  })

  it('typing began but never reached the agent: typed once after the restart, then delivered', async () => {
    const path = aDatabase()
    const first = boot(path, 1_700_000_000_000)
    const beta = await first.service.create({ workingDir: '/w', name: 'beta' })
    first.hook(beta, 'SessionStart', { source: 'startup' })
    first.clock.advance(5000)
    // the keys never go in: the server stops mid-typing
    first.mux.typeText = never
    void first.messages.send({ from: { kind: 'operator' }, to: beta.id, text: 'second message' })
    await new Promise((r) => setTimeout(r, 50))
    expect(first.store.messages.get(1)).toMatchObject({ status: 'queued', typingSince: 1_700_000_005_000 })
    first.stop()

    const second = boot(path, 1_700_000_060_000)
    const terminal = await second.attach(beta)
    second.mux.onSubmit = (_name, text) => second.hook(beta, 'UserPromptSubmit', { prompt: text })
    second.messages.resume()
    const deadline = Date.now() + 3000
    while (second.store.messages.get(1)?.status !== 'delivered' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(second.store.messages.get(1)).toMatchObject({ status: 'delivered', via: 'typed', typingSince: null })
    expect(terminal.submitted).toEqual(['second message'])
    second.hook(beta, 'Stop', {})
    await new Promise((r) => setTimeout(r, 50))
    expect(terminal.submitted).toEqual(['second message'])
  })

  it('submitted just before the stop, its hook spooled and imported after the restart: delivered by that prompt, not typed again', async () => {
    const path = aDatabase()
    const first = boot(path, 1_700_000_000_000)
    const beta = await first.service.create({ workingDir: '/w', name: 'beta' })
    first.hook(beta, 'SessionStart', { source: 'startup' })
    first.clock.advance(5000)
    // the agent got it, but its hook could not reach the server (it went to the spool)
    first.mux.onSubmit = () => {
      first.clock.sleep = never
    }
    void first.messages.send({ from: { kind: 'operator' }, to: beta.id, text: 'spooled prompt' })
    await new Promise((r) => setTimeout(r, 50))
    first.stop()

    const second = boot(path, 1_700_000_060_000)
    const terminal = await second.attach(beta)
    // the spool import comes before resume (start-server's order)
    second.hook(beta, 'UserPromptSubmit', { prompt: 'spooled prompt' }, { spooled: true, eventId: 'ev-1' })
    second.messages.resume()
    await new Promise((r) => setTimeout(r, 50))
    expect(second.store.messages.get(1)).toMatchObject({ status: 'delivered', via: 'typed' })
    expect(terminal.submitted).toEqual([])
  })
})

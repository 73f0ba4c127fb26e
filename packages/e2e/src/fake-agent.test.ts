/**
 * End to end with the fake Claude Code: the real server process, the real `sm` binary, the real
 * hook script (installed with `sm hooks install`), real tmux on a private socket, and
 * fake-claude.mjs as the agent. Fast and broad: every path a session goes through.
 */
import type { SendableKey } from '@claude-sessions/core'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DUMMY_API_KEY, cleanBaseEnv, fakeClaudeBinary, prepareClaudeHome } from './support/claude-home.js'
import {
  panePids,
  runSm,
  runSmJson,
  SM_HOOK,
  SmApi,
  startSmServer,
  writeSmConfig,
  waitForExit,
  type EventJson,
  type SessionJson,
  type SmServer,
} from './support/sm-harness.js'
import {
  capture,
  hasSession,
  IDLE_INPUT_RE,
  killServer,
  makeTempDir,
  newSession,
  privateSocket,
  readJsonl,
  removeDir,
  sleep,
  tmux,
  typeAndSubmit,
  waitFor,
} from './support/tmux-harness.js'

interface FakeLogEntry {
  type: string
  event?: string
  session_id?: string
  prompt?: string
  source?: string
  payload?: Record<string, unknown>
}

describe('sm end to end with the fake Claude Code', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-fake-agent')
  const externalSocket = privateSocket('sm-e2e-fake-ext')
  let root: string
  let work: string
  let home: string
  let dataDir: string
  let configPath: string
  let fakeLog: string
  let serverEnv: Record<string, string>
  let server: SmServer
  let api: SmApi
  /** Environment of `sm` calls made by the test (an operator, outside any session). */
  let smEnv: Record<string, string>

  const sm = (args: string[], input?: string) => runSm(args, smEnv, input === undefined ? {} : { input })
  const smJson = <T>(args: string[]) => runSmJson<T>(args, smEnv)
  const terminal = (id: string) => `claude-${id}`
  const screen = (id: string) => capture(socket, terminal(id))
  const fakeEntries = () => readJsonl<FakeLogEntry>(fakeLog)
  /** The prompts the fake's UserPromptSubmit hooks carried for one Claude session. */
  const promptsSeenByFake = (claudeSessionId: string) =>
    fakeEntries()
      .filter((e) => e.type === 'hook' && e.event === 'UserPromptSubmit' && e.session_id === claudeSessionId)
      .map((e) => e.payload!.prompt as string)
  const ofType = (events: EventJson[], name: string) => events.filter((e) => e.event === name)

  /**
   * `sm key <ref> <key>`, expected to succeed. If it fails (a soft failure: the test goes on and is
   * reported failed), the key is pressed through the API so that later steps still run.
   */
  async function smKey(ref: string, key: SendableKey) {
    const r = await sm(['key', ref, key, '--json'])
    expect.soft(r.status, `sm key ${ref} ${key}: ${r.stderr.trim()}`).toBe(0)
    if (r.status !== 0) return api.key(ref, key)
    return JSON.parse(r.stdout) as SessionJson
  }

  /** `sm new <work> --no-attach --json`, then wait for SessionStart (idle). */
  async function create(args: string[] = [], waitIdle = true): Promise<SessionJson> {
    const session = await smJson<SessionJson>(['new', work, '--no-attach', ...args])
    expect(session.id).toMatch(/^[0-9a-f]{8}$/)
    if (waitIdle) {
      await api.waitForState(session.id, 'idle')
      await waitFor(async () => IDLE_INPUT_RE.test(await screen(session.id)), { message: 'input box' })
    }
    return session
  }

  beforeAll(async () => {
    root = realpathSync(makeTempDir('sm-e2e-fake-agent-'))
    work = join(root, 'project')
    dataDir = join(root, 'data')
    configPath = join(root, 'config.yaml')
    fakeLog = join(root, 'fake.jsonl')
    mkdirSync(work)
    ;({ home } = prepareClaudeHome(join(root, 'home'), { workdir: work, apiKey: DUMMY_API_KEY }))
    writeSmConfig(configPath, {
      command: process.execPath,
      args: [fakeClaudeBinary(), '--permission-mode', 'default'],
      settleMs: 100,
      // a short watchdog, so that states only the screen can tell settle within a test
      watchdogIntervalSeconds: 1,
      staleSeconds: 3,
    })
    serverEnv = cleanBaseEnv({
      HOME: home,
      FAKE_CLAUDE_LOG: fakeLog,
      FAKE_CLAUDE_BG_MS: '3000',
      FAKE_CLAUDE_IDLE_NOTIFY_MS: '0',
    })
    server = await startSmServer({ env: serverEnv, dataDir, socket, configPath })
    api = new SmApi(() => server.url, dataDir)
    smEnv = cleanBaseEnv({ HOME: root, CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: dataDir })
    const installed = await runSm(['hooks', 'install', '--settings', join(home, '.claude', 'settings.json')], smEnv)
    expect(installed.status, installed.stderr).toBe(0)
    const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> }
    expect(settings.hooks.UserPromptSubmit![0]!.hooks[0]!.command).toBe(`${SM_HOOK} UserPromptSubmit`)
  }, 120_000)

  afterAll(async () => {
    // End the agents while the server is still up (their SessionEnd hooks are answered, nothing is
    // spooled into a directory being removed), then the server, then the files.
    const pids = [...(await panePids(socket)), ...(await panePids(externalSocket))]
    await killServer(socket)
    await killServer(externalSocket)
    await waitForExit(pids)
    await server?.stop()
    removeDir(root)
  }, 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !server) return
    const sessions = await api.sessions().catch(() => [] as SessionJson[])
    const screens: string[] = []
    for (const s of sessions.filter((x) => x.kind === 'managed' && x.state !== 'stopped')) {
      screens.push(`--- ${s.id} (${s.state}):\n${await screen(s.id).catch((e: unknown) => String(e))}`)
    }
    console.error(`[fake-agent] server log tail:\n${server.log().split('\n').slice(-40).join('\n')}\n${server.stderr()}\n${screens.join('\n')}`)
  }, 120_000)

  it('sm new --prompt: SessionStart, UserPromptSubmit and Stop are recorded, working then idle, sm last is the answer', async () => {
    const prompt = '[[slow:1500]] summarise the project'
    const session = await create(['--name', 'first', '--prompt', prompt], false)
    expect(session).toMatchObject({ name: 'first', kind: 'managed', workingDir: work, tmuxSession: terminal(session.id) })
    expect(session.state).toBe('starting')
    await api.waitForState(session.id, 'working', { timeoutMs: 10_000 })
    await api.waitForState(session.id, 'idle', { timeoutMs: 15_000 })

    const events = await smJson<EventJson[]>(['events', session.id])
    const names = events.map((e) => e.event)
    expect(names.indexOf('SessionStart')).toBeGreaterThanOrEqual(0)
    expect(names.indexOf('SessionStart')).toBeLessThan(names.indexOf('UserPromptSubmit'))
    expect(names.indexOf('UserPromptSubmit')).toBeLessThan(names.indexOf('Stop'))
    expect(ofType(events, 'UserPromptSubmit')).toHaveLength(1)
    expect(ofType(events, 'UserPromptSubmit')[0]!.payload).toMatchObject({ prompt })
    expect(ofType(events, 'SessionStart')[0]!.payload).toMatchObject({ source: 'startup', cwd: work })
    const claudeSessionId = ofType(events, 'SessionStart')[0]!.claudeSessionId
    expect(events.every((e) => e.claudeSessionId === claudeSessionId)).toBe(true)

    // --limit: the newest N, oldest first
    expect(await smJson<EventJson[]>(['events', 'first', '--limit', '2'])).toEqual(events.slice(-2))
    const text = await sm(['events', 'first'])
    expect(text.stdout.trim().split('\n').map((l) => l.split(/\s+/)[1])).toEqual(names)

    const status = await smJson<SessionJson[]>(['status'])
    expect(status.find((s) => s.id === session.id)).toMatchObject({ state: 'idle', claudeSessionId, name: 'first' })
    const last = await sm(['last', 'first'])
    expect(last.status).toBe(0)
    expect(last.stdout).toBe(`echo: ${prompt}\n`)
    expect(server.transitions(session.id)).toEqual(['starting', 'idle', 'working', 'idle'])
    // the prompt was an argument of the agent, never typed
    expect(promptsSeenByFake(claudeSessionId)).toEqual([prompt])
    const ls = await sm(['ls'])
    expect(ls.stdout).toMatch(new RegExp(`^first\\s+${session.id}\\s+idle\\s+\\d+s\\s+${work}$`, 'm'))
  })

  describe('typing into a session', () => {
    let session: SessionJson
    let claudeSessionId: string

    beforeAll(async () => {
      session = await create(['--name', 'typist'])
      claudeSessionId = (await api.session(session.id)).claudeSessionId!
      expect(claudeSessionId).toMatch(/^[0-9a-f-]{36}$/)
    })

    afterEach(async (ctx) => {
      // a failed step must not leave a dialog or a turn behind for the next one
      if (ctx.task.result?.state !== 'fail') return
      const text = await screen(session.id).catch(() => '')
      if (text.includes('Do you want to proceed?') || text.includes('esc to interrupt')) await api.key(session.id, 'Escape').catch(() => undefined)
      await waitFor(async () => IDLE_INPUT_RE.test(await screen(session.id)), { timeoutMs: 5000 }).catch(() => undefined)
    })

    it('sm send delivers a hostile text exactly (quotes, $(), backticks, newline, unicode), confirmed by the hook', async () => {
      const marker = join(root, 'pwned')
      const text = `it's "quoted"; $(touch ${marker}) \`touch ${marker}\` && echo $HOME | cat > /dev/null\nsecond line: ünïcödé ✓ 日本語 — 🚀 back\\slash %s {{x}} <b>&amp;</b>`
      const sent = await sm(['send', 'typist', text, '--json'])
      expect(sent.status, sent.stderr).toBe(0)
      expect(JSON.parse(sent.stdout)).toMatchObject({ session: session.id, status: 'delivered', mode: 'sequential', via: 'typed' })
      await waitFor(() => promptsSeenByFake(claudeSessionId).includes(text), { message: 'prompt in the fake' })
      expect(promptsSeenByFake(claudeSessionId)).toEqual([text])
      const ups = await api.waitForEvents(session.id, (e) => e.event === 'UserPromptSubmit')
      expect(ups.map((e) => e.payload!.prompt)).toEqual([text])
      await api.waitForEvents(session.id, (e) => e.event === 'Stop')
      await api.waitForState(session.id, 'idle')
      expect((await sm(['last', 'typist'])).stdout).toBe(`echo: ${text}\n`)
      expect(existsSync(marker)).toBe(false)
      const output = await smJson<{ session: string; text: string }>(['output', 'typist', '--lines', '20'])
      expect(output.session).toBe(session.id)
      expect(output.text).toContain('● echo: it\'s "quoted"')
      expect(output.text).toMatch(/^❯\u00a0/m)
    })

    it('texts that look like numbers arrive as typed (not as parsed numbers)', async () => {
      const texts = ['42', '007', '1e3', '0x10', 'true', '3.10']
      for (const text of texts) {
        // one at a time: each is typed into an idle session (a busy one would get it with its Stop)
        const sent = await sm(['send', 'typist', text])
        expect(sent.status, `sm send typist ${text}: ${sent.stderr.trim()}`).toBe(0)
        await waitFor(() => promptsSeenByFake(claudeSessionId).at(-1) === text, { timeoutMs: 5000 }).catch(() => undefined)
        await api.waitForState(session.id, 'idle')
      }
      await waitFor(() => promptsSeenByFake(claudeSessionId).at(-1) === texts.at(-1), { timeoutMs: 5000 }).catch(() => undefined)
      expect(promptsSeenByFake(claudeSessionId).slice(-texts.length)).toEqual(texts)
      await api.waitForState(session.id, 'idle')
    })

    it('a text that starts with a dash (a Markdown list, an option-like word) is sent after --', async () => {
      const texts = ['- item one\n- item two', '--help me with this', '-v is verbose', '-1']
      for (const text of texts) {
        const sent = await sm(['send', 'typist', '--', text])
        expect.soft(sent.status, `sm send typist -- ${JSON.stringify(text)}: ${sent.stderr.trim()}`).toBe(0)
        // stdin always works: the same text through `sm send typist -`
        if (sent.status !== 0) expect((await sm(['send', 'typist', '-'], text)).status).toBe(0)
        // one at a time: each is typed into an idle session
        await waitFor(() => promptsSeenByFake(claudeSessionId).at(-1) === text, { timeoutMs: 5000 }).catch(() => undefined)
        await api.waitForState(session.id, 'idle')
      }
      await waitFor(() => promptsSeenByFake(claudeSessionId).at(-1) === texts.at(-1), { timeoutMs: 5000 }).catch(() => undefined)
      expect(promptsSeenByFake(claudeSessionId).slice(-texts.length)).toEqual(texts)
      await api.waitForState(session.id, 'idle')
    })

    it('a 10 KB text (many lines) arrives exactly, from stdin', async () => {
      const lines: string[] = []
      for (let i = 0; lines.join('\n').length < 10 * 1024; i++) {
        lines.push(`line ${String(i).padStart(3, '0')}: the quick brown fox jumps over the lazy dog; ünïcödé ✓ "q" 'q' $x \`y\` ${'.'.repeat(i % 40)}`)
      }
      const text = lines.join('\n').slice(0, 10 * 1024).trimEnd()
      expect(text.length).toBeGreaterThan(10_000)
      const stopsBefore = ofType(await api.events(session.id), 'Stop').length
      const sent = await sm(['send', session.id, '-', '--json'], `${text}\n`)
      expect(sent.status, sent.stderr).toBe(0)
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
      await waitFor(() => promptsSeenByFake(claudeSessionId).includes(text), { message: '10 KB prompt in the fake' })
      expect(promptsSeenByFake(claudeSessionId).filter((p) => p === text)).toHaveLength(1)
      const stops = await api.waitForEvents(session.id, (e) => e.event === 'Stop', stopsBefore + 1)
      expect(stops.at(-1)!.payload).toMatchObject({ last_assistant_message: `echo: ${text}` })
      await api.waitForState(session.id, 'idle')
    })

    it('three concurrent sm send to one session: one typed, the others queued and carried by the Stop; each delivered exactly once, in order', async () => {
      const texts = ['concurrent alpha', 'concurrent beta', 'concurrent gamma']
      const results = await Promise.all(texts.map((t) => sm(['send', 'typist', t, '--json'])))
      for (const r of results) expect(r.status, r.stderr).toBe(0)
      const statuses = results.map((r) => JSON.parse(r.stdout).status as string)
      expect(statuses.filter((x) => x === 'delivered').length).toBeGreaterThanOrEqual(1)
      // the typed one starts a turn; its Stop carries the queued ones (block), answered in one more turn
      await waitFor(async () => (await api.messages(session.id)).filter((m) => texts.includes(m.text)).every((m) => m.status === 'delivered'), { timeoutMs: 15_000, message: 'all delivered' })
      const delivered = (await api.messages(session.id)).filter((m) => texts.includes(m.text))
      expect(delivered).toHaveLength(3)
      // in the order they were stored
      const times = delivered.map((m) => Date.parse(m.deliveredAt!))
      expect(times).toEqual([...times].sort((x, y) => x - y))
      await api.waitForState(session.id, 'idle')
      // every text reached the agent exactly once: typed as a prompt, or in a Stop hook's reason
      const answers = ofType(await api.events(session.id), 'Stop').map((e) => String(e.payload!.last_assistant_message))
      for (const t of texts) expect(answers.join('\n').split(t).length - 1, t).toBe(1)
    })

    it('[[permission]]: waiting_permission from PermissionRequest; sm key 1 → working, then idle', async () => {
      const sent = await sm(['send', 'typist', 'clean up [[permission]]', '--json'])
      expect(sent.status, sent.stderr).toBe(0)
      await api.waitForState(session.id, 'waiting_permission')
      const request = await api.waitForEvents(session.id, (e) => e.event === 'PermissionRequest')
      expect(request.at(-1)).toMatchObject({ toolName: 'Bash' })
      await waitFor(async () => (await screen(session.id)).includes('Do you want to proceed?'), { message: 'dialog' })
      // a message for a session in a dialog waits (nothing typed into the dialog); its turn's Stop carries it
      const queued = await sm(['send', 'typist', 'not now', '--json'])
      expect(queued.status, queued.stderr).toBe(0)
      expect(JSON.parse(queued.stdout)).toMatchObject({ status: 'queued' })

      const stopsBefore = ofType(await api.events(session.id), 'Stop').length
      await smKey('typist', '1')
      await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === 'echo: not now', 1)
      const done = await api.waitForState(session.id, 'idle')
      expect(done.lastTool).toBe('Bash')
      expect((await api.messages(session.id)).find((m) => m.text === 'not now')).toMatchObject({ status: 'delivered', via: 'stop_hook' })
      const names = (await api.events(session.id)).map((e) => e.event)
      const from = names.lastIndexOf('PermissionRequest')
      expect(names.slice(from)).toEqual(expect.arrayContaining(['PostToolUse', 'Stop']))
      const t = server.transitions(session.id)
      expect(t.slice(t.lastIndexOf('waiting_permission'))).toEqual(['waiting_permission', 'working', 'idle'])
      // it was never typed: it came as Stop hook feedback
      expect(promptsSeenByFake(claudeSessionId)).not.toContain('not now')
    })

    it('[[slow:5000]] then sm interrupt → idle, with no hook (the server reads the screen)', async () => {
      const sent = await sm(['send', 'typist', '[[slow:5000]] take your time', '--json'])
      expect(sent.status, sent.stderr).toBe(0)
      await api.waitForState(session.id, 'working')
      const eventsBefore = (await api.events(session.id)).length
      const started = Date.now()
      const interrupted = await sm(['interrupt', 'typist', '--json'])
      expect(interrupted.status, interrupted.stderr).toBe(0)
      expect(JSON.parse(interrupted.stdout)).toMatchObject({ id: session.id, state: 'idle' })
      expect(Date.now() - started).toBeLessThan(4000)
      await waitFor(async () => (await screen(session.id)).includes('Interrupted · What should Claude do instead?'), { message: 'interrupted on screen' })
      expect(fakeEntries().some((e) => e.type === 'interrupt' && e.session_id === claudeSessionId)).toBe(true)
      // no hook reported the end of that turn, and the state stays idle
      await sleep(1000)
      const after = await api.events(session.id)
      expect(after.slice(eventsBefore).filter((e) => e.event === 'Stop' || e.event === 'StopFailure')).toEqual([])
      expect((await api.session(session.id)).state).toBe('idle')
    })

    it('[[permission]] answered No (sm key 3): the dialog closes with no hook; the session returns to idle', async () => {
      await sm(['send', 'typist', 'clean again [[permission]]'])
      await api.waitForState(session.id, 'waiting_permission')
      await waitFor(async () => (await screen(session.id)).includes('Do you want to proceed?'), { message: 'dialog' })
      await smKey('typist', '3')
      await waitFor(async () => IDLE_INPUT_RE.test(await screen(session.id)), { message: 'input box back' })
      // The agent is idle at its input box: the registry must not keep saying it waits for a
      // permission (the watchdog here runs every second and checks after 3 s of silence).
      await api.waitForState(session.id, 'idle', { timeoutMs: 15_000 })
    })

    it('/clear via sm send keeps the session id and changes the Claude session id (SessionStart clear)', async () => {
      const before = await api.session(session.id)
      const sent = await sm(['send', 'typist', '/clear', '--json'])
      expect(sent.status, sent.stderr).toBe(0)
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
      const starts = await api.waitForEvents(session.id, (e) => e.event === 'SessionStart' && e.payload?.source === 'clear')
      const after = await api.waitForState(session.id, 'idle')
      expect(after.id).toBe(session.id)
      expect(after.claudeSessionId).toBe(starts[0]!.claudeSessionId)
      expect(after.claudeSessionId).not.toBe(before.claudeSessionId)
      const events = await api.events(session.id)
      const end = ofType(events, 'SessionEnd').at(-1)!
      expect(end).toMatchObject({ claudeSessionId: before.claudeSessionId })
      expect(end.payload).toMatchObject({ reason: 'clear' })
      expect(ofType(events, 'UserPromptSubmit').map((e) => e.payload!.prompt)).not.toContain('/clear')
      claudeSessionId = after.claudeSessionId!
      // the session goes on under its new Claude id
      const next = await sm(['send', 'typist', 'after clear', '--json'])
      expect(JSON.parse(next.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
      expect(promptsSeenByFake(claudeSessionId)).toEqual(['after clear'])
      await api.waitForState(session.id, 'idle')
    })

    it('[[bg]]: the first Stop reports a running background task (backgroundTasks 1), the second clears it', async () => {
      const stopsBefore = ofType(await api.events(session.id), 'Stop').length
      const sent = await sm(['send', 'typist', 'research [[bg]]', '--json'])
      expect(sent.status, sent.stderr).toBe(0)
      const [first] = (await api.waitForEvents(session.id, (e) => e.event === 'Stop', stopsBefore + 1)).slice(stopsBefore)
      expect((first!.payload!.background_tasks as unknown[]).length).toBe(1)
      const during = await api.session(session.id)
      expect(during.backgroundTasks).toBe(1)
      expect(ofType(await api.events(session.id), 'Stop')).toHaveLength(stopsBefore + 1)
      await api.waitForEvents(session.id, (e) => e.event === 'Stop', stopsBefore + 2, { timeoutMs: 15_000 })
      await waitFor(async () => (await api.session(session.id)).backgroundTasks === 0, { message: 'backgroundTasks 0' })
      expect((await api.session(session.id)).state).toBe('idle')
      expect((await sm(['last', 'typist'])).stdout).toBe('background task finished\n')
    })

    it('sm name renames the session (sm ls, the tmux status bar); sm kill stops it', async () => {
      const named = await sm(['name', 'typist', 'renamed-typist'])
      expect(named.status, named.stderr).toBe(0)
      expect(named.stdout).toContain(`renamed-typist (${session.id})`)
      expect((await api.session(session.id)).name).toBe('renamed-typist')
      expect((await sm(['ls'])).stdout).toMatch(new RegExp(`^renamed-typist\\s+${session.id}\\s`, 'm'))
      const { stdout: label } = await tmux(socket, ['show-options', '-t', terminal(session.id), 'status-left'])
      expect(label).toContain('renamed-typist')
      // the old name no longer resolves
      expect((await sm(['send', 'typist', 'hello'])).status).toBe(1)

      const killed = await sm(['kill', 'renamed-typist', '--json'])
      expect(killed.status, killed.stderr).toBe(0)
      expect(JSON.parse(killed.stdout)).toMatchObject({ id: session.id, state: 'stopped' })
      expect(await hasSession(socket, terminal(session.id))).toBe(false)
      expect((await api.session(session.id)).stoppedAt).not.toBeNull()
      expect((await smJson<SessionJson[]>(['ls'])).map((s) => s.id)).not.toContain(session.id)
      expect((await smJson<SessionJson[]>(['ls', '--all'])).find((s) => s.id === session.id)).toMatchObject({ state: 'stopped' })
      // the agent's late SessionEnd{other} is recorded and does not revive it
      await api.waitForEvents(session.id, (e) => e.event === 'SessionEnd' && e.payload?.reason === 'other', 1, { timeoutMs: 10_000 })
      expect((await api.session(session.id)).state).toBe('stopped')
      const sendStopped = await sm(['send', session.id, 'anyone?'])
      expect(sendStopped.status).toBe(1)
      expect(sendStopped.stderr).toContain('stopped')
    })
  })

  it('an external session (the fake started outside sm, same hooks) shows up in sm ls with its state, and cannot be typed into', async () => {
    const claudeId = randomUUID()
    const extLog = join(root, 'external.jsonl')
    const env = cleanBaseEnv({ HOME: home, CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: dataDir, FAKE_CLAUDE_LOG: extLog, FAKE_CLAUDE_IDLE_NOTIFY_MS: '0' })
    await newSession(externalSocket, 'outside', {
      command: [process.execPath, fakeClaudeBinary(), '--permission-mode', 'default', '--session-id', claudeId],
      cwd: work,
      env,
    })
    const external = await api.waitForState(claudeId, 'idle')
    expect(external).toMatchObject({ id: claudeId, kind: 'external', claudeSessionId: claudeId, tmuxSession: null, workingDir: work })
    const ls = await sm(['ls'])
    expect(ls.stdout).toMatch(new RegExp(`^-\\s+${claudeId.slice(0, 8)}\\s+idle\\*\\s+\\d+s\\s+${work}$`, 'm'))

    await waitFor(async () => IDLE_INPUT_RE.test(await capture(externalSocket, 'outside')), { message: 'external input box' })
    await typeAndSubmit(externalSocket, 'outside', '[[slow:1500]] typed by a person')
    await api.waitForState(claudeId, 'working')
    await api.waitForState(claudeId, 'idle')
    expect((await sm(['last', claudeId])).stdout).toBe('echo: [[slow:1500]] typed by a person\n')

    const before = await api.session(claudeId)
    for (const args of [['send', claudeId, 'hello'], ['interrupt', claudeId], ['key', claudeId, 'Enter'], ['kill', claudeId]]) {
      const r = await sm(args)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(/not started by sm/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(readJsonl<FakeLogEntry>(extLog).filter((e) => e.type === 'prompt').map((e) => e.prompt)).toEqual(['[[slow:1500]] typed by a person'])
    expect(await api.session(claudeId)).toEqual(before)

    await killServer(externalSocket)
    await api.waitForState(claudeId, 'stopped', { timeoutMs: 15_000 })
  })

  it('bad input through sm: unknown session, invalid name, duplicate name — exit 1, one line, nothing changed', async () => {
    const keep = await create(['--name', 'keeper'])
    const other = await create(['--name', 'other'])
    const snapshot = async () =>
      (await api.sessions())
        .map((s) => `${s.id} ${s.name} ${s.state} ${s.claudeSessionId}`)
        .sort()
        .join('\n')
    const tmuxSessions = async () => (await tmux(socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n').sort().join(',')
    const before = await snapshot()
    const terminalsBefore = await tmuxSessions()
    const eventsBefore = (await api.events(keep.id)).length
    const cases: Array<[string[], RegExp]> = [
      [['send', 'nosuch', 'hello'], /no session 'nosuch'/],
      [['kill', 'nosuch'], /no session 'nosuch'/],
      [['interrupt', 'nosuch'], /no session 'nosuch'/],
      [['last', 'nosuch'], /no session 'nosuch'/],
      [['events', 'nosuch'], /no session 'nosuch'/],
      [['name', 'nosuch', 'fine-name'], /no session 'nosuch'/],
      [['new', work, '--name', 'bad name', '--no-attach'], /invalid name/],
      [['new', work, '--name', 'x'.repeat(33), '--no-attach'], /invalid name/],
      [['new', work, '--name', 'deadbeef', '--no-attach'], /invalid name/],
      [['name', 'keeper', 'no/slashes'], /invalid name/],
      [['name', 'keeper', '$(touch pwned)'], /invalid name/],
      [['new', work, '--name', 'other', '--no-attach'], /name 'other' is taken/],
      [['name', 'keeper', 'other'], /name 'other' is taken/],
      [['new', join(work, 'missing'), '--no-attach'], /not a directory/],
    ]
    for (const [args, message] of cases) {
      const r = await sm(args)
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr, args.join(' ')).toMatch(message)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(r.stdout).toBe('')
    }
    expect(await snapshot()).toBe(before)
    expect(await tmuxSessions()).toBe(terminalsBefore)
    expect(await api.events(keep.id)).toHaveLength(eventsBefore)
    expect(existsSync(join(work, 'pwned'))).toBe(false)
    await sm(['kill', keep.id])
    await sm(['kill', other.id])
  })

  it('a second server on the same data dir exits non-zero with a clear message; the first keeps serving', async () => {
    const second = await runSm(['server', '--port', '0'], { ...serverEnv, CLAUDE_SESSIONS_DATA_DIR: dataDir, CLAUDE_SESSIONS_TMUX_SOCKET: socket, CLAUDE_SESSIONS_CONFIG: configPath }, { timeoutMs: 20_000 })
    expect(second.status).not.toBe(0)
    expect(second.status).not.toBeNull()
    expect(second.stderr).toContain(`another server (pid ${server.pid}) is running on this data dir`)
    expect(second.stderr.trim().split('\n')).toHaveLength(1)
    const health = (await (await fetch(`${server.url}/health`)).json()) as { ok: boolean; pid: number }
    expect(health).toMatchObject({ ok: true, pid: server.pid })
    expect((await sm(['ls', '--all'])).status).toBe(0)
  })

  it('kill -9 of the server mid-turn: hooks are spooled, the restarted server re-adopts the session, imports them once, records later events', async () => {
    const session = await create(['--name', 'survivor'])
    const spool = join(dataDir, 'spool')
    const spooled = () => (existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.json')) : [])
    expect(spooled()).toEqual([])

    // a turn in flight when the server dies: its UserPromptSubmit is recorded, its Stop is not
    const sent = await sm(['send', 'survivor', '[[slow:2500]] long job', '--json'])
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
    await api.waitForState(session.id, 'working')
    const port = server.port
    await server.kill9()
    expect((await sm(['ls'])).status).toBe(2)

    await waitFor(() => spooled().some((f) => f.includes(`-Stop-${session.id}.json`)), { timeoutMs: 15_000, message: 'Stop spooled' })
    // a person types while the server is down: those hooks are spooled too
    await waitFor(async () => IDLE_INPUT_RE.test(await screen(session.id)) && !(await screen(session.id)).includes('esc to interrupt'), { message: 'idle screen' })
    await typeAndSubmit(socket, terminal(session.id), 'typed while the server was down')
    await waitFor(() => spooled().filter((f) => f.includes(`-Stop-${session.id}.json`)).length >= 2, { timeoutMs: 15_000, message: 'second Stop spooled' })
    const files = spooled()
    expect(files.filter((f) => f.includes('-UserPromptSubmit-'))).toHaveLength(1)
    expect(files.every((f) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[A-Za-z]+-[0-9a-f]{8}\.json$/.test(f))).toBe(true)
    // the crashed server's lock is still there; the new one takes it over
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(true)

    server = await startSmServer({ env: serverEnv, dataDir, socket, configPath, port })
    expect(server.port).toBe(port)
    const adopted = await api.waitForState(session.id, 'idle', { timeoutMs: 15_000 })
    expect(adopted).toMatchObject({ id: session.id, name: 'survivor', tmuxSession: terminal(session.id) })
    expect(spooled()).toEqual([])
    expect(existsSync(join(spool, 'rejected')) ? readdirSync(join(spool, 'rejected')) : []).toEqual([])

    const events = await api.events(session.id)
    const prompts = ofType(events, 'UserPromptSubmit').map((e) => e.payload!.prompt)
    expect(prompts.filter((p) => p === '[[slow:2500]] long job')).toHaveLength(1)
    expect(prompts.filter((p) => p === 'typed while the server was down')).toHaveLength(1)
    const answers = ofType(events, 'Stop').map((e) => e.payload!.last_assistant_message)
    expect(answers).toEqual(['echo: [[slow:2500]] long job', 'echo: typed while the server was down'])
    // oldest first, in the order they happened
    const order = events.filter((e) => e.event === 'UserPromptSubmit' || e.event === 'Stop').map((e) => `${e.event}:${String(e.payload!.prompt ?? e.payload!.last_assistant_message)}`)
    expect(order).toEqual([
      'UserPromptSubmit:[[slow:2500]] long job',
      'Stop:echo: [[slow:2500]] long job',
      'UserPromptSubmit:typed while the server was down',
      'Stop:echo: typed while the server was down',
    ])
    expect((await sm(['last', 'survivor'])).stdout).toBe('echo: typed while the server was down\n')

    // the restarted server drives the session as before
    const after = await sm(['send', 'survivor', 'after the restart', '--json'])
    expect(after.status, after.stderr).toBe(0)
    expect(JSON.parse(after.stdout)).toMatchObject({ status: 'delivered', via: 'typed' })
    await api.waitForEvents(session.id, (e) => e.event === 'Stop' && e.payload?.last_assistant_message === 'echo: after the restart')
    await api.waitForState(session.id, 'idle')
    // a later watchdog pass (which imports the spool again) does not duplicate anything
    await sleep(1500)
    const final = await api.events(session.id)
    expect(ofType(final, 'UserPromptSubmit')).toHaveLength(3)
    expect(ofType(final, 'Stop')).toHaveLength(3)
  })
})

/**
 * The real Claude Code CLI (the devDependency, 2.1.330) against the local Messages API stub:
 * print mode, then the interactive TUI in a private tmux server with logging hooks on every event.
 * These tests pin what the fake and the session manager rely on.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, mkdirSync, realpathSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startAnthropicStub, type AnthropicStub } from './anthropic-stub.js'
import { claudeBinary, claudeEnv, cleanBaseEnv, DUMMY_API_KEY, prepareClaudeHome } from './claude-home.js'
import { realKeys, sortedKeys } from './claude-payload-keys.js'
import {
  capture,
  hookLogCommand,
  IDLE_INPUT_RE,
  killServer,
  killSession,
  makeTempDir,
  newSession,
  privateSocket,
  readHookLog,
  removeDir,
  sendKeys,
  sleep,
  typeAndSubmit,
  waitFor,
  type HookRecord,
} from './tmux-harness.js'

const execFileP = promisify(execFile)

// Also run by the `unit` project (its glob matches this package), whose default timeouts are short.
const HOOK_TIMEOUT = 120_000

describe('real Claude Code CLI against the stub', { timeout: 120_000 }, () => {
  let root: string
  let work: string
  let stub: AnthropicStub

  beforeAll(async () => {
    root = realpathSync(makeTempDir('sm-e2e-real-'))
    work = join(root, 'project')
    mkdirSync(work)
    stub = await startAnthropicStub()
  }, HOOK_TIMEOUT)

  afterAll(async () => {
    await stub?.close()
    removeDir(root)
  }, HOOK_TIMEOUT)

  it('resolves the native executable behind the npm package', async () => {
    const bin = claudeBinary()
    expect(isAbsolute(bin)).toBe(true)
    accessSync(bin, constants.X_OK)
    const { stdout } = await execFileP(bin, ['--version'], { env: cleanBaseEnv({ DISABLE_AUTOUPDATER: '1' }), timeout: 30_000 })
    expect(stdout).toContain('2.1.330')
  })

  it('claude -p "say hi" prints the stub text', async () => {
    stub.setScript((ctx) => (ctx.lastUserText === 'say hi' ? { text: 'HI-FROM-THE-STUB' } : { text: 'unexpected prompt' }))
    const home = join(root, 'print-home')
    mkdirSync(home)
    const env = cleanBaseEnv(claudeEnv({ home, stubUrl: stub.url, tmpdir: join(root, 'print-tmp') }))
    const before = stub.requests.length
    // stdin must be closed (or /dev/null): with an open pipe, print mode waits 3 s for piped input.
    const run = execFileP(claudeBinary(), ['-p', 'say hi'], { cwd: work, env, timeout: 60_000 })
    run.child.stdin?.end()
    const { stdout, stderr } = await run
    expect(stdout.trim()).toBe('HI-FROM-THE-STUB')
    expect(stderr).not.toContain('no stdin data received')
    const main = stub.requests.slice(before).filter((r) => r.kind === 'main')
    expect(main).toHaveLength(1)
    expect(main[0]!.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(main[0]!.body?.stream).toBe(true)
  })

  describe('with nonessential traffic allowed (side requests on)', () => {
    const socket = privateSocket('sm-e2e-real-side')
    const name = 'chatty'

    afterAll(async () => {
      await killServer(socket)
    }, HOOK_TIMEOUT)

    it('answers the /api/hello probe and the title request itself; the conversation still gets the scripted reply', async () => {
      const logDir = join(root, 'side-hook-log')
      mkdirSync(logDir)
      const { home } = prepareClaudeHome(join(root, 'side-home'), {
        workdir: work,
        apiKey: DUMMY_API_KEY,
        hooks: { command: hookLogCommand(logDir), events: ['SessionStart', 'Stop'] },
      })
      const env = cleanBaseEnv(claudeEnv({ home, stubUrl: stub.url, tmpdir: join(root, 'side-tmp') }))
      delete env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC
      let scriptCalls = 0
      stub.setScript(() => {
        scriptCalls += 1
        return { text: 'SCRIPTED-MAIN-REPLY' }
      })
      const before = stub.requests.length
      await newSession(socket, name, { command: [claudeBinary(), '--permission-mode', 'default'], cwd: work, env })
      await waitFor(async () => IDLE_INPUT_RE.test(await capture(socket, name)), { timeoutMs: 30_000, message: 'input box' })
      await typeAndSubmit(socket, name, 'fix the flaky login test')
      const stop = await waitFor(() => readHookLog(logDir).find((h) => h.hook_event_name === 'Stop'), { timeoutMs: 30_000, message: 'Stop' })
      expect(stop.last_assistant_message).toBe('SCRIPTED-MAIN-REPLY')
      expect(scriptCalls).toBe(1)

      const mine = stub.requests.slice(before)
      expect(mine.some((r) => r.kind === 'hello')).toBe(true)
      const title = await waitFor(() => stub.requests.slice(before).find((r) => r.kind === 'title'), { message: 'title request' })
      expect(title.sessionId).toBe(stop.session_id)
      expect(JSON.parse(title.reply?.text ?? '{}')).toHaveProperty('title')
      expect(mine.filter((r) => r.kind === 'main')).toHaveLength(1)
      console.info(`[real-claude] side requests: ${mine.filter((r) => r.kind !== 'main').map((r) => `${r.method} ${r.path} (${r.kind})`).join(', ')}`)
    })
  })

  describe('interactive TUI in tmux (200x50, --permission-mode default)', () => {
    const socket = privateSocket('sm-e2e-real')
    const name = 'agent'
    let logDir: string
    let sessionId: string
    const hooks = (): HookRecord[] => readHookLog(logDir)
    const hooksOf = (event: string) => hooks().filter((h) => h.hook_event_name === event)
    const screen = () => capture(socket, name)

    beforeAll(async () => {
      logDir = join(root, 'hook-log')
      mkdirSync(logDir)
      const { home } = prepareClaudeHome(join(root, 'home'), {
        workdir: work,
        apiKey: DUMMY_API_KEY,
        hooks: { command: hookLogCommand(logDir) },
      })
      const env = cleanBaseEnv(claudeEnv({ home, stubUrl: stub.url, tmpdir: join(root, 'tmp'), apiKey: DUMMY_API_KEY }))
      stub.setScript(() => ({ text: 'READY' }))
      const started = Date.now()
      await newSession(socket, name, { command: [claudeBinary(), '--permission-mode', 'default'], cwd: work, env })
      await waitFor(async () => IDLE_INPUT_RE.test(await screen()), { timeoutMs: 30_000, message: 'input box' })
      console.info(`[real-claude] input box after ${Date.now() - started} ms`)
    }, HOOK_TIMEOUT)

    afterAll(async () => {
      await killServer(socket)
    }, HOOK_TIMEOUT)

    afterEach(async (ctx) => {
      if (ctx.task.result?.state !== 'fail') return
      const text = await screen().catch((err: unknown) => String(err))
      console.error(`[real-claude] screen at failure:\n${text}\nhooks: ${hooks().map((h) => h.hook_event_name).join(', ')}`)
    }, HOOK_TIMEOUT)

    it('opens straight to the input box and fires SessionStart{startup}', async () => {
      const text = await screen()
      expect(text).toMatch(/^─{200}$/m)
      expect(text).toContain('manual mode on')
      const [start] = await waitFor(() => hooksOf('SessionStart').length > 0 && hooksOf('SessionStart'), { message: 'SessionStart' })
      expect(start).toMatchObject({ hook_event_name: 'SessionStart', source: 'startup', cwd: work })
      expect(sortedKeys(start!)).toEqual(realKeys('SessionStart.startup'))
      sessionId = start!.session_id
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    })

    it('a typed prompt (text, pause, separate Enter) gives UserPromptSubmit and Stop with the stub answer', async () => {
      stub.setScript((ctx) => ({ text: `REAL-ANSWER to ${ctx.lastUserText}` }))
      const requestsBefore = stub.mainRequests().length
      const started = Date.now()
      await typeAndSubmit(socket, name, 'hello from the test')
      const [stop] = await waitFor(() => hooksOf('Stop').length > 0 && hooksOf('Stop'), { timeoutMs: 30_000, message: 'Stop' })
      console.info(`[real-claude] prompt to Stop hook: ${Date.now() - started} ms`)

      const [ups] = hooksOf('UserPromptSubmit')
      expect(ups).toMatchObject({ prompt: 'hello from the test', permission_mode: 'default', session_id: sessionId })
      expect(sortedKeys(ups!)).toEqual(realKeys('UserPromptSubmit'))
      expect(stop).toMatchObject({ last_assistant_message: 'REAL-ANSWER to hello from the test', stop_hook_active: false, session_id: sessionId })
      expect(sortedKeys(stop!)).toEqual(realKeys('Stop'))

      const main = stub.mainRequests().slice(requestsBefore)
      expect(main).toHaveLength(1)
      expect(main[0]!.sessionId).toBe(sessionId)
      expect(main[0]!.assistantTurns).toBe(0)

      await waitFor(async () => {
        const text = await screen()
        return text.includes('● REAL-ANSWER to hello from the test') && IDLE_INPUT_RE.test(text) && !text.includes('esc to interrupt')
      }, { message: 'answer on screen, idle' })
    })

    it('a scripted Bash tool call fires PreToolUse and PermissionRequest and shows the permission dialog', async () => {
      stub.setScript((ctx) =>
        ctx.promptTurns === 0
          ? { text: 'Cleaning the build directory.', toolUse: { name: 'Bash', input: { command: 'rm -rf ./build', description: 'Remove build directory' } } }
          : { text: `TOOL-FINISHED: ${ctx.toolResults[0]?.content ?? 'no result'}` },
      )
      const stopsBefore = hooksOf('Stop').length
      await typeAndSubmit(socket, name, 'clean the build')
      const [request] = await waitFor(() => hooksOf('PermissionRequest').length > 0 && hooksOf('PermissionRequest'), {
        timeoutMs: 30_000,
        message: 'PermissionRequest',
      })
      expect(request).toMatchObject({ tool_name: 'Bash', tool_input: { command: 'rm -rf ./build' }, permission_mode: 'default', session_id: sessionId })
      expect(sortedKeys(request!)).toEqual(realKeys('PermissionRequest.Bash'))
      const pre = hooksOf('PreToolUse').at(-1)!
      expect(pre).toMatchObject({ tool_name: 'Bash', tool_input: { command: 'rm -rf ./build' } })
      expect(sortedKeys(pre)).toEqual(realKeys('PreToolUse.Bash'))

      const dialog = await waitFor(async () => {
        const text = await screen()
        return text.includes('Do you want to proceed?') && text
      }, { message: 'permission dialog' })
      expect(dialog).toMatch(/❯ 1\. Yes/)
      expect(dialog).toMatch(/\d\. No$/m)
      expect(IDLE_INPUT_RE.test(dialog)).toBe(false)
      expect(hooksOf('Stop')).toHaveLength(stopsBefore)

      // The dialog ignores keys for a moment after it opens (a key sent the instant it is drawn is
      // sometimes dropped): settle, press, confirm through PostToolUse, retry once.
      const postsBefore = hooksOf('PostToolUse').length
      await sleep(300)
      await sendKeys(socket, name, '1')
      const accepted = await waitFor(() => hooksOf('PostToolUse').length > postsBefore, { timeoutMs: 3000 }).catch(() => false)
      if (!accepted) await sendKeys(socket, name, '1')
      const stop = await waitFor(() => hooksOf('Stop').length > stopsBefore && hooksOf('Stop').at(-1), { timeoutMs: 30_000, message: 'Stop after yes' })
      expect(stop.last_assistant_message).toBe('TOOL-FINISHED: (Bash completed with no output)')
      const post = hooksOf('PostToolUse').at(-1)!
      expect(post).toMatchObject({ tool_name: 'Bash', tool_use_id: pre.tool_use_id })
      expect(sortedKeys(post)).toEqual(realKeys('PostToolUse.Bash'))
      await waitFor(async () => IDLE_INPUT_RE.test(await screen()), { message: 'idle after the tool' })
    })

    it('/clear ends the session and starts a new one with a new session_id (no Stop)', async () => {
      const stopsBefore = hooksOf('Stop').length
      await typeAndSubmit(socket, name, '/clear')
      const [, next] = await waitFor(() => hooksOf('SessionStart').length >= 2 && hooksOf('SessionStart'), { timeoutMs: 30_000, message: 'SessionStart clear' })
      const end = hooksOf('SessionEnd').at(-1)!
      expect(end).toMatchObject({ reason: 'clear', session_id: sessionId })
      expect(sortedKeys(end)).toEqual(realKeys('SessionEnd.clear'))
      expect(next).toMatchObject({ source: 'clear' })
      expect(sortedKeys(next!)).toEqual(realKeys('SessionStart.clear'))
      expect(next!.session_id).not.toBe(sessionId)
      expect(hooksOf('UserPromptSubmit').map((h) => h.prompt)).not.toContain('/clear')
      expect(hooksOf('Stop')).toHaveLength(stopsBefore)
      sessionId = next!.session_id
      await waitFor(async () => IDLE_INPUT_RE.test(await screen()), { message: 'idle after /clear' })
    })

    it('Escape while the model is working interrupts the turn, and no hook reports it', async () => {
      stub.setScript(() => ({ text: 'NEVER-SHOWN', delayMs: 60_000 }))
      const stopsBefore = hooksOf('Stop').length
      await typeAndSubmit(socket, name, 'take your time')
      await waitFor(() => hooksOf('UserPromptSubmit').some((h) => h.prompt === 'take your time'), { timeoutMs: 30_000, message: 'UserPromptSubmit' })
      await waitFor(async () => (await screen()).includes('esc to interrupt'), { message: 'working footer' })
      await sendKeys(socket, name, 'Escape')
      // With nothing streamed yet, the CLI puts the interrupted prompt back into the input box.
      await waitFor(async () => {
        const text = await screen()
        return !text.includes('esc to interrupt') && /^❯\u00a0take your time/m.test(text)
      }, { message: 'idle after Escape, prompt back in the box' })
      await sleep(1000)
      expect(hooksOf('Stop')).toHaveLength(stopsBefore)
      expect(hooksOf('StopFailure')).toHaveLength(0)
      expect((await screen())).not.toContain('NEVER-SHOWN')
    })

    it('tmux kill-session fires SessionEnd{other}', async () => {
      await killSession(socket, name)
      const end = await waitFor(() => hooksOf('SessionEnd').find((h) => h.reason === 'other'), { timeoutMs: 20_000, message: 'SessionEnd other' })
      expect(end.session_id).toBe(sessionId)
      expect(sortedKeys(end)).toEqual(realKeys('SessionEnd.other'))
    })
  })
})

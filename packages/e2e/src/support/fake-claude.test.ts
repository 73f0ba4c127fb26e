/**
 * The fake Claude Code in a private tmux server: its screen, its keys, and the hooks it runs,
 * checked against the real CLI's payload shapes.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DUMMY_API_KEY, cleanBaseEnv, fakeClaudeBinary, hookSettings, prepareClaudeHome, type ClaudeSettings } from './claude-home.js'
import { realKeys, sortedKeys } from './claude-payload-keys.js'
import {
  capture,
  hasSession,
  hookLogCommand,
  IDLE_INPUT_RE,
  killServer,
  killSession,
  makeTempDir,
  newSession,
  privateSocket,
  readHookLog,
  readJsonl,
  removeDir,
  sendKeys,
  sendText,
  shellQuote,
  sleep,
  typeAndSubmit,
  waitFor,
  type HookRecord,
} from './tmux-harness.js'

const INTERRUPTED = '  ⎿ \u00a0Interrupted · What should Claude do instead?'

interface Fake {
  name: string
  home: string
  logDir: string
  logFile: string
  hooks(): HookRecord[]
  of(event: string): HookRecord[]
  screen(): Promise<string>
  waitForHook(event: string, count?: number, timeoutMs?: number): Promise<HookRecord[]>
}

// Also run by the `unit` project (its glob matches this package), whose default timeouts are short.
const HOOK_TIMEOUT = 120_000

describe('fake Claude Code', { timeout: 120_000 }, () => {
  const socket = privateSocket('sm-e2e-fake')
  let root: string
  let work: string
  let counter = 0
  let current: Fake | undefined

  beforeAll(() => {
    root = realpathSync(makeTempDir('sm-e2e-fake-'))
    work = join(root, 'project')
    mkdirSync(work)
  }, HOOK_TIMEOUT)

  afterAll(async () => {
    await killServer(socket)
    removeDir(root)
  }, HOOK_TIMEOUT)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && current) {
      const text = await current.screen().catch((err: unknown) => String(err))
      console.error(`[fake-claude] screen at failure:\n${text}\nhooks: ${current.hooks().map((h) => h.hook_event_name).join(', ')}`)
    }
    if (current) await killSession(socket, current.name)
    current = undefined
  }, HOOK_TIMEOUT)

  /** Start the fake in its own tmux session, with its own HOME whose settings log every hook. */
  async function launch(
    options: { args?: string[] | ((logDir: string) => string[]); settings?: (logDir: string) => ClaudeSettings; env?: Record<string, string> } = {},
  ): Promise<Fake> {
    counter += 1
    const name = `fake-${counter}`
    const dir = join(root, name)
    const logDir = join(dir, 'hook-log')
    mkdirSync(logDir, { recursive: true })
    const logFile = join(dir, 'fake.jsonl')
    const { home } = prepareClaudeHome(join(dir, 'home'), {
      workdir: work,
      apiKey: DUMMY_API_KEY,
      hooks: options.settings ? options.settings(logDir) : { command: hookLogCommand(logDir) },
    })
    const env = cleanBaseEnv({ HOME: home, FAKE_CLAUDE_LOG: logFile, FAKE_CLAUDE_BG_MS: '300', ...options.env })
    const args = typeof options.args === 'function' ? options.args(logDir) : (options.args ?? ['--permission-mode', 'default'])
    await newSession(socket, name, { command: [fakeClaudeBinary(), ...args], cwd: work, env })
    const hooks = () => readHookLog(logDir)
    const of = (event: string) => hooks().filter((h) => h.hook_event_name === event)
    const fake: Fake = {
      name,
      home,
      logDir,
      logFile,
      hooks,
      of,
      screen: () => capture(socket, name),
      waitForHook: (event, count = 1, timeoutMs = 10_000) =>
        waitFor(() => of(event).length >= count && of(event), { timeoutMs, message: `${count} x ${event}` }),
    }
    current = fake
    await waitFor(async () => IDLE_INPUT_RE.test(await fake.screen()), { message: 'input box' })
    await fake.waitForHook('SessionStart')
    return fake
  }

  const idle = async (fake: Fake) =>
    waitFor(async () => {
      const text = await fake.screen()
      return IDLE_INPUT_RE.test(text) && !text.includes('esc to interrupt') && text
    }, { message: 'idle screen' })

  it('draws the idle input box like the real CLI and fires SessionStart{startup} with the real shape', async () => {
    const fake = await launch()
    const lines = (await fake.screen()).split('\n')
    const input = lines.findIndex((l) => l === '❯\u00a0')
    expect(input).toBeGreaterThan(0)
    expect(lines[input - 1]).toBe('─'.repeat(200))
    expect(lines[input + 1]).toBe('─'.repeat(200))
    expect(lines[input + 2]).toMatch(/^ {2}⏸ manual mode on/)

    const [start] = fake.of('SessionStart')
    expect(start).toMatchObject({ source: 'startup', model: 'claude-opus-5-5', cwd: work, hook_event_name: 'SessionStart' })
    expect(sortedKeys(start!)).toEqual(realKeys('SessionStart.startup'))
    expect(start!.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(start!.transcript_path).toBe(join(fake.home, '.claude', 'projects', work.replace(/[^a-zA-Z0-9]/g, '-'), `${start!.session_id}.jsonl`))
  })

  it('runs command hooks with sh -c, the payload on stdin, the inherited env plus CLAUDE_PROJECT_DIR', async () => {
    let envFile = ''
    const fake = await launch({
      env: { SM_MARK: 'from-the-tmux-env' },
      settings: (logDir) => {
        envFile = join(logDir, '..', 'env.txt')
        const settings = hookSettings({ command: hookLogCommand(logDir), events: ['SessionStart'] })
        settings.hooks!.SessionStart![0]!.hooks.push({
          type: 'command',
          command: `printf '%s|%s|%s' "$CLAUDE_PROJECT_DIR" "$CLAUDECODE" "$SM_MARK" > ${shellQuote(envFile)}`,
        })
        return settings
      },
    })
    await waitFor(() => readFileSync(envFile, 'utf8'), { message: 'env file' })
    expect(readFileSync(envFile, 'utf8')).toBe(`${work}|1|from-the-tmux-env`)
    expect(fake.of('SessionStart')).toHaveLength(1)
  })

  it('echoes typed text in the box, and a separate Enter submits: UserPromptSubmit, then Stop "echo: <prompt>"', async () => {
    const fake = await launch()
    await sendText(socket, fake.name, 'hello fake')
    await waitFor(async () => (await fake.screen()).includes('❯\u00a0hello fake'), { message: 'typed text in the box' })
    await sleep(200)
    expect(fake.of('UserPromptSubmit')).toHaveLength(0)

    await sendKeys(socket, fake.name, 'Enter')
    const [stop] = await fake.waitForHook('Stop')
    const [start] = fake.of('SessionStart')
    const [ups] = fake.of('UserPromptSubmit')
    expect(ups).toMatchObject({ prompt: 'hello fake', permission_mode: 'default', session_id: start!.session_id })
    expect(sortedKeys(ups!)).toEqual(realKeys('UserPromptSubmit'))
    expect(stop).toMatchObject({ last_assistant_message: 'echo: hello fake', stop_hook_active: false, background_tasks: [], prompt_id: ups!.prompt_id })
    expect(sortedKeys(stop!)).toEqual(realKeys('Stop'))

    const text = await idle(fake)
    expect(text).toContain('❯ hello fake')
    expect(text).toContain('● echo: hello fake')

    const log = readJsonl<{ type: string; event?: string; prompt?: string; exit_code?: number }>(fake.logFile)
    expect(log.filter((l) => l.type === 'prompt').map((l) => l.prompt)).toEqual(['hello fake'])
    expect(log.filter((l) => l.type === 'hook').map((l) => l.event)).toEqual(expect.arrayContaining(['SessionStart', 'UserPromptSubmit', 'Stop']))
    expect(log.filter((l) => l.type === 'hook').every((l) => l.exit_code === 0)).toBe(true)
  })

  it('takes a burst with an Enter inside as a paste, not a submit', async () => {
    const fake = await launch()
    await sendText(socket, fake.name, 'line one\rline two')
    await waitFor(async () => /❯\u00a0line one\n {2}line two/.test(await fake.screen()), { message: 'pasted two lines' })
    await sleep(200)
    expect(fake.of('UserPromptSubmit')).toHaveLength(0)
    await sendKeys(socket, fake.name, 'Enter')
    const [ups] = await fake.waitForHook('UserPromptSubmit')
    expect(ups!.prompt).toBe('line one\nline two')
  })

  it('[[tool:MS]] runs a Bash call: PreToolUse, working, PostToolUse, PostToolBatch, Stop', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'build it [[tool:1500]]')
    const [pre] = await fake.waitForHook('PreToolUse')
    expect(await fake.screen()).toContain('esc to interrupt')
    await fake.waitForHook('Stop')
    const events = fake.hooks().map((h) => h.hook_event_name).filter((e) => e !== 'MessageDisplay')
    expect(events).toEqual(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolBatch', 'Stop'])
    expect(pre).toMatchObject({ tool_name: 'Bash', tool_input: { command: 'sleep 1.5' }, permission_mode: 'default', effort: { level: 'medium' } })
    expect(sortedKeys(pre!)).toEqual(realKeys('PreToolUse.Bash'))
    const [post] = fake.of('PostToolUse')
    expect(post).toMatchObject({ tool_use_id: pre!.tool_use_id, tool_response: { interrupted: false } })
    expect(post!.duration_ms as number).toBeGreaterThanOrEqual(1400)
    expect(sortedKeys(post!)).toEqual(realKeys('PostToolUse.Bash'))
    expect(sortedKeys(fake.of('PostToolBatch')[0]!)).toEqual(realKeys('PostToolBatch'))
    expect(sortedKeys(fake.of('MessageDisplay')[0]!)).toEqual(realKeys('MessageDisplay'))
    await idle(fake)
  })

  it('Escape while working interrupts the turn with the real message and no hook', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'think hard [[slow:20000]]')
    await fake.waitForHook('UserPromptSubmit')
    await waitFor(async () => (await fake.screen()).includes('esc to interrupt'), { message: 'working footer' })
    await sendKeys(socket, fake.name, 'Escape')
    const text = await idle(fake)
    expect(text.split('\n')).toContain(INTERRUPTED)
    await sleep(500)
    expect(fake.of('Stop')).toHaveLength(0)
    expect(readJsonl<{ type: string; source?: string }>(fake.logFile).find((l) => l.type === 'interrupt')).toMatchObject({ source: 'escape' })
  })

  it('/clear fires SessionEnd{clear} and SessionStart{clear} with a new session_id, and no UserPromptSubmit', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'first')
    await fake.waitForHook('Stop')
    await typeAndSubmit(socket, fake.name, '/clear')
    const [first, second] = await fake.waitForHook('SessionStart', 2)
    const [end] = fake.of('SessionEnd')
    expect(end).toMatchObject({ reason: 'clear', session_id: first!.session_id, prompt_id: fake.of('UserPromptSubmit')[0]!.prompt_id })
    expect(sortedKeys(end!)).toEqual(realKeys('SessionEnd.clear'))
    expect(second).toMatchObject({ source: 'clear' })
    expect(sortedKeys(second!)).toEqual(realKeys('SessionStart.clear'))
    expect(second!.session_id).not.toBe(first!.session_id)
    expect(fake.of('UserPromptSubmit').map((h) => h.prompt)).toEqual(['first'])

    await typeAndSubmit(socket, fake.name, 'after clear')
    const stops = await fake.waitForHook('Stop', 2)
    expect(stops[1]!.session_id).toBe(second!.session_id)
  })

  it('[[permission]] opens the dialog with PermissionRequest; key 1 runs the tool, key 3 interrupts', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'clean up [[permission]]')
    const [request] = await fake.waitForHook('PermissionRequest')
    expect(request).toMatchObject({ tool_name: 'Bash', tool_input: { command: 'rm -rf ./build' }, permission_mode: 'default' })
    expect(sortedKeys(request!)).toEqual(realKeys('PermissionRequest.Bash'))
    const dialog = await waitFor(async () => {
      const text = await fake.screen()
      return text.includes('Do you want to proceed?') && text
    }, { message: 'dialog' })
    expect(dialog).toContain(' ❯ 1. Yes')
    expect(dialog).toContain('   3. No')
    expect(IDLE_INPUT_RE.test(dialog)).toBe(false)

    await sendKeys(socket, fake.name, '1')
    const [stop] = await fake.waitForHook('Stop')
    expect(stop!.last_assistant_message).toBe('echo: clean up [[permission]]')
    expect(fake.of('PostToolUse')).toHaveLength(1)
    await idle(fake)

    await typeAndSubmit(socket, fake.name, 'again [[permission]]')
    await fake.waitForHook('PermissionRequest', 2)
    await waitFor(async () => (await fake.screen()).includes('Do you want to proceed?'), { message: 'second dialog' })
    await sendKeys(socket, fake.name, '3')
    const text = await idle(fake)
    expect(text.split('\n')).toContain(INTERRUPTED)
    await sleep(300)
    expect(fake.of('Stop')).toHaveLength(1)
    expect(fake.of('PostToolUse')).toHaveLength(1)
  })

  it('with FAKE_CLAUDE_DIALOG_GRACE_MS, drops a key sent the instant the dialog opens, like the real CLI can', async () => {
    const fake = await launch({ env: { FAKE_CLAUDE_DIALOG_GRACE_MS: '1500' } })
    await typeAndSubmit(socket, fake.name, 'careful [[permission]]')
    await waitFor(async () => (await fake.screen()).includes('Do you want to proceed?'), { message: 'dialog' })
    await sendKeys(socket, fake.name, '1')
    await waitFor(() => readJsonl<{ type: string }>(fake.logFile).some((l) => l.type === 'key-dropped'), { message: 'key dropped' })
    expect(await fake.screen()).toContain('Do you want to proceed?')
    await sleep(1500)
    await sendKeys(socket, fake.name, '1')
    const [stop] = await fake.waitForHook('Stop')
    expect(stop!.last_assistant_message).toBe('echo: careful [[permission]]')
  })

  it('fires Notification{permission_prompt} while the dialog stays open and Notification{idle_prompt} when idle', async () => {
    const fake = await launch({ env: { FAKE_CLAUDE_PERMISSION_NOTIFY_MS: '400', FAKE_CLAUDE_IDLE_NOTIFY_MS: '600' } })
    await typeAndSubmit(socket, fake.name, 'wait for me [[permission]]')
    const [permission] = await fake.waitForHook('Notification')
    expect(permission).toMatchObject({ notification_type: 'permission_prompt', message: 'Claude needs your permission' })
    expect(sortedKeys(permission!)).toEqual(realKeys('Notification.permission_prompt'))
    await sendKeys(socket, fake.name, '1')
    await fake.waitForHook('Stop')
    const [, idleNote] = await fake.waitForHook('Notification', 2)
    expect(idleNote).toMatchObject({ notification_type: 'idle_prompt', message: 'Claude is waiting for your input' })
  })

  it('honours a PermissionRequest hook that allows, and logs the hook reply', async () => {
    const allow = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } })
    const fake = await launch({
      settings: (logDir) => {
        const settings = hookSettings({ command: hookLogCommand(logDir) })
        settings.hooks!.PermissionRequest = [{ matcher: 'Bash', hooks: [{ type: 'command', command: `cat >/dev/null; printf '%s' ${shellQuote(allow)}` }] }]
        return settings
      },
    })
    await typeAndSubmit(socket, fake.name, 'phone approval [[permission]]')
    await fake.waitForHook('Stop')
    expect(fake.of('PostToolUse')).toHaveLength(1)
    const reply = readJsonl<{ type: string; event?: string; json?: unknown }>(fake.logFile).find((l) => l.type === 'hook' && l.event === 'PermissionRequest')
    expect(reply?.json).toEqual(JSON.parse(allow))
    expect(readJsonl<{ type: string; source?: string; answer?: string }>(fake.logFile).find((l) => l.type === 'permission')).toMatchObject({ answer: 'yes', source: 'hook' })
  })

  it('a Stop hook that blocks makes the fake answer its reason in a new turn (stop_hook_active: true)', async () => {
    const fake = await launch({
      settings: (logDir) => {
        const marker = join(logDir, '..', 'blocked-once')
        const settings = hookSettings({ command: hookLogCommand(logDir) })
        settings.hooks!.Stop![0]!.hooks.push({
          type: 'command',
          command: `cat >/dev/null; if [ ! -e ${shellQuote(marker)} ]; then touch ${shellQuote(marker)}; printf '%s' '{"decision":"block","reason":"SM-MSG: run the tests too"}'; fi`,
        })
        return settings
      },
    })
    await typeAndSubmit(socket, fake.name, 'do the thing')
    const [first, second] = await fake.waitForHook('Stop', 2)
    expect(first).toMatchObject({ stop_hook_active: false, last_assistant_message: 'echo: do the thing' })
    expect(second).toMatchObject({ stop_hook_active: true, last_assistant_message: 'echo: SM-MSG: run the tests too' })
    const text = await idle(fake)
    expect(text).toContain('Stop hook reported a problem')
  })

  it('[[bg]] fires Stop with a running background task, then a second Stop without it', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'spawn a helper [[bg]]')
    const [first, second] = await fake.waitForHook('Stop', 2)
    expect(first!.background_tasks).toEqual([expect.objectContaining({ type: 'subagent', status: 'running' })])
    expect(sortedKeys(first!)).toEqual(realKeys('Stop.with-background-task'))
    expect(second!.background_tasks).toEqual([])
    expect(sortedKeys(fake.of('SubagentStart')[0]!)).toEqual(realKeys('SubagentStart'))
    expect(sortedKeys(fake.of('SubagentStop')[0]!)).toEqual(realKeys('SubagentStop'))
  })

  it('[[fail]] fires StopFailure instead of Stop', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'break [[fail]]')
    const [failure] = await fake.waitForHook('StopFailure')
    expect(sortedKeys(failure!)).toEqual(realKeys('StopFailure'))
    await idle(fake)
    expect(fake.of('Stop')).toHaveLength(0)
  })

  it('submits a prompt given on the command line, with --model in SessionStart', async () => {
    const fake = await launch({ args: ['--model', 'claude-test-model', '--permission-mode', 'acceptEdits', 'initial prompt'] })
    const [stop] = await fake.waitForHook('Stop')
    expect(fake.of('SessionStart')[0]).toMatchObject({ model: 'claude-test-model' })
    expect(fake.of('UserPromptSubmit')[0]).toMatchObject({ prompt: 'initial prompt', permission_mode: 'acceptEdits' })
    expect(stop!.last_assistant_message).toBe('echo: initial prompt')
    expect(await fake.screen()).toContain('accept edits on')
  })

  it('merges --settings with ~/.claude/settings.json and runs an identical command only once', async () => {
    const marker = join(root, 'from-cli-settings.txt')
    const fake = await launch({
      args: (logDir) => [
        '--permission-mode',
        'default',
        '--settings',
        JSON.stringify({
          hooks: {
            Stop: [{ matcher: '*', hooks: [{ type: 'command', command: hookLogCommand(logDir) }, { type: 'command', command: `cat > ${shellQuote(marker)}` }] }],
          },
        }),
      ],
    })
    await typeAndSubmit(socket, fake.name, 'merged')
    await fake.waitForHook('Stop')
    await waitFor(() => readFileSync(marker, 'utf8'), { message: 'hook from --settings ran' })
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ hook_event_name: 'Stop', last_assistant_message: 'echo: merged' })
    await sleep(300)
    expect(fake.of('Stop')).toHaveLength(1)
  })

  it('posts http hooks with the payload as body and only allowed env vars expanded in headers', async () => {
    const received: Array<{ path: string; headers: IncomingHttpHeaders; body: HookRecord }> = []
    const server: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(body) as HookRecord })
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    try {
      const fake = await launch({
        env: { SM_ID: 'sm-1234' },
        settings: (logDir) => {
          const settings = hookSettings({ command: hookLogCommand(logDir) })
          settings.hooks!.UserPromptSubmit!.push({
            hooks: [
              {
                type: 'http',
                url: `http://127.0.0.1:${port}/hooks/UserPromptSubmit`,
                timeout: 5,
                headers: { 'X-SM-Session': '$SM_ID', 'X-SM-Braced': 'id=${SM_ID}', 'X-Not-Allowed': 'home=$HOME' },
                allowedEnvVars: ['SM_ID'],
              },
            ],
          })
          return settings
        },
      })
      await typeAndSubmit(socket, fake.name, 'over http')
      await fake.waitForHook('Stop')
      await waitFor(() => received.length > 0, { message: 'http hook request' })
      const [hit] = received
      expect(hit!.path).toBe('/hooks/UserPromptSubmit')
      expect(hit!.headers).toMatchObject({ 'x-sm-session': 'sm-1234', 'x-sm-braced': 'id=sm-1234', 'x-not-allowed': 'home=', 'content-type': 'application/json' })
      expect(hit!.body).toEqual(fake.of('UserPromptSubmit')[0])
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('/exit fires SessionEnd{prompt_input_exit} and exits', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'hi')
    await fake.waitForHook('Stop')
    await typeAndSubmit(socket, fake.name, '/exit')
    const [end] = await fake.waitForHook('SessionEnd')
    expect(end).toMatchObject({ reason: 'prompt_input_exit' })
    expect(sortedKeys(end!)).toEqual(realKeys('SessionEnd.prompt_input_exit'))
    await waitFor(async () => !(await hasSession(socket, fake.name)), { message: 'tmux session gone after exit' })
  })

  it('tmux kill-session fires SessionEnd{other}', async () => {
    const fake = await launch()
    await typeAndSubmit(socket, fake.name, 'hi')
    await fake.waitForHook('Stop')
    const sessionId = fake.of('Stop')[0]!.session_id
    await killSession(socket, fake.name)
    const [end] = await fake.waitForHook('SessionEnd')
    expect(end).toMatchObject({ reason: 'other', session_id: sessionId })
    expect(sortedKeys(end!)).toEqual(realKeys('SessionEnd.other'))
    expect(readJsonl<{ type: string; reason?: string }>(fake.logFile).find((l) => l.type === 'exit')).toMatchObject({ reason: 'other' })
  })
})

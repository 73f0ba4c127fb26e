/**
 * Text that looks like an option never becomes one, with the real Claude Code (2.1.330) against
 * the local Messages API stub: the real server, the hook script installed by `sm hooks install`,
 * tmux on a private socket, Claude in its default permission mode (permission dialogs on).
 *
 * The first prompt is given after `--` in Claude's argv, so `--version` doesn't end the session,
 * `--settings={"disableAllHooks":true}` doesn't turn our hooks (so the audit and the policy) off,
 * `--dangerously-skip-permissions` doesn't turn the dialogs off and `-p x` doesn't make a print
 * run: the model gets each as the user's text, the session works, hooks and policy apply. A model
 * that could be read as an option is refused. And no session token is on any command line.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, createClient, type ToolEventDto } from '@claude-sessions/api/client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply } from './support/anthropic-stub.js'
import { reportFailure, startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSmJson, SmApi, type SessionJson, type SmServer } from './support/sm-harness.js'
import { privateSocket, tmux } from './support/tmux-harness.js'

const DISABLE_HOOKS = '--settings={"disableAllHooks":true}'
const SKIP_PERMISSIONS = '--dangerously-skip-permissions'
const SPAWN_PARENT = 'SPAWN-PARENT: spawn the child'
const SPAWN_COMMAND = `sm spawn --name child --json -- '${DISABLE_HOOKS}'`

describe('prompts and models that look like options, with the real Claude Code', { timeout: 240_000 }, () => {
  const socket = privateSocket('sm-e2e-inject')
  let root: string
  let work: string
  let dataDir: string
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  const sessions: SessionJson[] = []
  /** Every session's token, read from its tmux environment while it is live. */
  const tokens = new Map<string, string>()
  /** The human prompt of each first model turn the stub answered. */
  const seenPrompts: string[] = []

  const script = (ctx: ReplyContext): StubReply => {
    if (ctx.prompt === SPAWN_PARENT) {
      // the parent's own Bash runs `sm spawn`, the child's prompt after --
      if (ctx.promptTurns === 0) return { text: 'Spawning.', toolUse: { name: 'Bash', input: { command: SPAWN_COMMAND, description: 'Spawn a child' } } }
      return { text: `PARENT-DONE error=${ctx.toolResults[0]?.is_error ?? 'none'}` }
    }
    if (ctx.promptTurns === 0) {
      seenPrompts.push(ctx.prompt)
      if (ctx.prompt.includes('disableAllHooks')) return { text: 'Removing the build.', toolUse: { name: 'Bash', input: { command: 'rm -rf ./build', description: 'Remove the build directory' } } }
      if (ctx.prompt === SKIP_PERMISSIONS) return { text: 'Touching a file.', toolUse: { name: 'Bash', input: { command: 'touch ./escaped.txt', description: 'Create a file' } } }
      return { text: `ECHO:${ctx.prompt}` }
    }
    const result = ctx.toolResults[0]
    return { text: `DONE error=${result?.is_error ?? 'none'}: ${result?.content ?? 'no result'}` }
  }

  const operator = () => createClient({ baseUrl: server.url, token: readFileSync(join(dataDir, 'operator-token'), 'utf8').trim() })
  const tools = async (id: string): Promise<ToolEventDto[]> => (await runSmJson<{ tools: ToolEventDto[] }>(['tools', '--session', id, '--json'], smEnv)).tools

  async function tokenOf(id: string): Promise<string> {
    const { stdout } = await tmux(socket, ['show-environment', '-t', `=claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN'])
    const token = stdout.trim().replace(/^CLAUDE_SESSION_MANAGER_TOKEN=/, '')
    expect(token.length).toBeGreaterThan(16)
    tokens.set(id, token)
    return token
  }

  async function create(body: { name: string; prompt: string; policy?: string }): Promise<SessionJson> {
    const { session } = await operator().create({ workingDir: work, ...body })
    sessions.push(session)
    await tokenOf(session.id)
    return session
  }

  const stopMessage = async (id: string, prefix: string): Promise<string> => {
    const [stop] = await api.waitForEvents(id, (e) => e.event === 'Stop' && String(e.payload?.last_assistant_message ?? '').startsWith(prefix), 1, { timeoutMs: 90_000 })
    return String(stop!.payload!.last_assistant_message)
  }

  beforeAll(async () => {
    const world = await startClaudeWorld({
      prefix: 'sm-e2e-inject',
      socket,
      script,
      permissionMode: 'default',
      smOnPath: true,
      prepare: ({ work }) => {
        mkdirSync(join(work, 'build'), { recursive: true })
        writeFileSync(join(work, 'build', 'artifact.txt'), 'built\n')
      },
    })
    ;({ root, work, dataDir, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await reportFailure('inject-e2e', socket, server, sessions)
  })

  it('`--version` and `-p x` reach the model as the prompt; the session runs its turn and waits for more', async () => {
    const [version, print] = await Promise.all([create({ name: 'version', prompt: '--version' }), create({ name: 'print', prompt: '-p x' })])
    for (const [session, prompt] of [
      [version, '--version'],
      [print, '-p x'],
    ] as const) {
      expect(await stopMessage(session.id, 'ECHO:')).toBe(`ECHO:${prompt}`)
      const events = await api.events(session.id)
      const names = events.map((e) => e.event)
      expect(names).toContain('SessionStart')
      expect(events.find((e) => e.event === 'UserPromptSubmit')?.payload?.prompt).toBe(prompt)
      expect(seenPrompts).toContain(prompt)
      // still running, idle at its input line: not ended by a --version, not a one-shot print
      const now = await api.waitForState(session.id, 'idle')
      expect(now.state).toBe('idle')
    }
  })

  it(`${DISABLE_HOOKS} as the prompt of a strict session: hooks stay on, the audit records, the policy denies \`rm -rf\``, async () => {
    const session = await create({ name: 'nohooks', prompt: DISABLE_HOOKS, policy: 'strict' })
    const message = await stopMessage(session.id, 'DONE')
    expect(seenPrompts).toContain(DISABLE_HOOKS)
    expect(message).toContain('error=true')
    expect(message).toContain("claude-sessions policy 'strict' blocked: recursive_delete: rm -rf ./build")
    expect(existsSync(join(work, 'build', 'artifact.txt'))).toBe(true)
    const rows = await tools(session.id)
    expect(rows.find((r) => r.event === 'PreToolUse')).toMatchObject({ toolName: 'Bash', command: 'rm -rf ./build', decision: 'deny', destructive: true })
    expect((await api.events(session.id)).map((e) => e.event)).toEqual(expect.arrayContaining(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'Stop']))
    expect((await api.waitForState(session.id, 'idle')).state).toBe('idle')
  })

  it(`${SKIP_PERMISSIONS} as the prompt: permission dialogs stay on (the Bash call waits for a person; nothing ran)`, async () => {
    const session = await create({ name: 'noskip', prompt: SKIP_PERMISSIONS })
    const waiting = await api.waitForState(session.id, 'waiting_permission', { timeoutMs: 90_000 })
    expect(waiting.state).toBe('waiting_permission')
    expect(seenPrompts).toContain(SKIP_PERMISSIONS)
    expect(existsSync(join(work, 'escaped.txt'))).toBe(false)
    const events = await api.events(session.id)
    expect(events.find((e) => e.event === 'UserPromptSubmit')?.payload?.prompt).toBe(SKIP_PERMISSIONS)
    expect(events.some((e) => e.event === 'PermissionRequest' || (e.event === 'Notification' && e.notificationType === 'permission_prompt'))).toBe(true)
    await operator().kill(session.id)
    expect(existsSync(join(work, 'escaped.txt'))).toBe(false)
  })

  it(`a strict parent's child spawned with ${DISABLE_HOOKS} as its prompt keeps the parent's profile: \`rm -rf\` denied`, async () => {
    // the parent's Bash runs `sm spawn --name child -- '--settings={"disableAllHooks":true}'`
    const parent = await create({ name: 'parent', prompt: SPAWN_PARENT, policy: 'strict' })
    expect(await stopMessage(parent.id, 'PARENT-DONE')).toBe('PARENT-DONE error=false')
    const child = (await operator().list(true)).sessions.find((s) => s.parentId === parent.id)!
    expect(child).toBeDefined()
    expect(child.spawnPrompt).toBe(DISABLE_HOOKS)
    sessions.push(child)
    await tokenOf(child.id)
    expect(child).toMatchObject({ parentId: parent.id, policy: 'strict' })
    const message = await stopMessage(child.id, 'DONE')
    expect(message).toContain("claude-sessions policy 'strict' blocked: recursive_delete: rm -rf ./build")
    expect(existsSync(join(work, 'build', 'artifact.txt'))).toBe(true)
    expect((await tools(child.id)).find((r) => r.event === 'PreToolUse')).toMatchObject({ command: 'rm -rf ./build', decision: 'deny' })
  })

  it('a model that could be read as an option is refused with 400 invalid_input, and no session starts', async () => {
    const before = (await operator().list(true)).sessions.length
    for (const model of [SKIP_PERMISSIONS, '-p', DISABLE_HOOKS, '--model=x']) {
      const error = await operator()
        .create({ workingDir: work, model, prompt: 'hi' })
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ code: 'invalid_input', status: 400 })
    }
    expect((await operator().list(true)).sessions.length).toBe(before)
  })

  it('no session token is on any command line: not the tmux server, not the agents, nothing', () => {
    expect(tokens.size).toBe(sessions.length)
    const leaks: string[] = []
    for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      let cmdline = ''
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1')
      } catch {
        continue
      }
      for (const token of tokens.values()) if (cmdline.includes(token)) leaks.push(`${pid}: ${cmdline.split('\0').join(' ')}`)
    }
    expect(leaks).toEqual([])
    const serverPid = execFileSync('tmux', ['-L', socket, 'display-message', '-p', '#{pid}'], { encoding: 'utf8' }).trim()
    const argv = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(argv.slice(1)).toEqual(['-L', socket, '-f', '/dev/null', 'start-server', ';', 'source-file', '-'])
  })
})

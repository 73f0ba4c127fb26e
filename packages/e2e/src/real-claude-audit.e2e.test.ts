/**
 * The tool audit and policy end to end with the real Claude Code (2.1.330) against the local
 * Messages API stub: the real server process, `sm`, the hook script installed by
 * `sm hooks install`, tmux on a private socket. Claude runs in auto permission mode, where these
 * commands run without a dialog: only the policy stands between the model and `rm -rf`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ToolEventDto } from '@claude-sessions/api/client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnthropicStub, ReplyContext, StubReply } from './support/anthropic-stub.js'
import { reportFailure, startClaudeWorld, stopClaudeWorld } from './support/claude-world.js'
import { runSm, runSmJson, SmApi, type SessionJson, type SmServer } from './support/sm-harness.js'
import { privateSocket } from './support/tmux-harness.js'

/** The tool call each prompt asks for (by its keyword), then a text answer naming the result. */
const TOOL_FOR: Record<string, { name: string; input: Record<string, unknown> }> = {
  'AUDIT-DELETE': { name: 'Bash', input: { command: 'rm -rf ./build', description: 'Remove the build directory' } },
  'AUDIT-READ-ENV': { name: 'Read', input: { file_path: '' } },
  'AUDIT-FAIL': { name: 'Bash', input: { command: 'ls ./no-such-dir-for-audit', description: 'List a missing directory' } },
}

describe('tool audit and policy with the real Claude Code', { timeout: 180_000 }, () => {
  const socket = privateSocket('sm-e2e-audit')
  let root: string
  let work: string
  let dataDir: string
  let stub: AnthropicStub
  let server: SmServer
  let api: SmApi
  let smEnv: Record<string, string>
  const sessions: SessionJson[] = []

  const script = (ctx: ReplyContext): StubReply => {
    const key = Object.keys(TOOL_FOR).find((k) => ctx.prompt.includes(k))
    if (key === undefined) return { text: 'OK' }
    if (ctx.promptTurns === 0) {
      const tool = TOOL_FOR[key]!
      const input = tool.name === 'Read' ? { file_path: join(work, '.env') } : tool.input
      return { text: `Running ${key}.`, toolUse: { name: tool.name, input } }
    }
    const result = ctx.toolResults[0]
    return { text: `${key}-DONE error=${result?.is_error ?? 'none'}: ${result?.content ?? 'no result'}` }
  }

  const sm = (args: string[]) => runSm(args, smEnv)
  const tools = async (args: string[]): Promise<ToolEventDto[]> => (await runSmJson<{ tools: ToolEventDto[] }>(['tools', ...args, '--json'], smEnv)).tools

  /** Starts a session with `prompt` and waits for the end of its turn; returns the Stop message. */
  async function runTurn(name: string, prompt: string, policy?: string): Promise<{ session: SessionJson; message: string }> {
    const args = ['new', work, '--name', name, '--prompt', prompt, '--no-attach', '--json', ...(policy ? ['--policy', policy] : [])]
    const session = await runSmJson<SessionJson>(args, smEnv)
    sessions.push(session)
    const [stop] = await api.waitForEvents(session.id, (e) => e.event === 'Stop' && String(e.payload?.last_assistant_message).includes('-DONE'), 1, { timeoutMs: 90_000 })
    return { session, message: String(stop!.payload!.last_assistant_message) }
  }

  beforeAll(async () => {
    const world = await startClaudeWorld({
      prefix: 'sm-e2e-audit',
      socket,
      script,
      permissionMode: 'auto',
      prepare: ({ work }) => {
        mkdirSync(join(work, 'build'), { recursive: true })
        writeFileSync(join(work, 'build', 'artifact.txt'), 'built\n')
        writeFileSync(join(work, '.env'), 'APP_MODE=test\n')
      },
    })
    ;({ root, work, dataDir, stub, server, smEnv } = world)
    api = new SmApi(() => server.url, dataDir)
  }, 120_000)

  afterAll(() => stopClaudeWorld(socket, { server, stub, root }), 120_000)

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await reportFailure('audit-e2e', socket, server, sessions)
  })

  it('strict: `rm -rf ./build` is not run, the model gets the reason, the row records deny', async () => {
    const { session, message } = await runTurn('guarded', 'AUDIT-DELETE please', 'strict')
    expect(session.policy).toBe('strict')
    expect(existsSync(join(work, 'build', 'artifact.txt'))).toBe(true)
    expect(message).toContain('error=true')
    expect(message).toContain("claude-sessions policy 'strict' blocked: recursive_delete: rm -rf ./build")
    const rows = await tools(['--session', session.id])
    const pre = rows.find((r) => r.event === 'PreToolUse')!
    expect(pre).toMatchObject({ toolName: 'Bash', command: 'rm -rf ./build', destructive: true, category: 'recursive_delete', decision: 'deny' })
    // denied: the tool never ran, so no PostToolUse
    expect(rows.filter((r) => r.event === 'PostToolUse')).toEqual([])
    expect((await tools(['--denied'])).map((r) => r.toolUseId)).toEqual([pre.toolUseId])
  })

  it('log (the default): `rm -rf ./build` runs and is recorded destructive with its exit code and duration; Pre and Post correlated', async () => {
    const { session } = await runTurn('open', 'AUDIT-DELETE now')
    expect(existsSync(join(work, 'build'))).toBe(false)
    const rows = await tools(['--session', session.id, '--tool', 'Bash'])
    const pre = rows.find((r) => r.event === 'PreToolUse')!
    const post = rows.find((r) => r.event === 'PostToolUse')!
    expect(pre).toMatchObject({ destructive: true, category: 'recursive_delete', decision: null, sessionName: 'open' })
    expect(post.toolUseId).toBe(pre.toolUseId)
    expect(post.exitCode).toBe(0)
    expect(post.durationMs).toEqual(expect.any(Number))
    expect((await tools(['--destructive', '--session', session.id])).map((r) => r.event)).toEqual(['PreToolUse'])
  })

  it('a Read of .env is flagged sensitive', async () => {
    const { session } = await runTurn('reader', 'AUDIT-READ-ENV now')
    const rows = await tools(['--session', session.id, '--sensitive'])
    expect(rows[0]).toMatchObject({ event: 'PreToolUse', toolName: 'Read', sensitive: true, targetFile: join(work, '.env') })
  })

  it('a failing command is recorded with its exit code and error', async () => {
    const { session, message } = await runTurn('failing', 'AUDIT-FAIL now')
    expect(message).toContain('error=true')
    const rows = await tools(['--session', session.id])
    const failure = rows.find((r) => r.event === 'PostToolUseFailure')!
    expect(failure).toMatchObject({ toolName: 'Bash', exitCode: 2 })
    expect(failure.error).toContain('no-such-dir-for-audit')
    expect(failure.toolUseId).toBe(rows.find((r) => r.event === 'PreToolUse')!.toolUseId)
  })

  it('sm tools stats counts them by category', async () => {
    const stats = await runSmJson<{ rows: { key: string | null; calls: number; denied: number }[] }>(['tools', 'stats', '--by', 'category', '--json'], smEnv)
    expect(stats.rows.find((r) => r.key === 'recursive_delete')).toMatchObject({ calls: 2, denied: 1 })
    const table = await sm(['tools', '--destructive'])
    expect(table.status).toBe(0)
    expect(table.stdout).toContain('rm -rf ./build')
  })
})

import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { dataFiles } from './config/paths.js'
import type { Config } from './config/schema.js'
import { startServer, type RunningServer } from './start-server.js'
import { cleanup, operatorClient, runHook, silentLog, testConfig, tmuxEnv } from './test-support.js'

const CLAUDE_ID = '6bf01783-816d-49d3-a354-25f1341e986b'
const fixture = JSON.parse(readFileSync(new URL('../../../packages/core/fixtures/audit/secrets.json', import.meta.url), 'utf8')) as {
  secrets: Record<string, string>
  texts: Record<string, string>
}

const running: RunningServer[] = []
const configs: Config[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  for (const c of configs.splice(0)) cleanup(c)
})

async function start(overrides: Partial<Config> = {}) {
  const config = testConfig(overrides)
  configs.push(config)
  const server = await startServer(config, silentLog())
  running.push(server)
  return { config, server, client: operatorClient(server, config) }
}

/** The hook environment of a managed session, as its terminal has it. */
async function managed(config: Config, server: RunningServer, policy?: string) {
  const { session } = await operatorClient(server, config).create({ workingDir: config.dataDir, ...(policy ? { policy } : {}) })
  const env = {
    CLAUDE_SESSIONS_URL: server.url,
    CLAUDE_SESSIONS_DATA_DIR: config.dataDir,
    CLAUDE_SESSION_MANAGER_ID: session.id,
    CLAUDE_SESSION_MANAGER_TOKEN: tmuxEnv(config, session.tmuxSession!, 'CLAUDE_SESSION_MANAGER_TOKEN'),
  }
  return { session, env }
}

const bash = (command: string, id: string, extra: object = {}) => ({
  session_id: CLAUDE_ID,
  cwd: '/home/tester/project',
  tool_name: 'Bash',
  tool_input: { command },
  tool_use_id: id,
  ...extra,
})

describe('tool audit in the server', () => {
  it('no secret from the fixture reaches the database file (tool input, response, prompt, last message, custom pattern)', async () => {
    const { config, server, client } = await start({ redactPatterns: [/internal-id-[0-9]+/g] })
    const { env } = await managed(config, server)
    const { texts } = fixture
    await runHook('UserPromptSubmit', { session_id: CLAUDE_ID, prompt: `use ${texts['command']}` }, env)
    await runHook('PreToolUse', bash(texts['command']!, 'toolu_1'), env)
    await runHook('PostToolUse', bash(texts['command']!, 'toolu_1', { tool_response: { stdout: texts['envFile']! + texts['pem']!, stderr: texts['message'] } }), env)
    await runHook('PreToolUse', { session_id: CLAUDE_ID, tool_name: 'Read', tool_input: { file_path: '/home/tester/project/.env' }, tool_use_id: 'toolu_2' }, env)
    await runHook('PostToolUse', { session_id: CLAUDE_ID, tool_name: 'Read', tool_input: { file_path: '.env' }, tool_response: { file: { content: texts['envFile'] } }, tool_use_id: 'toolu_2' }, env)
    await runHook('PostToolUseFailure', bash('deploy', 'toolu_3', { error: `Exit code 1\n${texts['message']}` }), env)
    await runHook('Stop', { session_id: CLAUDE_ID, last_assistant_message: texts['message'] }, env)

    const tools = (await client.tools()).tools
    expect(tools).toHaveLength(5)
    expect(tools[2]).toMatchObject({ toolName: 'Read', sensitive: true })
    expect(tools[0]!.command).toContain('[REDACTED]')
    await server.close()
    const files = [dataFiles(config.dataDir).database, `${dataFiles(config.dataDir).database}-wal`].filter((f) => existsSync(f))
    const bytes = files.map((f) => readFileSync(f).toString('latin1')).join('\n')
    // the fixture's texts did reach the file, redacted
    expect(bytes).toContain('Authorization: Bearer [REDACTED]')
    for (const [name, secret] of Object.entries(fixture.secrets)) expect(bytes.includes(secret), `${name} is in the database file`).toBe(false)
  })

  it('a strict session gets deny in the PreToolUse reply of the real hook script; the row records it; a harmless call passes', async () => {
    const { config, server, client } = await start()
    const { session, env } = await managed(config, server, 'strict')
    expect(session.policy).toBe('strict')
    const denied = await runHook('PreToolUse', bash('rm -rf ./build', 'toolu_d'), env)
    expect(denied.status).toBe(0)
    expect(JSON.parse(denied.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: "claude-sessions policy 'strict' blocked: recursive_delete: rm -rf ./build",
      },
    })
    expect(JSON.parse((await runHook('PreToolUse', bash('ls', 'toolu_ok'), env)).stdout)).toEqual({})
    const [row] = (await client.tools({ denied: true })).tools
    expect(row).toMatchObject({ toolUseId: 'toolu_d', decision: 'deny', category: 'recursive_delete', match: 'rm -rf ./build', sessionId: session.id })
  })

  it('a default session logs the destructive call with its exit code and duration; Pre and Post share the tool_use_id', async () => {
    const { config, server, client } = await start()
    const { session, env } = await managed(config, server)
    expect(JSON.parse((await runHook('PreToolUse', bash('rm -rf ./build', 'toolu_x'), env)).stdout)).toEqual({})
    await runHook('PostToolUse', bash('rm -rf ./build', 'toolu_x', { tool_response: { stdout: '', stderr: '' }, duration_ms: 12 }), env)
    const rows = (await client.sessionTools(session.id)).tools
    expect(rows.map((r) => [r.event, r.toolUseId, r.destructive, r.decision])).toEqual([
      ['PreToolUse', 'toolu_x', true, null],
      ['PostToolUse', 'toolu_x', false, null],
    ])
    expect(rows[1]).toMatchObject({ exitCode: 0, durationMs: 12 })
  })

  it('hooks.fail_closed: the marker file is written at start and removed when it is off', async () => {
    const on = await start({ hooksFailClosed: true })
    const marker = dataFiles(on.config.dataDir).failClosedMarker
    expect(existsSync(marker)).toBe(true)
    await on.server.close()
    const off = await startServer({ ...on.config, hooksFailClosed: false }, silentLog())
    running.push(off)
    expect(existsSync(marker)).toBe(false)
  })

  it('server down with fail_closed: the hook blocks PreToolUse (exit 2) and spools it; the server imports it once, with no decision', async () => {
    const { config, server } = await start({ hooksFailClosed: true })
    const { session, env } = await managed(config, server, 'strict')
    const url = server.url
    await server.close()
    const blocked = await runHook('PreToolUse', bash('rm -rf ./build', 'toolu_down'), env)
    expect(blocked.status).toBe(2)
    expect(blocked.stderr).toContain('hooks.fail_closed')
    const other = await runHook('PostToolUse', bash('ls', 'toolu_ls', { tool_response: {} }), env)
    expect(other.status).toBe(0)
    const again = await startServer({ ...config, port: Number(new URL(url).port) }, silentLog())
    running.push(again)
    const rows = (await operatorClient(again, config).sessionTools(session.id)).tools
    expect(rows.map((r) => [r.event, r.toolUseId, r.decision])).toEqual([
      ['PreToolUse', 'toolu_down', null],
      ['PostToolUse', 'toolu_ls', null],
    ])
  })

  it('bad input over HTTP: a 5 MB response is stored cut (size kept) or refused with 413 above the body limit; binary-ish text, unknown tools and a missing tool_use_id are stored; the server keeps serving', async () => {
    const { config, server, client } = await start({ maxBodyBytes: 8 * 1024 * 1024 })
    const { session, env } = await managed(config, server)
    const post = (event: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/hooks/${event}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sm-session': session.id, authorization: `Bearer ${env.CLAUDE_SESSION_MANAGER_TOKEN}`, ...headers },
        body,
      })
    const huge = JSON.stringify(bash('cat big.log', 'toolu_big', { tool_response: { stdout: 'x'.repeat(5 * 1024 * 1024) } }))
    expect((await post('PostToolUse', huge)).status).toBe(200)
    const binary = JSON.stringify(bash('printf \u0000\u0001\ud800 \u001b[31m done', 'toolu_bin'))
    expect((await post('PreToolUse', binary)).status).toBe(200)
    const unknown = JSON.stringify({ session_id: CLAUDE_ID, tool_name: 'mcp__weird__Frobnicate', tool_input: { deep: [1, { x: null }] } })
    expect((await post('PreToolUse', unknown)).status).toBe(200)
    const malformed = await post('PreToolUse', '{"session_id": ')
    expect(malformed.status).toBe(400)

    const rows = (await client.sessionTools(session.id)).tools
    expect(rows.map((r) => r.toolUseId)).toEqual(['toolu_big', 'toolu_bin', null])
    expect(rows[0]!.toolResponse!.length).toBe(config.auditResponseCap)
    expect(rows[0]!.toolResponseSize).toBeGreaterThan(5 * 1024 * 1024)
    expect(rows[1]!.command).toContain('done')
    expect(rows[2]).toMatchObject({ toolName: 'mcp__weird__Frobnicate', toolInput: { deep: [1, { x: null }] }, destructive: false })
    const [stored] = (await client.events(session.id)).events
    expect(stored).toMatchObject({ event: 'PostToolUse', truncated: true })
    expect(stored!.rawSize).toBeGreaterThan(5 * 1024 * 1024)

    // above the body limit: refused whole, nothing recorded, the server fine
    const small = await start({ maxBodyBytes: 1024 * 1024 })
    const other = await managed(small.config, small.server)
    const refused = await runHook('PostToolUse', JSON.parse(huge) as object, other.env)
    expect(refused.status).toBe(0)
    expect((await small.client.sessionTools(other.session.id)).tools).toEqual([])
    expect((await small.client.health()).ok).toBe(true)
  })
})

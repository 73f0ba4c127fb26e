/**
 * `sm ls` with a background subagent still running after the turn's Stop: the real server, the
 * real `sm`, the Stop payload as Claude Code 2.1.330 sends it (../shared/claude-code/payloads/Stop.with-background-task.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stateLabel } from './format.js'
import { sm, startServerProcess, tmuxEnv, type ServerProcess } from './test-support.js'

const CLAUDE_ID = 'a1b2f73b-8ebf-4022-9876-b30d0c338d82'
let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess()
}, 30_000)

afterAll(() => server?.stop(), 30_000)

async function hook(id: string, token: string, event: string, payload: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${server.url}/hooks/${event}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sm-session': id, authorization: `Bearer ${token}` },
    body: JSON.stringify({ session_id: CLAUDE_ID, cwd: server.dir, hook_event_name: event, ...payload }),
  })
  expect(res.status).toBe(200)
}

describe('sm ls shows background work', () => {
  it('stateLabel: `idle · N bg` while background tasks run; plain state otherwise', () => {
    expect(stateLabel({ state: 'idle', kind: 'managed', backgroundTasks: 1 })).toBe('idle · 1 bg')
    expect(stateLabel({ state: 'working', kind: 'external', backgroundTasks: 2 })).toBe('working* · 2 bg')
    expect(stateLabel({ state: 'idle', kind: 'managed', backgroundTasks: 0 })).toBe('idle')
    expect(stateLabel({ state: 'stopped', kind: 'managed', backgroundTasks: 1 })).toBe('stopped')
  })

  it('a Stop reporting a running background subagent shows `idle · 1 bg`; the next Stop without it shows `idle`', async () => {
    const created = await sm(['new', server.dir, '--name', 'bgtest', '--no-attach', '--json'], server.env)
    expect(created.status, created.stderr).toBe(0)
    const id = (JSON.parse(created.stdout) as { id: string }).id
    const token = tmuxEnv(server.socket, `claude-${id}`, 'CLAUDE_SESSION_MANAGER_TOKEN')
    await hook(id, token, 'SessionStart', { source: 'startup', model: 'claude-opus' })
    await hook(id, token, 'UserPromptSubmit', { prompt: 'list the files in the background' })
    await hook(id, token, 'SubagentStart', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })
    await hook(id, token, 'Stop', {
      stop_hook_active: false,
      last_assistant_message: 'done',
      background_tasks: [{ id: 'a3990472c679f7b59', type: 'subagent', status: 'running', description: 'List files', agent_type: 'general-purpose' }],
      session_crons: [],
    })
    const ls = await sm(['ls'], server.env)
    expect(ls.status, ls.stderr).toBe(0)
    const line = ls.stdout.split('\n').find((l) => l.startsWith('bgtest'))!
    expect(line).toMatch(new RegExp(`^bgtest\\s+${id}\\s+idle · 1 bg\\s+\\d+s\\s+`))

    await hook(id, token, 'SubagentStop', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose', last_assistant_message: 'files listed' })
    await hook(id, token, 'Stop', { stop_hook_active: false, last_assistant_message: 'all done', background_tasks: [], session_crons: [] })
    const after = (await sm(['ls'], server.env)).stdout.split('\n').find((l) => l.startsWith('bgtest'))!
    expect(after).toMatch(new RegExp(`^bgtest\\s+${id}\\s+idle\\s+\\d+s\\s+`))
    expect(after).not.toContain(' bg ')
  })
})

/**
 * `sm ls` with a background subagent still running after the turn's Stop, in-process: the Stop
 * payload as Claude Code 2.1.330 sends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stateLabel } from './format.js'
import { inProcessServer, type InProcessServer } from './testing/in-process.js'

const CLAUDE_ID = 'a1b2f73b-8ebf-4022-9876-b30d0c338d82'
let server: InProcessServer

beforeAll(() => {
  server = inProcessServer()
})
afterAll(() => server?.stop())

describe('sm ls shows background work', () => {
  it('stateLabel: `idle · N bg` while background tasks run; plain state otherwise', () => {
    expect(stateLabel({ state: 'idle', kind: 'managed', backgroundTasks: 1 })).toBe('idle · 1 bg')
    expect(stateLabel({ state: 'working', kind: 'external', backgroundTasks: 2 })).toBe('working* · 2 bg')
    expect(stateLabel({ state: 'idle', kind: 'managed', backgroundTasks: 0 })).toBe('idle')
    expect(stateLabel({ state: 'stopped', kind: 'managed', backgroundTasks: 1 })).toBe('stopped')
  })

  it('a Stop reporting a running background subagent shows `idle · 1 bg`; the next Stop without it shows `idle`', async () => {
    const created = await server.sm(['new', server.dir, '--name', 'bgtest', '--no-attach', '--json'])
    expect(created.status, created.stderr).toBe(0)
    const id = (JSON.parse(created.stdout) as { id: string }).id
    const hook = (event: string, payload: Record<string, unknown>) => server.hook(id, event, { session_id: CLAUDE_ID, cwd: server.dir, ...payload })
    await hook('SessionStart', { source: 'startup', model: 'claude-opus' })
    await hook('UserPromptSubmit', { prompt: 'list the files in the background' })
    await hook('SubagentStart', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })
    await hook('Stop', {
      stop_hook_active: false,
      last_assistant_message: 'done',
      background_tasks: [{ id: 'a3990472c679f7b59', type: 'subagent', status: 'running', description: 'List files', agent_type: 'general-purpose' }],
      session_crons: [],
    })
    const ls = await server.sm(['ls'])
    expect(ls.status, ls.stderr).toBe(0)
    const line = ls.stdout.split('\n').find((l) => l.startsWith('bgtest'))!
    expect(line).toMatch(new RegExp(`^bgtest\\s+${id}\\s+idle · 1 bg\\s+\\d+s\\s+`))
    expect(JSON.parse((await server.sm(['ls', '--json'])).stdout)).toMatchObject([{ id, state: 'idle', backgroundTasks: 1 }])

    await hook('SubagentStop', { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose', last_assistant_message: 'files listed' })
    await hook('Stop', { stop_hook_active: false, last_assistant_message: 'all done', background_tasks: [], session_crons: [] })
    const after = (await server.sm(['ls'])).stdout.split('\n').find((l) => l.startsWith('bgtest'))!
    expect(after).toMatch(new RegExp(`^bgtest\\s+${id}\\s+idle\\s+\\d+s\\s+`))
    expect(after).not.toContain(' bg ')
  })

  it('external sessions (hooks without a managed id) are listed with a short id and `*`', async () => {
    const payload = { session_id: 'e7e7e7e7-0000-4000-8000-000000000001', hook_event_name: 'SessionStart', source: 'startup', cwd: server.dir }
    const res = await server.app.request('/hooks/SessionStart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
    expect(res.status).toBe(200)
    const ls = (await server.sm(['ls'])).stdout.split('\n')
    expect(ls.find((l) => l.startsWith('-  '))).toMatch(new RegExp(`^- +e7e7e7e7 +\\w+\\* +\\d+s +${server.dir}$`))
  })
})

import { describe, expect, it } from 'vitest'
import { foldSubagents } from './subagents.js'

let at = 1_000
const ev = (event: string, payload: Record<string, unknown>, cutTo?: number) => {
  const raw = JSON.stringify({ session_id: 'c-1', hook_event_name: event, ...payload })
  at += 1000
  return { event, at, raw: cutTo === undefined ? raw : raw.slice(0, cutTo), rawSize: raw.length }
}
const task = (id: string, status = 'running', description = 'List files') => ({ id, type: 'subagent', status, description, agent_type: 'general-purpose' })

describe('foldSubagents', () => {
  it('folds SubagentStart/Stop into subagents with type, state and times; the newest Stop gives the background tasks', () => {
    at = 0
    const events = [
      ev('UserPromptSubmit', { prompt: 'go' }), // 1000
      ev('SubagentStart', { agent_id: 'a1', agent_type: 'general-purpose' }), // 2000
      ev('SubagentStart', { agent_id: 'a2', agent_type: 'Explore' }), // 3000
      ev('Stop', { last_assistant_message: 'waiting', background_tasks: [task('a1'), task('a2', 'running', 'Search the code')] }), // 4000
      ev('SubagentStop', { agent_id: 'a1', agent_type: 'general-purpose', last_assistant_message: 'subagent done', background_tasks: [task('a1')] }), // 5000
      ev('Stop', { last_assistant_message: 'done', background_tasks: [task('a2', 'running', 'Search the code')] }), // 6000
    ]
    expect(foldSubagents(events)).toEqual({
      subagents: [
        { id: 'a1', type: 'general-purpose', state: 'done', startedAt: 2000, endedAt: 5000, description: 'List files', lastMessage: 'subagent done' },
        { id: 'a2', type: 'Explore', state: 'running', startedAt: 3000, endedAt: null, description: 'Search the code', lastMessage: null },
      ],
      backgroundTasks: [{ id: 'a2', type: 'subagent', status: 'running', description: 'Search the code', agentType: 'general-purpose' }],
      backgroundTasksAt: 6000,
    })
  })

  it('the real payloads: SubagentStart, SubagentStop, Stop with a background task', () => {
    at = 0
    const start = { session_id: 's', cwd: '/home/tester/project', prompt_id: 'p', agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose', hook_event_name: 'SubagentStart' }
    const stop = {
      ...start,
      hook_event_name: 'Stop',
      stop_hook_active: false,
      last_assistant_message: 'done',
      background_tasks: [{ id: 'a3990472c679f7b59', type: 'subagent', status: 'running', description: 'List files', agent_type: 'general-purpose' }],
      session_crons: [],
    }
    const view = foldSubagents([
      { event: 'SubagentStart', at: 10, raw: JSON.stringify(start), rawSize: JSON.stringify(start).length },
      { event: 'Stop', at: 20, raw: JSON.stringify(stop), rawSize: JSON.stringify(stop).length },
    ])
    expect(view.subagents).toEqual([{ id: 'a3990472c679f7b59', type: 'general-purpose', state: 'running', startedAt: 10, endedAt: null, description: 'List files', lastMessage: null }])
    expect(view.backgroundTasks).toHaveLength(1)
  })

  it('a stop without its start (older than the events read) and a resumed subagent', () => {
    at = 0
    const view = foldSubagents([
      ev('SubagentStop', { agent_id: 'old', agent_type: 'Plan', last_assistant_message: 'x'.repeat(1000) }), // 1000
      ev('SubagentStart', { agent_id: 'old', agent_type: 'Plan' }), // 2000
    ])
    expect(view.subagents).toEqual([{ id: 'old', type: 'Plan', state: 'running', startedAt: null, endedAt: null, description: null, lastMessage: `${'x'.repeat(299)}…` }])
    expect(view.backgroundTasks).toBeNull()
    expect(view.backgroundTasksAt).toBeNull()
  })

  it('SessionEnd and a new conversation end subagents still running; /compact does not', () => {
    at = 0
    const view = foldSubagents([
      ev('SubagentStart', { agent_id: 'a', agent_type: 't' }), // 1000
      ev('SessionStart', { source: 'compact' }), // 2000
      ev('SubagentStart', { agent_id: 'b', agent_type: 't' }), // 3000
      ev('SessionEnd', { reason: 'clear' }), // 4000
      ev('SessionStart', { source: 'clear' }), // 5000
      ev('SubagentStart', { agent_id: 'c', agent_type: 't' }), // 6000
      ev('SessionStart', { source: 'startup' }), // 7000
      ev('SubagentStart', { agent_id: 'd', agent_type: 't' }), // 8000
    ])
    expect(view.subagents.map((s) => [s.id, s.state, s.endedAt])).toEqual([
      ['a', 'done', 4000],
      ['b', 'done', 4000],
      ['c', 'done', 7000],
      ['d', 'running', null],
    ])
  })

  it('cut or broken payloads: a cut Stop leaves the background tasks unknown; junk is skipped', () => {
    at = 0
    const view = foldSubagents([
      ev('Stop', { background_tasks: [task('x')] }),
      ev('SubagentStart', { agent_id: 'a', agent_type: 't' }),
      { event: 'SubagentStart', at: 1, raw: '{not json', rawSize: 9 },
      { event: 'SubagentStart', at: 1, raw: '[1]', rawSize: 3 },
      ev('SubagentStart', { agent_type: 'no id' }),
      ev('SubagentStart', { agent_id: 42 }),
      ev('Stop', { last_assistant_message: 'y'.repeat(500), background_tasks: [task('z')] }, 100),
    ])
    expect(view.subagents.map((s) => s.id)).toEqual(['a'])
    expect(view.backgroundTasks).toBeNull()
    expect(view.backgroundTasksAt).toBe(at)
    const empty = foldSubagents([ev('Stop', { last_assistant_message: 'ok' }), ev('Stop', { background_tasks: [null, { id: 7 }, { id: 'ok' }] })])
    expect(empty.backgroundTasks).toEqual([{ id: 'ok', type: null, status: null, description: null, agentType: null }])
    expect(foldSubagents([])).toEqual({ subagents: [], backgroundTasks: null, backgroundTasksAt: null })
  })
})

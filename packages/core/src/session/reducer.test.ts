import { describe, expect, it } from 'vitest'
import { allPayloadDirFiles, loadPayload, PAYLOAD_NOTES, payloadFiles } from '../../fixtures/load.js'
import { parseHookEvent, type HookEvent } from '../events/hook-event.js'
import { aHookEvent, aSession } from '../testing/builders.js'
import { isTaskNotification, reduce, type Effect, type SessionEvent } from './reducer.js'
import type { Session, SessionState } from './session.js'

const NOW = 1_700_000_100_000

/** A recorded payload, optionally changed, parsed the way the server parses it. */
function hook(file: string, changes: Record<string, unknown> = {}): HookEvent {
  const { event, payload } = loadPayload(file)
  return parseHookEvent(event, { ...payload, ...changes })
}

/** Runs events in order, one millisecond apart; returns every step. */
function run(start: Session, events: SessionEvent[]) {
  const steps: { session: Session; effects: Effect[] }[] = []
  let session = start
  events.forEach((event, i) => {
    const step = reduce(session, event, NOW + i)
    steps.push(step)
    session = step.session
  })
  return { session, steps, effects: steps.flatMap((s) => s.effects) }
}

const changed = (from: SessionState, to: SessionState): Effect => ({ type: 'state_changed', from, to })

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

// ---------------------------------------------------------------------------------------------
// Every recorded payload, from a working and from an idle session of the same conversation.
// ---------------------------------------------------------------------------------------------

interface Outcome {
  state: SessionState
  effects: Effect[]
}
const same = (state: SessionState): Outcome => ({ state, effects: [] })
const noChange = { working: same('working'), idle: same('idle') }
const toWorking: { working: Outcome; idle: Outcome } = {
  working: same('working'),
  idle: { state: 'working', effects: [changed('idle', 'working')] },
}
const toState = (state: SessionState, extra: Effect[] = []) => ({
  working: { state, effects: [changed('working', state), ...extra] },
  idle: { state, effects: [changed('idle', state), ...extra] },
})
/** Changes a working session only; an idle one stays as it is. */
const workingOnly = (state: SessionState) => ({
  working: { state, effects: [changed('working', state)] },
  idle: same('idle'),
})
const turnEnded = (finished: boolean, message: string | null, failed = false): Effect => ({
  type: 'turn_ended',
  finished,
  message,
  failed,
})

const EXPECTED: Record<string, { working: Outcome; idle: Outcome }> = {
  'ConfigChange.json': noChange,
  'CwdChanged.json': noChange,
  'FileChanged.json': noChange,
  'InstructionsLoaded.json': noChange,
  // may land after Stop: must not make an idle session working
  'MessageDisplay.json': noChange,
  'Notification.idle_prompt.json': workingOnly('idle'),
  // a late permission_prompt (fires ~6 s after the dialog) can't reopen a finished turn
  'Notification.json': workingOnly('waiting_permission'),
  'Notification.permission_prompt.json': workingOnly('waiting_permission'),
  'PermissionRequest.Bash.json': toState('waiting_permission'),
  'PermissionRequest.json': toState('waiting_permission'),
  'PostCompact.json': noChange,
  'PostModelSwitch.json': noChange,
  'PostToolBatch.json': noChange,
  'PostToolUse.Agent.json': toWorking,
  'PostToolUse.Bash.json': toWorking,
  'PostToolUse.Read.json': toWorking,
  'PostToolUse.json': toWorking,
  'PostToolUseFailure.Bash.json': toWorking,
  'PostToolUseFailure.json': toWorking,
  'PreCompact.json': noChange,
  'PreModelSwitch.json': noChange,
  'PreToolUse.Agent.json': toWorking,
  'PreToolUse.Bash.json': toWorking,
  'PreToolUse.Read.json': toWorking,
  'PreToolUse.json': toWorking,
  // /clear does not end our session
  'SessionEnd.clear.json': noChange,
  'SessionEnd.json': noChange,
  'SessionEnd.other.json': toState('stopped', [{ type: 'stopped', reason: 'other' }]),
  'SessionEnd.prompt_input_exit.json': toState('stopped', [{ type: 'stopped', reason: 'prompt_input_exit' }]),
  'SessionStart.clear.json': workingOnly('idle'),
  'SessionStart.compact.json': noChange,
  'SessionStart.json': workingOnly('idle'),
  'SessionStart.startup.json': workingOnly('idle'),
  'Stop.json': {
    working: { state: 'idle', effects: [changed('working', 'idle'), turnEnded(true, 'done')] },
    idle: { state: 'idle', effects: [turnEnded(true, 'done')] },
  },
  'Stop.with-background-task.json': {
    working: { state: 'idle', effects: [changed('working', 'idle'), turnEnded(false, 'done')] },
    idle: { state: 'idle', effects: [turnEnded(false, 'done')] },
  },
  'StopFailure.json': toState('error', [turnEnded(true, 'API Error: 400 stub: scripted failure', true)]),
  // SubagentStart only confirms a turn already running; seen while idle it is a background
  // subagent's own child
  'SubagentStart.json': noChange,
  // a background subagent finishing after Stop does not reopen the turn
  'SubagentStop.json': noChange,
  'UserPromptExpansion.json': noChange,
  'UserPromptSubmit.json': {
    working: { state: 'working', effects: [{ type: 'prompt_submitted', prompt: 'clean the build' }] },
    idle: {
      state: 'working',
      effects: [changed('idle', 'working'), { type: 'prompt_submitted', prompt: 'clean the build' }],
    },
  },
  // Claude starts a turn to read a finished background task; nobody typed it
  'UserPromptSubmit.task-notification.json': toWorking,
}

describe('reduce: every recorded payload', () => {
  const files = payloadFiles()

  it('has an expectation for every payload file, and every file is a payload or a known note', () => {
    expect(files.filter((f) => !(f in EXPECTED))).toEqual([])
    expect(Object.keys(EXPECTED).filter((f) => !files.includes(f))).toEqual([])
    const notes = allPayloadDirFiles().filter((f) => !files.includes(f))
    expect(notes).toEqual([...PAYLOAD_NOTES].sort())
  })

  describe.each(['working', 'idle'] as const)('from state %s', (from) => {
    it.each(files)('%s', (file) => {
      const expected = EXPECTED[file]![from]
      const event = hook(file)
      const session = deepFreeze(aSession({ state: from, claudeSessionId: event.claudeSessionId }))
      const { session: next, effects } = reduce(session, event, NOW)
      expect(next.state).toBe(expected.state)
      expect(effects).toEqual(expected.effects)
      expect(next.lastEventAt).toBe(NOW)
      expect(next.lastActivityAt).toBe(NOW)
      expect(next.claudeSessionId).toBe(event.claudeSessionId)
      expect(next.stoppedAt).toBe(expected.state === 'stopped' ? NOW : null)
      expect(next.id).toBe(session.id)
    })
  })

  it('stateSince moves only when the state changes (hooks and what the server sees alike)', () => {
    const s = aSession({ state: 'working', stateSince: 1_000 })
    expect(reduce(s, hook('PreToolUse.Read.json'), NOW).session.stateSince).toBe(1_000)
    const idle = reduce(s, hook('Stop.json'), NOW).session
    expect([idle.state, idle.stateSince]).toEqual(['idle', NOW])
    const gone = reduce(idle, { kind: 'tmux_gone' }, NOW + 5).session
    expect([gone.state, gone.stateSince]).toEqual(['stopped', NOW + 5])
    expect(reduce(gone, { kind: 'tmux_gone' }, NOW + 9).session.stateSince).toBe(NOW + 5)
  })

  it('records the tool of Pre/PostToolUse', () => {
    expect(reduce(aSession({ state: 'working' }), hook('PreToolUse.Read.json'), NOW).session.lastTool).toBe('Read')
    expect(reduce(aSession({ state: 'working' }), hook('PostToolUse.Bash.json'), NOW).session.lastTool).toBe('Bash')
  })

  it('records the model from SessionStart and PostModelSwitch, not from PreModelSwitch', () => {
    const s = aSession({ state: 'idle', model: 'old' })
    expect(reduce(s, hook('SessionStart.startup.json'), NOW).session.model).toBe('claude-opus-5-5')
    expect(reduce(s, hook('PostModelSwitch.json'), NOW).session.model).toBe('claude-sonnet-5-5')
    expect(reduce(s, hook('PreModelSwitch.json'), NOW).session.model).toBe('old')
    // SessionStart after /clear has no model: the known one stays
    expect(reduce(s, hook('SessionStart.clear.json'), NOW).session.model).toBe('old')
  })

  it('follows the working directory on CwdChanged', () => {
    const next = reduce(aSession({ state: 'working' }), hook('CwdChanged.json'), NOW).session
    expect(next.workingDir).toBe('/home/tester/project/sub')
  })
})

// ---------------------------------------------------------------------------------------------
// Sequences as Claude Code produces them
// ---------------------------------------------------------------------------------------------

describe('reduce: a turn', () => {
  it('startup → prompt → tools → Stop ends idle with the last message', () => {
    const { session, steps } = run(aSession(), [
      hook('SessionStart.startup.json'),
      hook('InstructionsLoaded.json'),
      hook('UserPromptSubmit.json'),
      hook('PreToolUse.Bash.json'),
      hook('PostToolUse.Bash.json'),
      hook('PostToolBatch.json'),
      hook('MessageDisplay.json'),
      hook('Stop.json'),
    ])
    expect(steps.map((s) => s.session.state)).toEqual([
      'idle',
      'idle',
      'working',
      'working',
      'working',
      'working',
      'working',
      'idle',
    ])
    // the first SessionStart only teaches us Claude's session_id: no "changed" effect
    expect(steps[0]!.effects).toEqual([changed('starting', 'idle')])
    expect(steps[2]!.effects).toEqual([changed('idle', 'working'), { type: 'prompt_submitted', prompt: 'clean the build' }])
    expect(steps[7]!.effects).toEqual([changed('working', 'idle'), turnEnded(true, 'done')])
    expect(session).toMatchObject({
      state: 'idle',
      claudeSessionId: '6bf01783-816d-49d3-a354-25f1341e986b',
      model: 'claude-opus-5-5',
      lastTool: 'Bash',
      lastMessage: 'done',
      backgroundTasks: 0,
      stoppedAt: null,
      lastEventAt: NOW + 7,
    })
  })

  it('a MessageDisplay that lands after Stop leaves the session idle', () => {
    const { session, steps } = run(aSession({ state: 'working' }), [hook('Stop.json'), hook('MessageDisplay.json')])
    expect(session.state).toBe('idle')
    expect(steps[1]!.effects).toEqual([])
  })

  it('an idle_prompt notification never makes a session working', () => {
    for (const state of ['idle', 'error', 'waiting_permission', 'waiting_answer'] as const) {
      expect(reduce(aSession({ state }), hook('Notification.idle_prompt.json'), NOW).session.state).toBe(state)
    }
    // it does tell a session we thought busy, or still starting, that Claude waits for input
    expect(reduce(aSession({ state: 'starting' }), hook('Notification.idle_prompt.json'), NOW).session.state).toBe('idle')
  })

  it('keeps the previous last message when Stop carries none', () => {
    const s = aSession({ state: 'working', lastMessage: 'earlier' })
    const { session } = reduce(s, hook('Stop.json', { last_assistant_message: null }), NOW)
    expect(session.lastMessage).toBe('earlier')
  })

  it('StopFailure ends the turn in error; the next prompt starts working again', () => {
    const { session, steps } = run(aSession({ state: 'idle' }), [
      hook('UserPromptSubmit.json'),
      hook('StopFailure.json'),
      { kind: 'pane_idle' },
      hook('Notification.idle_prompt.json'),
    ])
    expect(steps[1]!.session.state).toBe('error')
    expect(steps[1]!.effects).toEqual([
      changed('working', 'error'),
      turnEnded(true, 'API Error: 400 stub: scripted failure', true),
    ])
    // the error stays visible until something new happens
    expect(session.state).toBe('error')
    expect(session.lastMessage).toBe('API Error: 400 stub: scripted failure')
    expect(reduce(session, hook('UserPromptSubmit.json'), NOW).session.state).toBe('working')
  })
})

describe('reduce: permission and questions', () => {
  it('PermissionRequest waits; the tool completing resumes working', () => {
    const { steps } = run(aSession({ state: 'working' }), [
      hook('PreToolUse.Bash.json'),
      hook('PermissionRequest.Bash.json'),
      hook('PostToolUse.Bash.json'),
    ])
    expect(steps.map((s) => s.session.state)).toEqual(['working', 'waiting_permission', 'working'])
    expect(steps[1]!.effects).toEqual([changed('working', 'waiting_permission')])
    expect(steps[2]!.effects).toEqual([changed('waiting_permission', 'working')])
  })

  it('a failing tool after the dialog resumes working too', () => {
    const s = aSession({ state: 'waiting_permission' })
    expect(reduce(s, hook('PostToolUseFailure.Bash.json'), NOW).session.state).toBe('working')
  })

  it('the permission_prompt notification after PermissionRequest changes nothing', () => {
    const { steps } = run(aSession({ state: 'working' }), [
      hook('PermissionRequest.json'),
      hook('Notification.permission_prompt.json'),
    ])
    expect(steps[1]!.session.state).toBe('waiting_permission')
    expect(steps[1]!.effects).toEqual([])
  })

  it('the permission_prompt notification stands in for a lost PermissionRequest (it comes ~6 s after the dialog opened, no hook since)', () => {
    let session = aSession({ state: 'idle' })
    session = reduce(session, hook('UserPromptSubmit.json'), NOW).session
    session = reduce(session, hook('PreToolUse.Bash.json'), NOW + 100).session
    session = reduce(session, hook('Notification.permission_prompt.json'), NOW + 6300).session
    expect(session.state).toBe('waiting_permission')
  })

  it('a late permission_prompt after a quick approval does not move the session back to waiting_permission', () => {
    // dialog at t0, "Yes" after ~1 s, the tool's PostToolUse, then the notification at ~6 s
    let session = aSession({ state: 'working' })
    const steps: [string, number][] = [
      ['PreToolUse.Bash.json', 0],
      ['PermissionRequest.Bash.json', 200],
      ['PostToolUse.Bash.json', 4500],
      ['Notification.permission_prompt.json', 6200],
    ]
    const states = steps.map(([file, at]) => (session = reduce(session, hook(file), NOW + at).session).state)
    expect(states).toEqual(['working', 'waiting_permission', 'working', 'working'])
  })

  it('a PreToolUse of AskUserQuestion waits for an answer; its PostToolUse resumes working', () => {
    const ask = { tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Which?' }] } }
    const { steps } = run(aSession({ state: 'working' }), [
      hook('PreToolUse.json', ask),
      // the question dialog goes through the permission flow: still a question
      hook('PermissionRequest.json', ask),
      hook('Notification.permission_prompt.json'),
      hook('PostToolUse.json', ask),
    ])
    expect(steps.map((s) => s.session.state)).toEqual(['waiting_answer', 'waiting_answer', 'waiting_answer', 'working'])
    expect(steps[0]!.effects).toEqual([changed('working', 'waiting_answer')])
    expect(steps[0]!.session.lastTool).toBe('AskUserQuestion')
  })

  it('an MCP elicitation waits for an answer until its result', () => {
    const base = loadPayload('Notification.json').payload
    const { steps } = run(aSession({ state: 'working' }), [
      parseHookEvent('Elicitation', { ...base, hook_event_name: 'Elicitation' }),
      parseHookEvent('ElicitationResult', { ...base, hook_event_name: 'ElicitationResult' }),
    ])
    expect(steps.map((s) => s.session.state)).toEqual(['waiting_answer', 'working'])
    // an elicitation_dialog notification is the fallback
    expect(
      reduce(aSession({ state: 'working' }), hook('Notification.json', { notification_type: 'elicitation_dialog' }), NOW)
        .session.state,
    ).toBe('waiting_answer')
  })

  it('Escape or "No" in a dialog fires no hook: the idle screen returns the session to idle', () => {
    for (const state of ['waiting_permission', 'waiting_answer', 'working', 'starting'] as const) {
      const { session, effects } = reduce(aSession({ state }), { kind: 'pane_idle' }, NOW)
      expect(session.state).toBe('idle')
      expect(effects).toEqual([changed(state, 'idle')])
      expect(session.lastActivityAt).toBe(NOW)
    }
  })
})

describe('reduce: background subagents', () => {
  const BG = 'a1b2f73b-8ebf-4022-9876-b30d0c338d82'
  /** A tool call made inside the background subagent (agent_id is set inside subagents). */
  const subagentTool = (file: string) =>
    hook(file, { session_id: BG, agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' })

  it('Stop with a running background task is not finished; the task-notification turn finishes it', () => {
    const { session, steps } = run(aSession({ state: 'idle', claudeSessionId: BG }), [
      hook('UserPromptSubmit.json', { session_id: BG, prompt: 'list the files in a subagent' }),
      hook('PreToolUse.Agent.json'),
      hook('SubagentStart.json'),
      hook('PostToolUse.Agent.json'),
      hook('Stop.with-background-task.json'),
      // the subagent works on after the turn's Stop
      subagentTool('PreToolUse.Read.json'),
      subagentTool('PostToolUse.Read.json'),
      hook('PostToolBatch.json', { session_id: BG, agent_id: 'a3990472c679f7b59' }),
      hook('SubagentStop.json'),
      hook('UserPromptSubmit.task-notification.json'),
      hook('Stop.json', { session_id: BG }),
    ])
    const states = steps.map((s) => s.session.state)
    expect(states).toEqual([
      'working',
      'working',
      'working',
      'working',
      'idle',
      'idle',
      'idle',
      'idle',
      'idle',
      'working',
      'idle',
    ])
    expect(steps[4]!.effects).toEqual([changed('working', 'idle'), turnEnded(false, 'done')])
    expect(steps[4]!.session.backgroundTasks).toBe(1)
    for (const step of steps.slice(5, 9)) expect(step.effects).toEqual([])
    // the synthetic prompt starts a turn but is not reported as a submitted prompt
    expect(steps[9]!.effects).toEqual([changed('idle', 'working')])
    expect(steps[10]!.effects).toEqual([changed('working', 'idle'), turnEnded(true, 'done')])
    expect(session.backgroundTasks).toBe(0)
  })

  it('a second Stop without background tasks finishes the turn', () => {
    const { steps } = run(aSession({ state: 'working' }), [
      hook('Stop.with-background-task.json'),
      hook('Stop.json'),
    ])
    expect(steps[0]!.effects).toContainEqual(turnEnded(false, 'done'))
    expect(steps[0]!.session.backgroundTasks).toBe(1)
    expect(steps[1]!.effects).toEqual([turnEnded(true, 'done')])
    expect(steps[1]!.session.backgroundTasks).toBe(0)
  })

  it('subagent tool calls keep a working session working; starting a tool does not answer an open dialog, nor a question', () => {
    expect(reduce(aSession({ state: 'working' }), subagentTool('PreToolUse.Read.json'), NOW).session.state).toBe('working')
    expect(reduce(aSession({ state: 'idle' }), subagentTool('PostToolUse.Read.json'), NOW).session.state).toBe('idle')
    expect(reduce(aSession({ state: 'waiting_permission' }), subagentTool('PreToolUse.Read.json'), NOW).session.state).toBe('waiting_permission')
    expect(reduce(aSession({ state: 'waiting_answer' }), subagentTool('PostToolUse.Read.json'), NOW).session.state).toBe('waiting_answer')
  })

  it("a subagent's permission dialog, approved: the subagent's tool finishing leaves waiting_permission", () => {
    const sub = { agent_id: 'a3990472c679f7b59', agent_type: 'general-purpose' }
    const { steps } = run(aSession({ state: 'working' }), [
      hook('PreToolUse.Agent.json'),
      hook('SubagentStart.json'),
      hook('PreToolUse.Bash.json', sub),
      hook('PermissionRequest.Bash.json', sub),
      // approved: the subagent's Bash runs
      hook('PostToolUse.Bash.json', sub),
      hook('SubagentStop.json'),
      hook('PostToolUse.Agent.json'),
    ])
    expect(steps.map((s) => s.session.state)).toEqual(['working', 'working', 'working', 'waiting_permission', 'working', 'working', 'working'])
    expect(steps[4]!.effects).toEqual([changed('waiting_permission', 'working')])
    // a failing tool counts too
    expect(reduce(aSession({ state: 'waiting_permission' }), hook('PostToolUseFailure.Bash.json', sub), NOW).session.state).toBe('working')
  })

  it('a subagent asking for permission while the main agent is idle needs the user', () => {
    const ask = hook('PermissionRequest.json', { agent_id: 'a3990472c679f7b59' })
    expect(reduce(aSession({ state: 'idle' }), ask, NOW).session.state).toBe('waiting_permission')
  })

  it('SubagentStart resumes working after the Agent call was approved', () => {
    expect(reduce(aSession({ state: 'waiting_permission' }), hook('SubagentStart.json'), NOW).session.state).toBe('working')
  })

  it('a task notification does not answer an open dialog', () => {
    const s = aSession({ state: 'waiting_permission' })
    const { session, effects } = reduce(s, hook('UserPromptSubmit.task-notification.json'), NOW)
    expect(session.state).toBe('waiting_permission')
    expect(effects).toEqual([])
  })
})

describe('reduce: /clear, /resume and compaction', () => {
  const OLD = '6bf01783-816d-49d3-a354-25f1341e986b'
  const NEW = 'a1d4f964-568e-4e89-abff-a9acab06d8cc'

  it('/clear keeps our session and records the new Claude session_id', () => {
    const start = aSession({ state: 'idle', claudeSessionId: OLD, lastMessage: 'done' })
    const { session, steps } = run(start, [
      hook('SessionEnd.clear.json'),
      hook('SessionStart.clear.json'),
      // a late hook of the old conversation does not switch back
      hook('MessageDisplay.json'),
    ])
    expect(hook('SessionEnd.clear.json').claudeSessionId).toBe(OLD)
    expect(hook('SessionStart.clear.json').claudeSessionId).toBe(NEW)
    expect(steps.map((s) => s.session.state)).toEqual(['idle', 'idle', 'idle'])
    expect(steps[0]!.effects).toEqual([])
    expect(steps[1]!.effects).toEqual([{ type: 'claude_session_changed', from: OLD, to: NEW }])
    expect(session.claudeSessionId).toBe(NEW)
    expect(session.stoppedAt).toBeNull()
    expect(steps.flatMap((s) => s.effects).some((e) => e.type === 'stopped')).toBe(false)
  })

  it('/clear while we thought the session busy settles it idle', () => {
    const { session } = run(aSession({ state: 'working', claudeSessionId: OLD }), [
      hook('SessionEnd.clear.json'),
      hook('SessionStart.clear.json'),
    ])
    expect(session.state).toBe('idle')
  })

  it('/resume inside Claude is not the end of the session either', () => {
    const { session, effects } = run(aSession({ state: 'idle', claudeSessionId: OLD }), [
      hook('SessionEnd.json', { reason: 'resume' }),
      hook('SessionStart.json', { session_id: NEW, source: 'resume' }),
    ])
    expect(session.state).toBe('idle')
    expect(effects).toEqual([{ type: 'claude_session_changed', from: OLD, to: NEW }])
  })

  it('compaction in the middle of a turn keeps it working', () => {
    const id = '30cf2a74-2509-4506-b270-5d954333ba0f'
    const { session, effects } = run(aSession({ state: 'working', claudeSessionId: id }), [
      hook('PreCompact.json'),
      hook('SessionStart.compact.json'),
      hook('PostCompact.json'),
    ])
    expect(session.state).toBe('working')
    expect(effects).toEqual([])
  })

  it('a SessionStart(compact) while still starting settles the session idle', () => {
    expect(reduce(aSession(), hook('SessionStart.compact.json'), NOW).session.state).toBe('idle')
  })

  it('a SessionEnd reason the server marks as an external conversation ending stops the session', () => {
    // the service turns clear into clear-external for sessions keyed by Claude's own id
    const { session, effects } = reduce(
      aSession({ kind: 'external', state: 'idle' }),
      hook('SessionEnd.clear.json', { reason: 'clear-external' }),
      NOW,
    )
    expect(session.state).toBe('stopped')
    expect(effects).toContainEqual({ type: 'stopped', reason: 'clear-external' })
  })
})

describe('reduce: background task count', () => {
  it('a fresh Claude process has no background tasks; compaction keeps the count', () => {
    const s = aSession({ state: 'idle', backgroundTasks: 2 })
    expect(reduce(s, hook('SessionStart.startup.json'), NOW).session.backgroundTasks).toBe(0)
    expect(reduce(s, hook('SessionStart.compact.json'), NOW).session.backgroundTasks).toBe(2)
  })

  it('recognises task notifications by their opening tag only', () => {
    expect(isTaskNotification('<task-notification>\n<task-id>x</task-id>')).toBe(true)
    expect(isTaskNotification('  \n<task-notification>')).toBe(true)
    expect(isTaskNotification('please explain <task-notification> tags')).toBe(false)
    expect(isTaskNotification(null)).toBe(false)
  })
})

describe('reduce: stopping', () => {
  it.each([
    ['SessionEnd.other.json', 'other'],
    ['SessionEnd.prompt_input_exit.json', 'prompt_input_exit'],
    ['SessionEnd.json', 'logout'],
  ])('%s stops the session with stoppedAt and a stopped effect', (file, reason) => {
    const event = file === 'SessionEnd.json' ? hook(file, { reason }) : hook(file)
    const { session, effects } = reduce(aSession({ state: 'working', backgroundTasks: 2 }), event, NOW)
    expect(session.state).toBe('stopped')
    expect(session.stoppedAt).toBe(NOW)
    expect(session.backgroundTasks).toBe(0)
    expect(effects).toEqual([changed('working', 'stopped'), { type: 'stopped', reason }])
  })

  it('a SessionEnd without a reason stops the session', () => {
    const { session, effects } = reduce(aSession({ state: 'idle' }), aHookEvent('SessionEnd'), NOW)
    expect(session.state).toBe('stopped')
    expect(effects).toContainEqual({ type: 'stopped', reason: 'SessionEnd' })
  })

  it('tmux_gone stops a live session', () => {
    for (const state of ['starting', 'idle', 'working', 'waiting_permission', 'waiting_answer', 'error'] as const) {
      const { session, effects } = reduce(aSession({ state }), { kind: 'tmux_gone' }, NOW)
      expect(session.state).toBe('stopped')
      expect(session.stoppedAt).toBe(NOW)
      expect(effects).toEqual([changed(state, 'stopped'), { type: 'stopped', reason: 'tmux session gone' }])
    }
  })

  it('tmux_gone on a stopped session changes nothing', () => {
    const s = aSession({ state: 'stopped', stoppedAt: 5 })
    const { session, effects } = reduce(s, { kind: 'tmux_gone' }, NOW)
    expect(session).toBe(s)
    expect(effects).toEqual([])
  })

  it('a second SessionEnd does not stop it twice', () => {
    const s = aSession({ state: 'stopped', stoppedAt: 5 })
    const { session, effects } = reduce(s, hook('SessionEnd.other.json'), NOW)
    expect(session.stoppedAt).toBe(5)
    expect(effects).toEqual([])
  })

  it('late hooks of the old process do not revive a stopped session', () => {
    const s = aSession({ state: 'stopped', stoppedAt: 5, lastMessage: 'bye', lastTool: 'Read' })
    for (const file of [
      'Stop.json',
      'StopFailure.json',
      'UserPromptSubmit.json',
      'PreToolUse.Bash.json',
      'PostToolUse.Bash.json',
      'PermissionRequest.json',
      'Notification.permission_prompt.json',
      'Notification.idle_prompt.json',
      'SubagentStart.json',
      'MessageDisplay.json',
      'SessionEnd.clear.json',
    ]) {
      const { session, effects } = reduce(s, hook(file), NOW)
      expect(session.state, file).toBe('stopped')
      expect(effects, file).toEqual([])
      expect(session).toMatchObject({ stoppedAt: 5, lastMessage: 'bye', lastTool: 'Read', lastActivityAt: s.lastActivityAt })
      // what arrived is still noted
      expect(session.lastEventAt).toBe(NOW)
    }
    for (const kind of ['pane_idle', 'interrupted'] as const) {
      expect(reduce(s, { kind }, NOW).session).toBe(s)
    }
  })

  it('a SessionStart revives a stopped session: Claude runs in it again', () => {
    const s = aSession({ state: 'stopped', stoppedAt: 5, claudeSessionId: '6bf01783-816d-49d3-a354-25f1341e986b' })
    const { session, effects } = reduce(s, hook('SessionStart.startup.json'), NOW)
    expect(session.state).toBe('idle')
    expect(session.stoppedAt).toBeNull()
    expect(effects).toEqual([changed('stopped', 'idle')])
    // resumed under another conversation id
    const other = 'c0ffee00-0000-4000-8000-000000000000'
    const resumed = reduce(s, hook('SessionStart.json', { source: 'resume', session_id: other }), NOW)
    expect(resumed.session.claudeSessionId).toBe(other)
    expect(resumed.effects).toEqual([
      changed('stopped', 'idle'),
      { type: 'claude_session_changed', from: s.claudeSessionId, to: other },
    ])
  })
})

describe('reduce: system events', () => {
  it('pane_idle leaves idle, error and stopped sessions alone', () => {
    for (const state of ['idle', 'error', 'stopped'] as const) {
      const s = aSession({ state })
      const { session, effects } = reduce(s, { kind: 'pane_idle' }, NOW)
      expect(session).toBe(s)
      expect(effects).toEqual([])
    }
  })

  it('interrupted is only recorded: the state moves when the screen shows the idle line', () => {
    const s = aSession({ state: 'working' })
    const { session, effects } = reduce(s, { kind: 'interrupted' }, NOW)
    expect(session).toBe(s)
    expect(effects).toEqual([])
  })
})

describe('reduce: Claude session ids', () => {
  it('learns the id from the first event of any kind', () => {
    const { session, effects } = reduce(aSession({ state: 'starting' }), hook('UserPromptSubmit.json'), NOW)
    expect(session.claudeSessionId).toBe('6bf01783-816d-49d3-a354-25f1341e986b')
    expect(effects.some((e) => e.type === 'claude_session_changed')).toBe(false)
  })

  it('only a SessionStart changes a known id', () => {
    const s = aSession({ state: 'working', claudeSessionId: 'known' })
    expect(reduce(s, hook('PreToolUse.json'), NOW).session.claudeSessionId).toBe('known')
    expect(reduce(s, hook('Stop.json'), NOW).session.claudeSessionId).toBe('known')
  })
})

describe('reduce is pure', () => {
  const events: SessionEvent[] = [
    ...payloadFiles().map((f) => hook(f)),
    { kind: 'pane_idle' },
    { kind: 'tmux_gone' },
    { kind: 'interrupted' },
  ]
  const states: SessionState[] = ['starting', 'idle', 'working', 'waiting_permission', 'waiting_answer', 'error', 'stopped']

  it('never mutates the session or the event, and gives the same answer twice', () => {
    for (const state of states) {
      for (const event of events) {
        const session = aSession({ state, claudeSessionId: 'x', lastMessage: 'm', backgroundTasks: 1 })
        const sessionCopy = structuredClone(session)
        const eventCopy = structuredClone(event)
        deepFreeze(session)
        deepFreeze(event)
        const first = reduce(session, event, NOW)
        const second = reduce(session, event, NOW)
        expect(session).toEqual(sessionCopy)
        expect(event).toEqual(eventCopy)
        expect(second).toEqual(first)
        // every state change is reported, and only real ones
        const change = first.effects.find((e) => e.type === 'state_changed')
        if (first.session.state === state) expect(change).toBeUndefined()
        else expect(change).toEqual(changed(state, first.session.state))
      }
    }
  })
})

describe('external sessions', () => {
  it('end on any SessionEnd, /clear included: the conversation goes on under another id', () => {
    for (const reason of ['clear', 'resume', 'compact', 'other']) {
      const s = aSession({ kind: 'external', tmuxSession: null, state: 'idle' })
      expect(reduce(s, aHookEvent('SessionEnd', { reason }), 5).session.state, reason).toBe('stopped')
    }
    expect(reduce(aSession({ state: 'idle' }), aHookEvent('SessionEnd', { reason: 'clear' }), 5).session.state).toBe('idle')
  })
})

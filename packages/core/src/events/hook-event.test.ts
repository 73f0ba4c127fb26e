import { describe, expect, it } from 'vitest'
import { loadPayload, loadPayloadNote, payloadFiles } from '../../fixtures/load.js'
import { SessionsError } from '../errors.js'
import { HOOK_EVENT_NAMES, parseHookEvent } from './hook-event.js'

const fixture = (file: string) => {
  const f = loadPayload(file)
  return { ...f, parsed: parseHookEvent(f.event, f.payload) }
}

/** Calls `fn` and returns the SessionsError it throws. */
function thrown(fn: () => unknown): SessionsError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SessionsError)
    return error as SessionsError
  }
  throw new Error('expected a SessionsError, nothing was thrown')
}

const validPayload = () => loadPayload('Stop.json').payload

describe('parseHookEvent with the recorded Claude Code 2.1.330 payloads', () => {
  const files = payloadFiles()

  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(40)
  })

  it.each(files)('parses %s', (file) => {
    const { event, payload, parsed } = fixture(file)
    expect(parsed.kind).toBe('hook')
    expect(parsed.event).toBe(event)
    expect(parsed.claudeSessionId).toBe(payload['session_id'])
    expect(parsed.transcriptPath).toBe(payload['transcript_path'])
    // the recording is what the real client sends for this URL
    expect(payload['hook_event_name']).toBe(event)
    expect(HOOK_EVENT_NAMES).toContain(event)
  })

  it('has a payload for every event whose fields were recorded, and no field beyond them', () => {
    const fields = loadPayloadNote('_fields-by-event.json') as Record<string, string[]>
    const events = new Set(files.map((f) => loadPayload(f).event))
    expect([...events].sort()).toEqual(Object.keys(fields).sort())
    for (const file of files) {
      const { event, payload } = loadPayload(file)
      for (const key of Object.keys(payload)) expect(fields[event], `${file}: ${key}`).toContain(key)
    }
  })

  it('reads the last assistant message and an empty background list from Stop', () => {
    const { parsed } = fixture('Stop.json')
    expect(parsed.lastAssistantMessage).toBe('done')
    expect(parsed.backgroundRunning).toBe(0)
    expect(parsed.stopHookActive).toBe(false)
  })

  it('counts the running background subagent of Stop.with-background-task', () => {
    const { parsed } = fixture('Stop.with-background-task.json')
    expect(parsed.backgroundRunning).toBe(1)
    expect(parsed.lastAssistantMessage).toBe('done')
  })

  it('counts running and pending background tasks only', () => {
    const payload = {
      ...validPayload(),
      background_tasks: [
        { id: 'a', status: 'running' },
        { id: 'b', status: 'pending' },
        { id: 'c', status: 'completed' },
        { id: 'd', status: 'failed' },
        { id: 'e' },
      ],
    }
    expect(parseHookEvent('Stop', payload).backgroundRunning).toBe(3)
  })

  it('reads source and model from SessionStart', () => {
    expect(fixture('SessionStart.startup.json').parsed).toMatchObject({ source: 'startup', model: 'claude-opus-5-5' })
    expect(fixture('SessionStart.compact.json').parsed).toMatchObject({ source: 'compact', model: 'claude-opus-5-5' })
    // SessionStart after /clear carries no model
    expect(fixture('SessionStart.clear.json').parsed).toMatchObject({ source: 'clear', model: null })
  })

  it.each([
    ['SessionEnd.clear.json', 'clear'],
    ['SessionEnd.other.json', 'other'],
    ['SessionEnd.prompt_input_exit.json', 'prompt_input_exit'],
  ])('reads the reason of %s', (file, reason) => {
    expect(fixture(file).parsed.reason).toBe(reason)
  })

  it('reads tool name and tool_use_id from PreToolUse', () => {
    expect(fixture('PreToolUse.Bash.json').parsed).toMatchObject({
      toolName: 'Bash',
      toolUseId: 'toolu_stub256f8cdb6d47ec07b796',
      agentId: null,
    })
    expect(fixture('PreToolUse.Read.json').parsed).toMatchObject({
      toolName: 'Read',
      toolUseId: 'toolu_stub90007a5141c9d94e9bec',
    })
    expect(fixture('PreToolUse.Agent.json').parsed.toolName).toBe('Agent')
  })

  it('reads the tool of a PermissionRequest, which has no tool_use_id', () => {
    expect(fixture('PermissionRequest.Bash.json').parsed).toMatchObject({ toolName: 'Bash', toolUseId: null })
  })

  it('reads notification_type and message from Notification', () => {
    expect(fixture('Notification.permission_prompt.json').parsed).toMatchObject({
      notificationType: 'permission_prompt',
      message: 'Claude needs your permission',
    })
    expect(fixture('Notification.idle_prompt.json').parsed).toMatchObject({
      notificationType: 'idle_prompt',
      message: 'Claude is waiting for your input',
    })
  })

  it('reads the prompt of UserPromptSubmit, task notifications included', () => {
    expect(fixture('UserPromptSubmit.json').parsed.prompt).toBe('clean the build')
    expect(fixture('UserPromptSubmit.task-notification.json').parsed.prompt).toMatch(/^<task-notification>/)
  })

  it('reads the error of PostToolUseFailure and StopFailure as text', () => {
    expect(fixture('PostToolUseFailure.Bash.json').parsed.error).toMatch(/^Exit code 2\nls: cannot access/)
    expect(fixture('StopFailure.json').parsed).toMatchObject({
      error: 'unknown',
      lastAssistantMessage: 'API Error: 400 stub: scripted failure',
    })
    const objectError = parseHookEvent('StopFailure', { ...validPayload(), error: { type: 'rate_limit' } })
    expect(objectError.error).toBe('{"type":"rate_limit"}')
  })

  it('reads agent ids of subagent events', () => {
    expect(fixture('SubagentStart.json').parsed.agentId).toBe('a3990472c679f7b59')
    expect(fixture('SubagentStop.json').parsed).toMatchObject({
      agentId: 'a3990472c679f7b59',
      lastAssistantMessage: 'subagent done',
    })
  })

  it('takes the new directory of CwdChanged and the new model of PostModelSwitch', () => {
    expect(fixture('CwdChanged.json').parsed.cwd).toBe('/home/tester/project/sub')
    expect(fixture('PostModelSwitch.json').parsed.model).toBe('claude-sonnet-5-5')
  })

  it('lets the event name of the URL win over hook_event_name', () => {
    expect(parseHookEvent('SubagentStop', validPayload()).event).toBe('SubagentStop')
  })

  it('accepts event names it does not know yet', () => {
    expect(parseHookEvent('SomeFutureEvent', validPayload()).event).toBe('SomeFutureEvent')
  })
})

describe('parseHookEvent rejects bad input with invalid_input', () => {
  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['an array', [1, 2]],
    ['a number', 42],
  ])('a body that is %s', (_what, body) => {
    const error = thrown(() => parseHookEvent('Stop', body))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain('invalid Stop payload')
    expect(error.message).toMatch(/body: .*object/i)
  })

  it('a missing session_id', () => {
    const { session_id: _dropped, ...rest } = validPayload()
    const error = thrown(() => parseHookEvent('Stop', rest))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/session_id/)
  })

  it.each([
    ['a number', 12],
    ['an object', { id: 'x' }],
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
  ])('a session_id that is %s', (_what, sessionId) => {
    const error = thrown(() => parseHookEvent('Stop', { ...validPayload(), session_id: sessionId }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/session_id/)
  })

  it('lists every problem at once', () => {
    const error = thrown(() =>
      parseHookEvent('PreToolUse', { session_id: 5, tool_name: ['Bash'], stop_hook_active: 'yes' }),
    )
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/session_id/)
    expect(error.message).toMatch(/tool_name/)
    expect(error.message).toMatch(/stop_hook_active/)
  })

  it('a background_tasks list that is not a list', () => {
    const error = thrown(() => parseHookEvent('Stop', { ...validPayload(), background_tasks: 'none' }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/background_tasks/)
  })

  it.each(['../x', '', 'Stop/../../etc', 'Pre Tool', 'Stop;rm', 'Ünïcode', 'A'.repeat(65), 'Stop\n'])(
    'the event name %j',
    (name) => {
      const error = thrown(() => parseHookEvent(name, validPayload()))
      expect(error.code).toBe('invalid_input')
      expect(error.message).toContain('invalid hook event name')
    },
  )

  it('checks the event name before the body', () => {
    const error = thrown(() => parseHookEvent('../x', 'not an object'))
    expect(error.message).toContain('invalid hook event name')
  })
})

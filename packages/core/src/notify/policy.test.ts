import { describe, expect, it } from 'vitest'
import { ToolAuditor } from '../audit/auditor.js'
import { BUILTIN_PROFILES } from '../audit/index.js'
import type { Session } from '../session/session.js'
import { aSession } from '../testing/builders.js'
import { InMemoryToolAuditStore } from '../testing/in-memory-tool-audit.js'
import { notifierContract } from '../testing/notifier-contract.js'
import { RecordingNotifier } from '../testing/recording-notifier.js'
import { aSessionService } from '../testing/service.js'
import { connectNotifiers } from './connect.js'
import { flaggedNotification, notificationsOfEffects, questionNotification } from './policy.js'

const CLAUDE = '6bf01783-816d-49d3-a354-25f1341e986b'

describe('notification policy', () => {
  const child = aSession({ id: 'c1c1c1c1', name: 'kid', parentId: 'p0p0p0p0', spawnPrompt: 'build it' })
  const parent = aSession({ id: 'p0p0p0p0', name: 'boss' })
  const parentOf = (id: string) => (id === parent.id ? parent : undefined)
  const stop = { event: 'Stop' } as never

  it("a finished turn: its response, and the parent hears of the child's completion (first line)", () => {
    const out = notificationsOfEffects(child, [{ type: 'turn_ended', finished: true, failed: false, message: 'done\nmore' }], stop, parentOf)
    expect(out.map((n) => [n.kind, n.session.id, n.title, n.body])).toEqual([
      ['turn_ended', child.id, 'Response', 'done\nmore'],
      ['child_done', parent.id, 'Child kid [c1c1c1c1] finished', 'done'],
    ])
  })

  it('a failed turn is an error (never a completion); a turn with background work still running is no completion', () => {
    const failed = notificationsOfEffects(child, [{ type: 'turn_ended', finished: true, failed: true, message: null }], { event: 'StopFailure', error: 'rate limited' } as never, parentOf)
    expect(failed.map((n) => [n.kind, n.body])).toEqual([['error', 'rate limited']])
    const open = notificationsOfEffects(child, [{ type: 'turn_ended', finished: false, failed: false, message: 'waiting on a job' }], stop, parentOf)
    expect(open.map((n) => n.kind)).toEqual(['turn_ended'])
  })

  it('a prompt typed at the keyboard is told; not one typed by the manager, nor the spawn prompt', () => {
    const typed = (prompt: string, typedByManager?: boolean) =>
      notificationsOfEffects(child, [{ type: 'prompt_submitted', prompt, ...(typedByManager === undefined ? {} : { typedByManager }) }], stop, parentOf).map((n) => n.kind)
    expect(typed('hello')).toEqual(['typed_prompt'])
    expect(typed('hello', true)).toEqual([])
    expect(typed('build it')).toEqual([])
  })

  it('a flagged PreToolUse is told with what it is and the decision; its PostToolUse is not', () => {
    const event = { event: 'PreToolUse', destructive: true, sensitive: false, decision: 'deny', toolName: 'Bash', command: 'rm -rf ./build', targetFile: null, toolInput: null } as never
    expect(flaggedNotification(event, child)).toMatchObject({ kind: 'flagged', title: 'Flagged destructive: Bash (deny)', body: 'rm -rf ./build' })
    expect(flaggedNotification({ ...(event as object), event: 'PostToolUse' } as never, child)).toBeNull()
  })

  it('a question as text; nothing for an input without questions', () => {
    expect(questionNotification(child, { questions: [{ question: 'Go?', options: [{ label: 'Yes' }] }] })).toMatchObject({ kind: 'question', title: 'Question', body: 'Go?\n1. Yes' })
    expect(questionNotification(child, {})).toBeNull()
  })
})

describe('connectNotifiers', () => {
  it("sends every notifier what the policy makes of the hooks: responses, a child's completion, flagged calls, an external session's question", async () => {
    const audit = new ToolAuditor({ store: new InMemoryToolAuditStore(), projectOf: () => null, config: { responseCap: 1000, policies: { profiles: BUILTIN_PROFILES } } })
    const { service } = aSessionService({ deps: { audit } })
    const a = new RecordingNotifier()
    const b = new RecordingNotifier()
    const off = connectNotifiers({ service, audit, notifiers: [a, b] })
    const boss = await service.create({ workingDir: '/w', name: 'boss' })
    const kid = await service.create({ workingDir: '/w', name: 'kid', parentId: boss.id })
    const hook = (s: Session, event: string, payload: Record<string, unknown>, token: string) =>
      service.ingestHook({ event, payload: { session_id: `${CLAUDE.slice(0, -8)}${s.id}`, ...payload }, raw: '{}', managerId: s.id, token })
    hook(kid, 'UserPromptSubmit', { prompt: 'typed by a person' }, 'token-2')
    hook(kid, 'PreToolUse', { tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'rm -rf ./build' } }, 'token-2')
    audit.drain()
    hook(kid, 'Stop', { last_assistant_message: 'all done' }, 'token-2')
    service.ingestHook({ event: 'PreToolUse', payload: { session_id: CLAUDE, tool_name: 'AskUserQuestion', tool_use_id: 't2', tool_input: { questions: [{ question: 'Go?', options: [{ label: 'Yes' }] }] } }, raw: '{}', managerId: null, token: null })
    const expected = [
      `typed_prompt ${kid.id} Typed in the terminal: typed by a person`,
      `flagged ${kid.id} Flagged destructive: Bash: rm -rf ./build`,
      `turn_ended ${kid.id} Response: all done`,
      `child_done ${boss.id} Child kid [${kid.id}] finished: all done`,
    ]
    expect(a.lines().slice(0, 4)).toEqual(expected)
    expect(a.lines()[4]).toBe(`question ${CLAUDE} Question: Go?\n1. Yes`)
    expect(b.lines()).toEqual(a.lines())
    off()
    hook(kid, 'Stop', { last_assistant_message: 'again' }, 'token-2')
    expect(a.received).toHaveLength(5)
  })
})

notifierContract('RecordingNotifier', () => {
  const fake = new RecordingNotifier()
  return {
    notifier: fake,
    session: aSession({ id: 'aaaa1111' }),
    stoppedSession: aSession({ id: 'bbbb2222', state: 'stopped' }),
    arrived: async () => fake.received.map((n) => `${n.title}\n${n.body}`),
    close: () => undefined,
  }
})

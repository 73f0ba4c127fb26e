import { describe, expect, it } from 'vitest'
import { aHookEvent } from '../testing/builders.js'
import type { Message } from './message.js'
import { carriesMessages, forStop, forToolHook, forTyping, mergeReplies, stopReply, toolContextReply } from './plan.js'

let next = 1
const msg = (text: string, mode: Message['mode'] = 'sequential', senderId: string | null = null): Message => ({
  id: next++,
  recipientId: 'bbbbbbbb',
  senderId,
  senderName: senderId === null ? null : 'alpha',
  text,
  mode,
  status: 'queued',
  createdAt: 0,
  deliveredAt: null,
  via: null,
  error: null,
  typingSince: null,
})

describe('delivery decisions (pure)', () => {
  it('a Stop carries the oldest run of texts up to a slash command, unless the continuation cap is reached', () => {
    const q = [msg('one'), msg('two', 'important'), msg('/compact'), msg('three')]
    expect(forStop(q, 0, 3).map((m) => m.text)).toEqual(['one', 'two'])
    expect(forStop(q, 3, 3)).toEqual([])
    expect(forStop([msg('/clear'), msg('x')], 0, 3)).toEqual([])
    expect(forStop([], 0, 3)).toEqual([])
  })

  it('a tool hook carries important (and urgent leftovers), never sequential or slash commands', () => {
    const q = [msg('seq'), msg('imp', 'important'), msg('/compact', 'important'), msg('urg', 'urgent')]
    expect(forToolHook(q).map((m) => m.text)).toEqual(['imp', 'urg'])
  })

  it('typing: a slash command alone, else the oldest run of texts', () => {
    expect(forTyping([msg('/clear'), msg('a')]).map((m) => m.text)).toEqual(['/clear'])
    expect(forTyping([msg('a'), msg('b'), msg('/compact'), msg('c')]).map((m) => m.text)).toEqual(['a', 'b'])
    expect(forTyping([])).toEqual([])
  })

  it('replies: Stop block with the messages joined (sender named), tool context per event; merged with a policy decision', () => {
    const q = [msg('hello', 'sequential', 'aaaaaaaa'), msg('from the operator')]
    expect(stopReply(q)).toEqual({ decision: 'block', reason: '[sm from alpha (aaaaaaaa)] hello\n\nfrom the operator' })
    const context = toolContextReply('PreToolUse', [msg('note', 'important')])
    expect(context).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'note' } })
    const decision = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'r' } }
    expect(mergeReplies(decision, context)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'r', additionalContext: 'note' },
    })
  })

  it('only Stop and the main agent tool hooks carry messages', () => {
    expect(carriesMessages(aHookEvent('Stop'))).toBe('stop')
    expect(carriesMessages(aHookEvent('PreToolUse'))).toBe('tool')
    expect(carriesMessages(aHookEvent('PostToolUse', { agentId: 'sub-1' }))).toBeNull()
    expect(carriesMessages(aHookEvent('UserPromptSubmit'))).toBeNull()
  })
})

import type { HookEvent } from '../events/hook-event.js'
import { isSlashCommand, messageText, type Message } from './message.js'

/**
 * Which queued messages go out with a hook reply, or by typing. Pure: a function of the
 * recipient's queue (oldest first) and the event. Order: messages of one mode go in the order
 * they were sent; important ones may overtake sequential ones (that is what important means).
 */

/** The messages a Stop can carry: the oldest run up to (not including) a slash command. */
export function forStop(queue: readonly Message[], blocksInARow: number, maxBlocks: number): Message[] {
  if (blocksInARow >= maxBlocks) return []
  const out: Message[] = []
  for (const m of queue) {
    if (isSlashCommand(m.text)) break
    out.push(m)
  }
  return out
}

/** Important messages a tool hook can carry mid-turn (slash commands wait to be typed). */
export function forToolHook(queue: readonly Message[]): Message[] {
  return queue.filter((m) => m.mode !== 'sequential' && !isSlashCommand(m.text))
}

/** What to type into an idle session next: a slash command alone, else the oldest run of texts. */
export function forTyping(queue: readonly Message[]): Message[] {
  const first = queue[0]
  if (first === undefined) return []
  if (isSlashCommand(first.text)) return [first]
  const out: Message[] = []
  for (const m of queue) {
    if (isSlashCommand(m.text)) break
    out.push(m)
  }
  return out
}

export const joinMessages = (messages: readonly Message[]): string => messages.map(messageText).join('\n\n')

/** The Stop reply that makes Claude continue with the messages as its next user input. */
export const stopReply = (messages: readonly Message[]) => ({ decision: 'block', reason: joinMessages(messages) })

/** The tool hook reply whose context reaches the model in its next request. */
export const toolContextReply = (event: string, messages: readonly Message[]) => ({
  hookSpecificOutput: { hookEventName: event, additionalContext: joinMessages(messages) },
})

/** The hook events whose reply can carry a message to the model. */
export const carriesMessages = (e: HookEvent): 'stop' | 'tool' | null => {
  if (e.event === 'Stop') return 'stop'
  // a subagent's tool calls reply to the subagent, not to the session's own agent
  if ((e.event === 'PreToolUse' || e.event === 'PostToolUse') && e.agentId === null) return 'tool'
  return null
}

/** Two hook replies in one: `hookSpecificOutput` fields are merged (a policy decision plus context). */
export function mergeReplies(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a, ...b }
  const ha = a['hookSpecificOutput'] as Record<string, unknown> | undefined
  const hb = b['hookSpecificOutput'] as Record<string, unknown> | undefined
  if (ha && hb) out['hookSpecificOutput'] = { ...ha, ...hb }
  return out
}

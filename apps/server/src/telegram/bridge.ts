import type { Effect, HookEvent, MessageService, Session, SessionEvent, SessionService, ToolAuditor } from '@claude-sessions/core'
import { askedQuestions, type TelegramService } from '@claude-sessions/telegram'

export interface BridgeDeps {
  service: SessionService
  messages: MessageService
  audit: ToolAuditor
  telegram: TelegramService
}

const firstLine = (text: string, max = 200): string => {
  const line = text.trim().split('\n', 1)[0] ?? ''
  return line.length > max ? `${line.slice(0, max)}…` : line
}

const label = (s: Pick<Session, 'id' | 'name'>) => `${s.name ?? s.id} [${s.id}]`

const ASK_TOOL = 'AskUserQuestion'

/** The first question of an AskUserQuestion call, with its options. */
function questionText(input: unknown): string | null {
  const questions = (input as { questions?: unknown } | null)?.questions
  if (!Array.isArray(questions) || questions.length === 0) return null
  return questions
    .map((q: { question?: unknown; options?: unknown }) => {
      const options = Array.isArray(q.options) ? q.options.map((o: { label?: unknown }, i) => `${i + 1}. ${String(o?.label ?? o)}`).join('\n') : ''
      return `${String(q.question ?? '')}${options ? `\n${options}` : ''}`
    })
    .join('\n\n')
}

/**
 * Connects the sessions to Telegram: topics follow the sessions' lives, hook events become
 * notifications and status-card updates, a PermissionRequest reply waits for a button press
 * (Allow / Deny, or an answer for AskUserQuestion), and messages sent from Telegram are
 * confirmed when delivered. Everything here only queues
 * work for the bot: no hook waits on Telegram (the held permission reply waits for a person).
 * Returns the disconnection.
 */
export function bridgeTelegram({ service, messages, audit, telegram }: BridgeDeps): () => void {
  const offs = [
    service.onChanged((session, change) => {
      if (change === 'created') telegram.onSessionStarted(session)
      else if (change === 'renamed') telegram.onSessionRenamed(session)
      telegram.sessionChanged(session)
    }),
    service.onEffects((session, effects, event) => onEffects(session, effects, event)),
    service.addHookHolder((session, event, reply, raw, signal) => {
      if (event.event !== 'PermissionRequest' || session.kind !== 'managed' || 'hookSpecificOutput' in reply) return null
      const payload = raw as { tool_input?: unknown; permission_suggestions?: unknown } | null
      if (event.toolName === ASK_TOOL) {
        // questions it can't show as buttons are posted as text, and answered at the keyboard
        if (askedQuestions(payload?.tool_input) !== null) return telegram.requestAnswer({ session, toolInput: payload!.tool_input }, signal)
        notifyQuestion(session, payload?.tool_input)
        return null
      }
      return telegram.requestApproval(
        {
          session,
          toolName: event.toolName ?? 'tool',
          toolInput: payload?.tool_input ?? null,
          suggestions: Array.isArray(payload?.permission_suggestions) ? payload.permission_suggestions : [],
        },
        signal,
      )
    }),
    service.addHookReplier((session, event, _at, replay, payload) => {
      // the card's current tool: once this hook is applied (its reducer runs after repliers)
      if (!replay && event.event === 'PreToolUse' && event.agentId === null) setImmediate(() => telegram.sessionChanged(session))
      // an external session's question, as text (a managed session's comes with its PermissionRequest, with buttons)
      if (!replay && event.event === 'PreToolUse' && event.toolName === ASK_TOOL && session.kind !== 'managed') {
        notifyQuestion(session, (payload as { tool_input?: unknown } | null)?.tool_input)
      }
      return null
    }),
    audit.onFlagged((e) => {
      if (e.event !== 'PreToolUse') return
      const session = service.list({ includeStopped: true }).find((s) => s.id === e.sessionId)
      if (session === undefined) return
      const what = [e.destructive ? 'destructive' : null, e.sensitive ? 'sensitive' : null].filter(Boolean).join(', ')
      const decision = e.decision === null ? '' : ` (${e.decision})`
      telegram.notify(session, 'flagged', `Flagged ${what}: ${e.toolName ?? 'tool'}${decision}`, e.command ?? e.targetFile ?? e.toolInput ?? '')
    }),
    messages.onDelivered((m) => telegram.messageDelivered(m.id)),
  ]

  function notifyQuestion(session: Session, toolInput: unknown): void {
    const text = questionText(toolInput)
    if (text !== null) telegram.notify(session, 'question', 'Question', text)
  }

  function onEffects(session: Session, effects: readonly Effect[], event: SessionEvent): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'turn_ended':
          if (effect.failed) telegram.notify(session, 'error', 'Error: the turn failed', effect.message ?? (event as HookEvent).error ?? 'StopFailure')
          else if (effect.message !== null) telegram.notifyTurnEnded(session, effect.message)
          if (effect.finished && !effect.failed && session.parentId !== null) {
            const parent = service.list().find((s) => s.id === session.parentId)
            if (parent) telegram.notify(parent, 'child_done', `Child ${label(session)} finished`, firstLine(effect.message ?? ''))
          }
          break
        case 'prompt_submitted':
          if (effect.typedByManager !== true && session.spawnPrompt !== effect.prompt) telegram.notify(session, 'typed_prompt', 'Typed in the terminal', effect.prompt)
          break
        case 'state_changed':
          if (effect.from === 'starting') telegram.onSessionStarted(session)
          // the dialog closed without our answer: the person at the keyboard answered
          if (effect.from === 'waiting_permission' || effect.from === 'waiting_answer') telegram.approvalLapsed(session.id, 'terminal')
          break
        case 'stopped':
          telegram.approvalLapsed(session.id, 'gone')
          telegram.onSessionStopped(session)
          break
      }
    }
    telegram.sessionChanged(session)
  }

  return () => {
    for (const off of offs) off()
  }
}

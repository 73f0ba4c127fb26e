import type { ToolAuditor } from '../audit/auditor.js'
import { SessionsError } from '../errors.js'
import { validateName } from '../session/names.js'
import type { SessionEvent } from '../session/reducer.js'
import { newSession, tmuxSessionName, type Session } from '../session/session.js'
import { checkSpawnLimits, type SpawnLimits } from '../session/tree.js'
import type { SessionServiceDeps } from './session-service.js'

/**
 * Longest first prompt given to the agent as an argument. tmux refuses a command line over
 * ~16 KB ("command too long"), and the prompt shares it with the environment; a longer prompt
 * is pasted once the agent shows its input box.
 */
export const ARGV_PROMPT_MAX_CHARS = 2000

/** A model name as Claude Code takes it (`opus`, `claude-sonnet-4-5`, `claude-opus-4-1[1m]`): never an option. */
const MODEL_NAME = /^[A-Za-z0-9_.:@\/\[\]][A-Za-z0-9_.:@\/\[\]-]{0,199}$/

function checkModel(model: string): void {
  if (!MODEL_NAME.test(model)) {
    throw new SessionsError('invalid_input', `invalid model ${JSON.stringify(model)}: letters, digits and _ . : @ / [ ] - only, not starting with '-'`)
  }
}

/**
 * The agent's argv: the configured command, `--model <model>`, then `--` and the first prompt.
 * `--` ends the options, so a prompt like `--settings=…` or `--dangerously-skip-permissions`
 * reaches the model as text (Claude Code 2.1.330 honours it); the model was checked above.
 */
export function agentArgv(agentCommand: readonly string[], model: string | undefined, prompt: string, pasteFirst: boolean): string[] {
  const command = [...agentCommand]
  if (model !== undefined) command.push('--model', model)
  if (prompt !== '' && !pasteFirst) command.push('--', prompt)
  return command
}

export interface CreateSessionRequest {
  workingDir: string
  name?: string | undefined
  model?: string | undefined
  prompt?: string | undefined
  parentId?: string | undefined
  /** Policy profile; children inherit their parent's unless a stricter one is given. */
  policy?: string | undefined
  /** Set by `sm spawn`: the prompt is kept with the child. */
  spawned?: boolean | undefined
}

/** What creating a session works with: the service's ports and config, and its own steps. */
export interface CreateSessionDeps extends Pick<SessionServiceDeps, 'sessions' | 'mux' | 'clock' | 'ids' | 'hashToken' | 'isDirectory' | 'commandAvailable' | 'audit'> {
  config: { agentCommand: string[]; env: Record<string, string>; unsetEnv: string[]; limits?: SpawnLimits; telemetry?: { endpoint: string } | null }
  /** Sessions whose terminal is starting right now: the watchdog leaves them alone. */
  starting: Set<string>
  apply(id: string, event: SessionEvent): Session
  /** Writes the session's name into its terminal's label. */
  label(session: Session): Promise<void>
  /** Tells the change listeners the session was created. */
  created(session: Session): void
  /** Types into the session as the operator (`SessionService.input`). */
  input(id: string, text: string): Promise<unknown>
}

/** Checks the request, stores the session, starts its terminal with the agent, then pastes a long first prompt. */
export async function createSession(deps: CreateSessionDeps, request: CreateSessionRequest): Promise<Session> {
  const { sessions, mux, clock, ids, config } = deps
  const name = request.name === undefined ? null : validateName(request.name)
  if (request.model !== undefined) checkModel(request.model)
  const prompt = request.prompt ?? ''
  const pasteFirst = prompt.length > ARGV_PROMPT_MAX_CHARS
  if (!deps.isDirectory(request.workingDir)) {
    throw new SessionsError('invalid_input', `not a directory: ${request.workingDir}`)
  }
  const program = config.agentCommand[0]
  if (program === undefined || deps.commandAvailable?.(program) === false) {
    throw new SessionsError('multiplexer_failed', `agent command '${program ?? ''}' not found; set claude.command in the config`)
  }
  const parent = request.parentId === undefined ? undefined : sessions.get(request.parentId)
  if (request.parentId !== undefined && !parent) {
    throw new SessionsError('session_not_found', `no parent session '${request.parentId}'`)
  }
  const policy = policyFor(deps.audit, request.policy, parent)
  if (config.limits) checkSpawnLimits(parent ?? null, sessions.list(), config.limits)
  let id = ids.sessionId()
  for (let i = 0; sessions.get(id) && i < 8; i++) id = ids.sessionId()
  if (sessions.get(id)) throw new SessionsError('internal', 'could not allocate a session id')
  const token = ids.token()
  const now = clock.now()
  const session = newSession({
    id,
    kind: 'managed',
    name,
    state: 'starting',
    workingDir: request.workingDir,
    tmuxSession: tmuxSessionName(id),
    model: request.model ?? null,
    parentId: request.parentId ?? null,
    policy,
    spawnPrompt: request.spawned === true ? (request.prompt ?? null) : null,
    createdAt: now,
  })
  sessions.insert(session, deps.hashToken(token))
  deps.starting.add(id)
  const command = agentArgv(config.agentCommand, request.model, prompt, pasteFirst)
  try {
    await mux.create({
      name: session.tmuxSession!,
      cwd: request.workingDir,
      env: { ...config.env, ...telemetryEnv(config.telemetry ?? null, id, token), CLAUDE_SESSION_MANAGER_ID: id, CLAUDE_SESSION_MANAGER_TOKEN: token },
      unsetEnv: config.unsetEnv,
      command,
    })
  } catch (error) {
    deps.apply(session.id, { kind: 'tmux_gone' })
    throw error
  } finally {
    deps.starting.delete(id)
  }
  await deps.label(session)
  const created = sessions.get(id) ?? session
  deps.created(created)
  if (pasteFirst) await pasteFirstPrompt(deps, created, prompt)
  return sessions.get(id) ?? created
}

/** A first prompt too long for the command line: pasted once the input box shows (like `sm send`). */
async function pasteFirstPrompt(deps: CreateSessionDeps, session: Session, prompt: string): Promise<void> {
  try {
    await deps.input(session.id, prompt)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new SessionsError(SessionsError.is(error) ? error.code : 'delivery_failed', `session ${session.id} started, but its first prompt was not delivered: ${why}`, {
      cause: error,
    })
  }
}

function policyFor(audit: ToolAuditor | undefined, requested: string | undefined, parent: Session | undefined): string | null {
  if (audit) return audit.profileFor(requested, parent ? parent.policy : undefined)
  if (requested !== undefined) throw new SessionsError('invalid_input', 'policies are not enabled on this server')
  return parent?.policy ?? null
}

/**
 * Claude Code's OpenTelemetry logs to our server (the usage ledger): OTLP/HTTP JSON, every second,
 * with the session's own token (a record for another session is refused). Nothing when the
 * server was told not to (the user's own OTel settings win).
 */
export function telemetryEnv(telemetry: { endpoint: string } | null, id: string, token: string): Record<string, string> {
  if (telemetry === null) return {}
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: telemetry.endpoint,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${token},X-SM-Session=${id}`,
    OTEL_LOGS_EXPORT_INTERVAL: '1000',
  }
}

import { parseHookEvent, type HookEvent } from '../events/hook-event.js'
import type { ToolAuditStore, ToolEvent, ToolEventFilter, ToolStatsKey, ToolStatsRow } from '../ports/tool-audit-store.js'
import type { Session } from '../session/session.js'
import type { Verdict } from './classify.js'
import {
  decide,
  decideSmCommands,
  DEFAULT_PROFILE,
  permissionDecisionOf,
  preToolUseReply,
  profileForNewSession,
  stricterDecision,
  type Policies,
  type PolicyDecision,
  type PolicyProfile,
} from './policy.js'
import { mayBeSmOnly, smOnly } from './sm-commands.js'
import { safeJsonStringify } from '../safe-json.js'
import { redactSecrets } from './redact.js'
import { TOOL_AUDIT_EVENTS, toolEventFrom, verdictOf } from './tool-event.js'

export interface ToolAuditorConfig {
  /** Stored tool responses are cut to this many characters. */
  responseCap: number
  /** Extra redaction patterns (global regexps). */
  redact?: readonly RegExp[]
  /** The user's home directory, for `~` in commands. */
  home?: string
  policies: Policies
}

export interface ToolAuditorDeps {
  store: ToolAuditStore
  /**
   * Runs recording work later in the turn, so one turn's events go together (the server:
   * setImmediate, and its write-behind drains the queue first, inside the transaction the hooks'
   * replies wait for). Default: a microtask. Reads and decisions drain it first.
   */
  defer?: (work: () => void) => void
  /** The project of a working directory: git root name, else its last component. */
  projectOf(cwd: string | null): string | null
  config: ToolAuditorConfig
  /**
   * A row that could not be recorded, or a listener that threw: the row is skipped and the rest
   * go on (deferred work runs where nobody could catch it). Default: dropped silently.
   */
  onError?: (error: unknown) => void
}

export type ToolEventListener = (event: ToolEvent) => void

const afterThisTask = (work: () => void): void => void Promise.resolve().then(work)

/** Verdicts remembered (least recently used dropped first), and the longest input remembered. */
const VERDICTS_MAX = 1000
const VERDICT_KEY_MAX = 4096

/** Open tool calls remembered for Pre→Post durations; beyond this the oldest are dropped. */
const OPEN_CALLS_MAX = 10_000

/** Whether a recorded event is one the notifier publishes: a destructive or sensitive tool call. */
export const isFlagged = (e: ToolEvent): boolean => e.destructive || e.sensitive

/**
 * The tool-use audit of hook events: every tool event becomes a row (redacted, classified), a
 * PreToolUse gets the policy's decision as its hook reply, and listeners hear of each row.
 */
export class ToolAuditor {
  private readonly openCalls = new Map<string, number>()
  private readonly recorded = new Set<ToolEventListener>()
  private readonly flagged = new Set<ToolEventListener>()
  private readonly verdicts = new Map<string, Verdict>()
  private queue: [Session, HookEvent, unknown, number, string | null, Record<string, unknown> | null][] = []
  private drainScheduled = false
  /** Per profile name: whether it can answer anything but `log` (then PreToolUse is judged at once). */
  private readonly decisive = new Map<string, boolean>()

  constructor(private readonly deps: ToolAuditorDeps) {}

  /** Every recorded event (the live stream). */
  onRecorded(listener: ToolEventListener): () => void {
    this.recorded.add(listener)
    return () => this.recorded.delete(listener)
  }

  /** Destructive and sensitive tool calls only (the notifier's events). */
  onFlagged(listener: ToolEventListener): () => void {
    this.flagged.add(listener)
    return () => this.flagged.delete(listener)
  }

  /** Recorded events, oldest first. */
  list(filter: ToolEventFilter = {}): ToolEvent[] {
    this.drain()
    return this.deps.store.list(filter)
  }

  stats(filter: ToolEventFilter, by: ToolStatsKey): ToolStatsRow[] {
    this.drain()
    return this.deps.store.stats(filter, by)
  }

  /**
   * Records every deferred event now (reads, decisions and shutdown call it). Never throws: a
   * row that fails goes to `onError` and the others are still recorded.
   */
  drain(): void {
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      for (const [session, hook, payload, at, dedupeKey, replied] of batch) {
        try {
          this.recordNow(session, hook, payload, at, dedupeKey, replied)
        } catch (error) {
          this.failed(error)
        }
      }
    }
  }

  /**
   * A held PermissionRequest ended (the approval queue): one `PermissionDecision` row with the
   * tool and its input (classified like the request), the decision (`allow`, `deny`, or null when
   * nobody decided) and who decided (`web`, `telegram`, `terminal`, `timeout`, `gone`).
   */
  recordDecision(session: Session, request: { toolName: string; toolInput: unknown }, outcome: { decision: 'allow' | 'deny' | null; decidedBy: string }, at: number): void {
    try {
      const payload = { session_id: session.claudeSessionId ?? session.id, cwd: session.workingDir || undefined, tool_name: request.toolName, tool_input: request.toolInput }
      const hook = parseHookEvent('PermissionRequest', payload)
      const verdict = this.verdictFor(hook, request.toolInput)
      const { config } = this.deps
      const row = toolEventFrom(session, hook, payload, at, {
        verdict,
        responseCap: config.responseCap,
        project: this.deps.projectOf(session.workingDir || null),
        ...(config.redact ? { redact: config.redact } : {}),
        ...(config.home ? { home: config.home } : {}),
      })
      if (row === null) return
      const stored = this.deps.store.append({ ...row, event: 'PermissionDecision', decision: outcome.decision, decidedBy: outcome.decidedBy, dedupeKey: null })
      this.tell(this.recorded, stored)
    } catch (error) {
      this.failed(error)
    }
  }

  /** The profile a new session runs under (see profileForNewSession); throws for unknown or looser ones. */
  profileFor(requested: string | undefined, parentProfile: string | null | undefined): string | null {
    return profileForNewSession(this.deps.config.policies, requested, parentProfile)
  }

  /**
   * Records a hook event of `session`; returns the hook reply (a policy decision) or null.
   * A spooled event (`dedupeKey` set) is past: it is recorded without a decision.
   *
   * `replied` is what the other hook repliers answered this event (workspace locks): a
   * `permissionDecision` in it is recorded like the policy's own, and the reply returned is the
   * stricter of the two (deny over ask over allow; theirs on a tie).
   */
  record(
    session: Session,
    hook: HookEvent,
    payload: unknown,
    at: number,
    dedupeKey: string | null = null,
    replied: Record<string, unknown> | null = null,
  ): Record<string, unknown> | null {
    if (!TOOL_AUDIT_EVENTS.has(hook.event)) return null
    if (hook.event === 'PreToolUse' && dedupeKey === null && (this.isDecisive(session.policy) || this.maySmPass(session, hook, payload))) {
      // the reply carries the decision: judged now, after everything queued before it
      this.drain()
      return this.recordNow(session, hook, payload, at, dedupeKey, replied)
    }
    // nothing to answer: classify and write later in the turn (in the server, before the commit the reply waits for)
    this.queue.push([session, hook, payload, at, dedupeKey, replied])
    if (!this.drainScheduled) {
      this.drainScheduled = true
      ;(this.deps.defer ?? afterThisTask)(() => {
        this.drainScheduled = false
        // drain() catches per row; this guard is for whatever else could throw out of the event loop
        try {
          this.drain()
        } catch (error) {
          this.failed(error)
        }
      })
    }
    return null
  }

  /**
   * Whether a PreToolUse may get the sm-commands decision: a managed session's Bash call that
   * starts like an sm command (the cheap test; recordNow runs the full one).
   */
  private maySmPass(session: Session, hook: HookEvent, payload: unknown): boolean {
    if (session.kind !== 'managed' || hook.toolName !== 'Bash') return false
    const command = (payload as { tool_input?: { command?: unknown } } | null)?.tool_input?.command
    return typeof command === 'string' && mayBeSmOnly(command)
  }

  private isDecisive(policy: string | null): boolean {
    const name = policy ?? DEFAULT_PROFILE
    let known = this.decisive.get(name)
    if (known === undefined) {
      // sm_commands answers only sm commands (maySmPass); the categories answer any call
      const { sm_commands: _sm, ...categories } = this.profileOf(name)
      known = Object.values(categories).some((action) => action !== 'log')
      this.decisive.set(name, known)
    }
    return known
  }

  private profileOf(name: string): PolicyProfile {
    const { profiles } = this.deps.config.policies
    // a profile removed from the config since the session started: the default one applies
    return profiles[name] ?? profiles[DEFAULT_PROFILE] ?? {}
  }

  private recordNow(
    session: Session,
    hook: HookEvent,
    payload: unknown,
    at: number,
    dedupeKey: string | null,
    replied: Record<string, unknown> | null = null,
  ): Record<string, unknown> | null {
    const { store, config } = this.deps
    const verdict = this.verdictFor(hook, (payload as { tool_input?: unknown } | null)?.tool_input)
    const row = toolEventFrom(session, hook, payload, at, {
      verdict,
      responseCap: config.responseCap,
      project: this.deps.projectOf(hook.cwd ?? (session.workingDir || null)),
      ...(config.redact ? { redact: config.redact } : {}),
      ...(config.home ? { home: config.home } : {}),
    })
    if (row === null) return null
    let reply: Record<string, unknown> | null = null
    if (hook.event === 'PreToolUse') {
      const live = dedupeKey === null
      if (hook.toolUseId !== null) this.remember(hook.toolUseId, at)
      const flagged = verdict !== null && (verdict.destructive || verdict.sensitive)
      // a destructive or sensitive call never gets the sm pass: the policy (or Claude Code) decides
      const own = !live ? null : flagged ? this.decide(session, verdict!) : this.smDecision(session, hook, payload)
      // another replier's decision (a workspace lock's deny) is recorded too; the stricter one stands
      const decision = stricterDecision(live ? permissionDecisionOf(replied) : null, own)
      if (decision) {
        row.decision = decision.action
        row.decidedBy = 'policy'
        reply = preToolUseReply({ ...decision, reason: redactSecrets(decision.reason, config.redact).text })
      }
    } else if (row.durationMs === null && hook.toolUseId !== null && (hook.event === 'PostToolUse' || hook.event === 'PostToolUseFailure')) {
      const started = this.startOf(hook.toolUseId)
      if (started !== null && at >= started) row.durationMs = at - started
    }
    if (hook.event === 'PostToolUse' || hook.event === 'PostToolUseFailure') {
      if (hook.toolUseId !== null) this.openCalls.delete(hook.toolUseId)
    }
    const stored = store.append({ ...row, dedupeKey })
    this.tell(this.recorded, stored)
    if (isFlagged(stored)) this.tell(this.flagged, stored)
    return reply
  }

  /** Each listener hears of the row; one that throws neither stops the others nor the caller. */
  private tell(listeners: ReadonlySet<ToolEventListener>, event: ToolEvent): void {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        this.failed(error)
      }
    }
  }

  private failed(error: unknown): void {
    try {
      this.deps.onError?.(error)
    } catch {
      // the error handler itself failed: nothing is left to tell
    }
  }

  /** The classifier's verdict, cached: agents run the same commands again and again. */
  private verdictFor(hook: HookEvent, toolInput: unknown): Verdict | null {
    if (hook.toolName === null || (hook.event !== 'PreToolUse' && hook.event !== 'PermissionRequest')) return null
    const key = `${hook.toolName}\0${hook.cwd ?? ''}\0${safeJsonStringify(toolInput) ?? ''}`
    const cached = this.verdicts.get(key)
    if (cached !== undefined) {
      // most recently used last
      this.verdicts.delete(key)
      this.verdicts.set(key, cached)
      return cached
    }
    const verdict = verdictOf(hook, toolInput, this.deps.config.home)
    if (this.verdicts.size >= VERDICTS_MAX) this.verdicts.delete(this.verdicts.keys().next().value!)
    if (verdict !== null && key.length <= VERDICT_KEY_MAX) this.verdicts.set(key, verdict)
    return verdict
  }

  private decide(session: Session, verdict: Verdict): PolicyDecision | null {
    const name = session.policy ?? DEFAULT_PROFILE
    return decide(name, this.profileOf(name), verdict)
  }

  /** `allow` or `ask` (the profile's sm_commands) for a managed session's Bash call of only sm commands. */
  private smDecision(session: Session, hook: HookEvent, payload: unknown): PolicyDecision | null {
    if (!this.maySmPass(session, hook, payload)) return null
    const only = smOnly((payload as { tool_input: { command: string } }).tool_input.command)
    if (!only.only) return null
    const name = session.policy ?? DEFAULT_PROFILE
    return decideSmCommands(name, this.profileOf(name), only.subcommands)
  }

  private remember(toolUseId: string, at: number): void {
    if (this.openCalls.size >= OPEN_CALLS_MAX) {
      const oldest = this.openCalls.keys().next().value
      if (oldest !== undefined) this.openCalls.delete(oldest)
    }
    this.openCalls.set(toolUseId, at)
  }

  /** When the call's PreToolUse happened: remembered, else from the store (after a restart). */
  private startOf(toolUseId: string): number | null {
    const remembered = this.openCalls.get(toolUseId)
    if (remembered !== undefined) return remembered
    return this.deps.store.list({ toolUseId, limit: 20 }).find((e) => e.event === 'PreToolUse')?.at ?? null
  }
}

import type { HookEvent } from '../events/hook-event.js'
import type { ToolAuditStore, ToolEvent, ToolEventFilter, ToolStatsKey, ToolStatsRow } from '../ports/tool-audit-store.js'
import type { Session } from '../session/session.js'
import type { Verdict } from './classify.js'
import { decide, DEFAULT_PROFILE, preToolUseReply, profileForNewSession, type Policies, type PolicyDecision, type PolicyProfile } from './policy.js'
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
  /** The project of a working directory: git root name, else its last component. */
  projectOf(cwd: string | null): string | null
  config: ToolAuditorConfig
}

export type ToolEventListener = (event: ToolEvent) => void

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
    return this.deps.store.list(filter)
  }

  stats(filter: ToolEventFilter, by: ToolStatsKey): ToolStatsRow[] {
    return this.deps.store.stats(filter, by)
  }

  /** The profile a new session runs under (see profileForNewSession); throws for unknown or looser ones. */
  profileFor(requested: string | undefined, parentProfile: string | null | undefined): string | null {
    return profileForNewSession(this.deps.config.policies, requested, parentProfile)
  }

  /**
   * Records a hook event of `session`; returns the hook reply (a policy decision) or null.
   * A spooled event (`dedupeKey` set) is past: it is recorded without a decision.
   */
  record(session: Session, hook: HookEvent, payload: unknown, at: number, dedupeKey: string | null = null): Record<string, unknown> | null {
    const { store, config } = this.deps
    if (!TOOL_AUDIT_EVENTS.has(hook.event)) return null
    const verdict = verdictOf(hook, (payload as { tool_input?: unknown } | null)?.tool_input, config.home)
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
      const decision = live && verdict !== null && (verdict.destructive || verdict.sensitive) ? this.decide(session, verdict) : null
      if (decision) {
        row.decision = decision.action
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
    for (const listener of this.recorded) listener(stored)
    if (isFlagged(stored)) for (const listener of this.flagged) listener(stored)
    return reply
  }

  private decide(session: Session, verdict: Verdict): PolicyDecision | null {
    const { profiles } = this.deps.config.policies
    const name = session.policy ?? DEFAULT_PROFILE
    // a profile removed from the config since the session started: the default one applies
    const profile: PolicyProfile = profiles[name] ?? profiles[DEFAULT_PROFILE] ?? {}
    return decide(name, profile, verdict)
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

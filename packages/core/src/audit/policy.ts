import { SessionsError } from '../errors.js'
import { DESTRUCTIVE_CATEGORIES, type DestructiveCategory, type Verdict } from './classify.js'

export const POLICY_ACTIONS = ['log', 'ask', 'deny'] as const
export type PolicyAction = (typeof POLICY_ACTIONS)[number]

/** What a profile can name: a category, `destructive` (every category not named) or `sensitive`. */
export const POLICY_KEYS = [...DESTRUCTIVE_CATEGORIES, 'destructive', 'sensitive'] as const
export type PolicyKey = (typeof POLICY_KEYS)[number]

/**
 * What a managed session's Bash call made only of `sm` coordination commands gets (spec 0007,
 * "sm commands"): `allow` (the default) answers its PreToolUse `allow`, so Claude Code shows no
 * permission dialog; `ask` answers `ask`, so a person confirms each one, in any permission mode.
 */
export const SM_COMMAND_ACTIONS = ['allow', 'ask'] as const
export type SmCommandAction = (typeof SM_COMMAND_ACTIONS)[number]

/** A named set of rules; any category not named is `log`; `sm_commands` not named is `allow`. */
export type PolicyProfile = Partial<Record<PolicyKey, PolicyAction>> & { sm_commands?: SmCommandAction }

export interface Policies {
  /** `default` is the profile of sessions started without one. */
  profiles: Readonly<Record<string, PolicyProfile>>
}

export const DEFAULT_PROFILE = 'default'

/** Profiles every config has; the config can redefine them. */
export const BUILTIN_PROFILES: Readonly<Record<string, PolicyProfile>> = {
  default: {},
  log: {},
  strict: { destructive: 'deny', sensitive: 'ask' },
}

const rank: Record<PolicyAction, number> = { log: 0, ask: 1, deny: 2 }

/** The action of a profile for one category (`destructive` covers categories not named). */
export function actionFor(profile: PolicyProfile, key: DestructiveCategory | 'sensitive'): PolicyAction {
  if (key === 'sensitive') return profile.sensitive ?? 'log'
  return profile[key] ?? profile.destructive ?? 'log'
}

/** What a profile does with a Bash call made only of sm coordination commands. */
export const smCommandAction = (profile: PolicyProfile): SmCommandAction => profile.sm_commands ?? 'allow'

/** Whether `a` is at least as strict as `b` for every category, for sensitive files and for sm commands. */
export function atLeastAsStrict(a: PolicyProfile, b: PolicyProfile): boolean {
  const categories = [...DESTRUCTIVE_CATEGORIES, 'sensitive' as const].every((k) => rank[actionFor(a, k)] >= rank[actionFor(b, k)])
  return categories && (smCommandAction(a) === 'ask' || smCommandAction(b) === 'allow')
}

export function profileNamed(policies: Policies, name: string | null): PolicyProfile {
  const profile = policies.profiles[name ?? DEFAULT_PROFILE]
  if (profile === undefined) {
    throw new SessionsError('invalid_input', `no policy profile '${name}' (profiles: ${Object.keys(policies.profiles).sort().join(', ')})`)
  }
  return profile
}

/**
 * The profile a new session runs under: the requested one, else its parent's. A child may
 * choose a profile only if it is at least as strict as its parent's.
 */
export function profileForNewSession(policies: Policies, requested: string | undefined, parentProfile: string | null | undefined): string | null {
  const inherited = parentProfile ?? null
  if (requested === undefined) return inherited
  const chosen = profileNamed(policies, requested)
  if (parentProfile !== undefined && !atLeastAsStrict(chosen, profileNamed(policies, inherited))) {
    throw new SessionsError('invalid_input', `policy '${requested}' is less strict than the parent's '${inherited ?? DEFAULT_PROFILE}'`)
  }
  return requested
}

export interface PolicyDecision {
  /** `allow` only for sm coordination commands (decideSmCommands). */
  action: Exclude<PolicyAction, 'log'> | 'allow'
  /** Names the profile, the category and the matched text. */
  reason: string
}

/** The decision for a classified tool call, or null when it is only logged. */
export function decide(profileName: string | null, profile: PolicyProfile, verdict: Verdict): PolicyDecision | null {
  const candidates: { action: PolicyAction; what: string }[] = []
  if (verdict.destructive && verdict.category !== null) {
    candidates.push({ action: actionFor(profile, verdict.category), what: `${verdict.category}: ${verdict.match ?? ''}` })
  }
  if (verdict.sensitive) {
    const path = verdict.reasons.find((r) => r.startsWith('sensitive: '))?.slice('sensitive: '.length) ?? verdict.match ?? ''
    candidates.push({ action: actionFor(profile, 'sensitive'), what: `sensitive file: ${path}` })
  }
  let best: { action: PolicyAction; what: string } | null = null
  for (const c of candidates) if (best === null || rank[c.action] > rank[best.action]) best = c
  if (best === null || best.action === 'log') return null
  const verb = best.action === 'deny' ? 'blocked' : 'needs confirmation'
  return { action: best.action, reason: `claude-sessions policy '${profileName ?? DEFAULT_PROFILE}' ${verb}: ${best.what}` }
}

/**
 * The decision for a managed session's Bash call that is only sm coordination commands
 * (`subcommands`, from smOnly): the profile's `sm_commands`. The caller asks only when the call is
 * neither destructive nor sensitive: such a verdict goes through decide() and never gets `allow`.
 */
export function decideSmCommands(profileName: string | null, profile: PolicyProfile, subcommands: readonly string[]): PolicyDecision {
  const action = smCommandAction(profile)
  const what = [...new Set(subcommands)].map((s) => `sm ${s}`).join(', ')
  const verb = action === 'allow' ? 'allows' : 'asks before'
  return { action, reason: `claude-sessions policy '${profileName ?? DEFAULT_PROFILE}' ${verb} sm coordination commands: ${what}` }
}

const decisionRank: Record<PolicyDecision['action'], number> = { allow: 0, ask: 1, deny: 2 }

/** The `permissionDecision` of a PreToolUse hook reply, if it carries one. */
export function permissionDecisionOf(reply: Record<string, unknown> | null | undefined): PolicyDecision | null {
  const out = reply?.['hookSpecificOutput'] as Record<string, unknown> | undefined
  const action = out?.['permissionDecision']
  if (action !== 'allow' && action !== 'ask' && action !== 'deny') return null
  const reason = out?.['permissionDecisionReason']
  return { action, reason: typeof reason === 'string' ? reason : '' }
}

/** The stricter of two decisions (deny over ask over allow); the first on a tie. */
export function stricterDecision(a: PolicyDecision | null, b: PolicyDecision | null): PolicyDecision | null {
  if (a === null) return b
  if (b === null) return a
  return decisionRank[b.action] > decisionRank[a.action] ? b : a
}

/** The PreToolUse hook reply Claude Code honours for a decision. */
export function preToolUseReply(decision: PolicyDecision): Record<string, unknown> {
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: decision.action,
      permissionDecisionReason: decision.reason,
    },
  }
}

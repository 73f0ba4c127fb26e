import { SessionsError } from '../errors.js'
import { DESTRUCTIVE_CATEGORIES, type DestructiveCategory, type Verdict } from './classify.js'

export const POLICY_ACTIONS = ['log', 'ask', 'deny'] as const
export type PolicyAction = (typeof POLICY_ACTIONS)[number]

/** What a profile can name: a category, `destructive` (every category not named) or `sensitive`. */
export const POLICY_KEYS = [...DESTRUCTIVE_CATEGORIES, 'destructive', 'sensitive'] as const
export type PolicyKey = (typeof POLICY_KEYS)[number]

/** A named set of rules; anything not named is `log`. */
export type PolicyProfile = Partial<Record<PolicyKey, PolicyAction>>

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

/** Whether `a` is at least as strict as `b` for every category and for sensitive files. */
export function atLeastAsStrict(a: PolicyProfile, b: PolicyProfile): boolean {
  return [...DESTRUCTIVE_CATEGORIES, 'sensitive' as const].every((k) => rank[actionFor(a, k)] >= rank[actionFor(b, k)])
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
  action: Exclude<PolicyAction, 'log'>
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

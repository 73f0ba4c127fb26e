// What the classifier finds while it walks a command, and the verdict it makes of it.
import { matchSensitivePath } from './sensitive.js'
import { programName, type ResolvedCommand } from './shell-commands.js'
import { RULE_BY_ID, type RuleRef } from './rules/index.js'
import type { DestructiveCategory } from './rules/types.js'

/** Nesting deeper than this (shells in shells, decoded payloads) is not followed. */
export const MAX_DEPTH = 8

/** What `sm explain --json` prints (plus `rule` and `pack`, see {@link Explanation}). */
export interface Verdict {
  destructive: boolean
  category: DestructiveCategory | null
  sensitive: boolean
  match: string | null
  reasons: string[]
}

/** A verdict with the rules that matched: the first one's id and pack, and all of them. */
export interface Explanation extends Verdict {
  rule: string | null
  pack: string | null
  rules: { id: string; pack: string; category: string }[]
}

export interface ClassifyContext {
  /** The session's working directory (the project), absolute. */
  cwd?: string
  /** The user's home directory, absolute (for `~` and `$HOME`). */
  home?: string
  /**
   * Whether a Python virtualenv is active. `false` makes a plain `pip install` a system
   * package install; unknown (undefined) or `true` does not.
   */
  venv?: boolean
}

export interface Finding {
  category: DestructiveCategory
  match: string
  reason: string
  rule: string
  pack: string
}

export interface SensitiveFinding {
  match: string
  reason: string
  rule: string
  pack: string
}

export interface State {
  ctx: ClassifyContext
  findings: Finding[]
  sensitive: SensitiveFinding[]
  vars: Map<string, string>
  aliases: Map<string, string>
  /** Files written by a download earlier in the script (basenames). */
  downloaded: Set<string>
  /** Files written from secrets earlier in the script (basenames): archives, copies, dumps. */
  tainted: Set<string>
}

export function newState(ctx: ClassifyContext): State {
  return { ctx, findings: [], sensitive: [], vars: new Map(), aliases: new Map(), downloaded: new Set(), tainted: new Set() }
}

export function dedupe(st: State): { findings: Finding[]; sens: SensitiveFinding[] } {
  const seen = new Set<string>()
  const findings = st.findings.filter((f) => {
    const k = `${f.category}\0${f.reason}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  const sens = st.sensitive.filter((s) => {
    const k = `s\0${s.reason}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  return { findings, sens }
}

export function toVerdict(st: State): Verdict {
  const { findings, sens } = dedupe(st)
  const first = findings[0]
  return {
    destructive: first !== undefined,
    category: first?.category ?? null,
    sensitive: sens.length > 0,
    match: first?.match ?? sens[0]?.match ?? null,
    reasons: [...findings.map((f) => `${f.category}: ${f.reason}`), ...sens.map((s) => `sensitive: ${s.reason}`)],
  }
}

export function toExplanation(st: State): Explanation {
  const { findings, sens } = dedupe(st)
  const v = toVerdict(st)
  const all = [...findings.map((f) => ({ id: f.rule, pack: f.pack, category: f.category as string })), ...sens.map((s) => ({ id: s.rule, pack: s.pack, category: 'sensitive' }))]
  const rules = all.filter((r, i) => all.findIndex((x) => x.id === r.id) === i)
  return { ...v, rule: rules[0]?.id ?? null, pack: rules[0]?.pack ?? null, rules }
}

export function via(res?: ResolvedCommand | null): string {
  return res && res.wrappers.length > 0 ? ` (via ${[...new Set(res.wrappers)].join(', ')})` : ''
}

/** Records a finding of a rule raised by the core (or matched by a pack). */
export function raise(st: State, ruleId: string, match: string, reason: string, res?: ResolvedCommand | null): void {
  const ref = RULE_BY_ID.get(ruleId)
  if (!ref) throw new Error(`unknown rule ${ruleId}`)
  record(st, ref, match, reason, res)
}

export function record(st: State, ref: RuleRef, match: string, reason: string, res?: ResolvedCommand | null): void {
  if (ref.rule.category === 'sensitive') st.sensitive.push({ match, reason: reason + via(res), rule: ref.rule.id, pack: ref.pack })
  else st.findings.push({ category: ref.rule.category, match, reason: reason + via(res), rule: ref.rule.id, pack: ref.pack })
}

export function checkSensitive(path: string, st: State, where: string): boolean {
  const label = matchSensitivePath(path)
  if (!label) return false
  st.sensitive.push({ match: path, reason: `${where} ${path} (${label})`, rule: 'sensitive.path', pack: 'sensitive' })
  return true
}

export const base = (p: string): string => programName(p.replace(/\/+$/, ''))

export const isSecretPath = (st: State, p: string): boolean => matchSensitivePath(p) !== null || (st.tainted.size > 0 && st.tainted.has(base(p)))

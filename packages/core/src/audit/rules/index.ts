/**
 * The rule packs, one per family, and the indexes the classifier core uses: rules by program
 * name, rules by id, value-taking flags by program, and code rules for interpreter source.
 */
import { backup } from './backup.js'
import { cloud } from './cloud.js'
import { containers } from './containers.js'
import { databases } from './databases.js'
import { exfiltration } from './exfiltration.js'
import { filesystem } from './filesystem.js'
import { forges } from './forges.js'
import { git } from './git.js'
import { iac } from './iac.js'
import { interpreters } from './interpreters.js'
import { kubernetes } from './kubernetes.js'
import { packages } from './packages.js'
import { paas } from './paas.js'
import { permissions } from './permissions.js'
import { sensitive } from './sensitive.js'
import { system } from './system.js'
import type { Pack, Rule } from './types.js'

export const PACKS: readonly Pack[] = [filesystem, git, cloud, kubernetes, iac, containers, paas, backup, forges, packages, databases, system, permissions, interpreters, exfiltration, sensitive]

export interface RuleRef {
  rule: Rule
  pack: string
}

export const RULES_BY_COMMAND = new Map<string, RuleRef[]>()
export const RULE_BY_ID = new Map<string, RuleRef>()
export const VALUE_FLAGS = new Map<string, Set<string>>()
export const CODE_RULES: RuleRef[] = []

for (const pack of PACKS) {
  for (const rule of pack.rules) {
    if (RULE_BY_ID.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`)
    const ref = { rule, pack: pack.name }
    RULE_BY_ID.set(rule.id, ref)
    if (rule.code) CODE_RULES.push(ref)
    for (const c of rule.commands) {
      const list = RULES_BY_COMMAND.get(c) ?? []
      list.push(ref)
      RULES_BY_COMMAND.set(c, list)
    }
  }
  for (const [c, flags] of Object.entries(pack.valueFlags ?? {})) {
    const set = VALUE_FLAGS.get(c) ?? new Set<string>()
    for (const f of flags) set.add(f)
    VALUE_FLAGS.set(c, set)
  }
}

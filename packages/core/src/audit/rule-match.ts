// A resolved command against the rule packs: its flags and positionals read once, each rule of its name tried.
import type { SimpleCommand, Word } from './shell-lexer.js'
import type { ResolvedCommand } from './shell-commands.js'
import { RULES_BY_COMMAND, VALUE_FLAGS, type RuleRef } from './rules/index.js'
import { isDryRun, type Cmd, type Rule } from './rules/types.js'
import { isSecretPath, type State } from './classify-state.js'

export function makeCmd(res: ResolvedCommand, cmd: SimpleCommand, stdin: string | null, st: State, nameOverride?: string, argsOverride?: Word[]): Cmd {
  const name = nameOverride ?? res.name
  const words = argsOverride ?? res.args
  const t = words.map((w) => w.text)
  const vf = VALUE_FLAGS.get(name)
  const short = new Set<string>()
  const long = new Set<string>()
  const pos: string[] = []
  let ended = false
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!
    if (ended) {
      pos.push(x)
      continue
    }
    if (x === '--') {
      ended = true
      continue
    }
    if (x.startsWith('--') && x.length > 2) {
      const k = x.split('=')[0]!
      long.add(k)
      if (!x.includes('=') && vf?.has(k)) i++
      continue
    }
    if (x.startsWith('-') && x.length > 1 && !/^-\d/.test(x)) {
      if (vf?.has(x)) {
        if (x.length === 2) short.add(x[1]!)
        i++
        continue
      }
      for (const ch of x.slice(1)) short.add(ch)
      // -n5, -fvalue: a value-taking short flag at the end of a cluster takes the next word.
      if (vf && x.length > 2 && /^-[a-zA-Z]+$/.test(x) && vf.has(`-${x[x.length - 1]}`)) i++
      continue
    }
    pos.push(x)
  }
  const has = (...flags: string[]): boolean =>
    flags.some((fl) => {
      if (fl.startsWith('--')) return long.has(fl)
      if (fl.length === 2) return short.has(fl[1]!)
      return t.some((x) => x === fl || x.startsWith(`${fl}=`))
    })
  const value = (...flags: string[]): string | undefined => {
    for (const fl of flags) {
      for (let i = 0; i < t.length; i++) {
        const x = t[i]!
        if (x === '--') break
        if (x === fl) return t[i + 1]
        if (x.startsWith(`${fl}=`)) return x.slice(fl.length + 1)
        if (fl.length === 2 && !fl.startsWith('--') && /^-[a-zA-Z]/.test(x) && !x.startsWith('--')) {
          const k = x.indexOf(fl[1]!, 1)
          if (k > 0 && /^[a-zA-Z]*$/.test(x.slice(1, k))) return k === x.length - 1 ? t[i + 1] : x.slice(k + 1)
        }
      }
    }
    return undefined
  }
  return { name, words, t, pos, short, long, sudo: res.sudo, wrappers: res.wrappers, xargs: res.xargs, stdin, ctx: st.ctx, text: cmd.text, has, value, secret: (p: string) => isSecretPath(st, p) } as Cmd
}

export interface Hit {
  ref: RuleRef
  reason: string
}

export function subMatches(sub: Rule['sub'], pos: string[]): boolean {
  if (!sub) return true
  for (let i = 0; i < sub.length; i++) {
    const want = sub[i]!
    const got = pos[i]
    if (got === undefined) return false
    if (typeof want === 'string' ? got !== want : want instanceof RegExp ? !want.test(got) : !(want as readonly string[]).includes(got)) return false
  }
  return true
}

export function matchRules(c: Cmd): Hit[] {
  const list = RULES_BY_COMMAND.get(c.name)
  if (!list) return []
  const hits: Hit[] = []
  for (const ref of list) {
    const rule = ref.rule
    if (c.pos[0] === 'help' || c.t.includes('--help') || c.t.includes('-help')) continue
    if (!subMatches(rule.sub, c.pos)) continue
    if (rule.anyFlag && !c.has(...rule.anyFlag)) continue
    if (rule.allFlags && !rule.allFlags.every((fl) => c.has(fl))) continue
    let reason: string | null = null
    if (rule.when) {
      const r = rule.when(c)
      if (!r) continue
      if (typeof r === 'string') reason = r
    }
    if (rule.dryRun !== false && isDryRun(c, rule.dryRun === 'n')) continue
    if (rule.safe?.(c)) continue
    hits.push({ ref, reason: reason ?? (typeof rule.reason === 'string' ? rule.reason : rule.reason(c)) })
  }
  return hits
}

/**
 * The shape of a classifier rule. A rule is data: which programs it applies to, the subcommand
 * path and flags it needs, an optional argument predicate, what makes it a safe variant (dry
 * runs), and examples that are run by rules.test.ts. Rules are grouped in packs by family
 * (rules/<family>.ts); the classifier core (classify.ts) only parses, unwraps and dispatches.
 */
import type { Word } from '../shell-lexer.js'

export const DESTRUCTIVE_CATEGORIES = [
  'git_history',
  'recursive_delete',
  'find_delete',
  'permissions',
  'disk_system',
  'remote_code',
  'database',
  'infrastructure',
  'system_package',
  'exfiltration',
] as const

export type DestructiveCategory = (typeof DESTRUCTIVE_CATEGORIES)[number]

/** A rule flags a destructive category, or a sensitive read (`sensitive`). */
export type RuleCategory = DestructiveCategory | 'sensitive'

export interface RuleContext {
  cwd?: string
  home?: string
  venv?: boolean
}

/** One resolved simple command, as rules see it. */
export interface Cmd {
  /** Bare program name (`/usr/bin/git` → `git`; `python manage.py` is also tried as `manage.py`). */
  name: string
  words: Word[]
  /** Argument texts (after quote removal). */
  t: string[]
  /** Positional arguments: flags and the values of the pack's value-taking flags removed. */
  pos: string[]
  /** Short flags, split (`-rf` → r, f). */
  short: Set<string>
  /** Long flags without values (`--force=x` → `--force`). */
  long: Set<string>
  sudo: boolean
  /** Wrappers removed to reach the command (`sudo`, `env`, `find -exec`, `docker exec`, …). */
  wrappers: string[]
  /** Run by xargs/parallel: its input supplies more arguments. */
  xargs: boolean
  /** Text fed on stdin when known (heredoc, here-string, echo piped in). */
  stdin: string | null
  ctx: RuleContext
  /** The source text of the command. */
  text: string
  /** Any of these flags is present. `--x` long, `-x` one short letter, `-xyz` exact word. */
  has(...flags: string[]): boolean
  /** Value of the first of these flags present (`--x=v`, `--x v`, `-x v`, `-xv`). */
  value(...flags: string[]): string | undefined
  /** Whether a path names a secret (sensitive path, or a file written from secrets earlier). */
  secret(path: string): boolean
}

/** One element of a subcommand path: exact word, one of several words, or a pattern. */
export type Sub = string | readonly string[] | RegExp

export interface Rule {
  /** `<pack>.<name>`, unique. */
  id: string
  category: RuleCategory
  /** Program names the rule is looked up by. Empty: a core rule, raised by classify.ts itself. */
  commands: readonly string[]
  /** Positional path from the first positional (`['s3', 'rm']`). */
  sub?: readonly Sub[]
  /** At least one of these flags. */
  anyFlag?: readonly string[]
  /** Every one of these flags. */
  allFlags?: readonly string[]
  /** Extra predicate; a string return value is the reason. */
  when?: (c: Cmd) => boolean | string | undefined
  /** Safe variant beyond the standard dry-run flags. */
  safe?: (c: Cmd) => boolean
  /** Core rules only: a pattern over interpreter source code (python -c, node -e, heredocs). */
  code?: RegExp
  /** Standard dry-run flags apply (default true); `'n'` also takes `-n` as dry run. */
  dryRun?: boolean | 'n'
  reason: string | ((c: Cmd) => string)
  /** Commands that must match this rule (tested). */
  examples: readonly string[]
  /** Look-alikes and dry runs that must not match this rule (tested). */
  safeExamples?: readonly string[]
}

export interface Pack {
  name: string
  description: string
  rules: readonly Rule[]
  /** Per program: flags that take a value (so the value is not taken for a positional). */
  valueFlags?: Readonly<Record<string, readonly string[]>>
}

// ---------------------------------------------------------------------------------------------
// Helpers for writing rules.

/** The standard dry-run flags (`--dry-run`, `--dry-run=client|server`, `--dryrun`, `--what-if`, …). */
export function isDryRun(c: Cmd, shortN = false): boolean {
  for (const x of c.t) {
    const m = /^-{1,2}(dry-?run|what-?if|whatif|simulate|no-act|noop|plan-only)(=(.*))?$/i.exec(x)
    if (m) return m[3] === undefined || !/^(none|false|0|no|off)$/i.test(m[3])
    if (x === '-WhatIf') return true
  }
  return shortN && c.short.has('n')
}

export const anyOf = (...xs: string[]) => (s: string): boolean => xs.includes(s)

/** The positional that follows `word` (a verb anywhere in the path). */
export function after(c: Cmd, word: string): string | undefined {
  const i = c.pos.indexOf(word)
  return i >= 0 ? c.pos[i + 1] : undefined
}

/** The positional command path contains one of these verbs. */
export function hasVerb(c: Cmd, verbs: readonly string[] | RegExp): boolean {
  return c.pos.some((p) => (verbs instanceof RegExp ? verbs.test(p) : verbs.includes(p)))
}

/** Looks like a remote location: `s3://b`, `gs://b`, `remote:path`, `user@host:path`, `https://…`. */
export function isRemoteLocation(s: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return true
  if (/^([^/\s@]+@)?[A-Za-z0-9._-]+:[^/\\]?/.test(s) && !/^[A-Za-z]:[\\/]/.test(s)) return !s.startsWith('/') && !s.startsWith('.')
  return false
}

/**
 * Whether a Bash command is only `sm` coordination commands (spec 0007, "sm commands"): then a
 * managed session's PreToolUse may be answered `allow`, so a parent does not wait on a person
 * for every `sm spawn` / `sm send` / `sm wait`.
 *
 * The rule is deliberately narrow; anything it does not understand gets no pass (the normal
 * classification and policy apply, and Claude Code's own permission mode decides):
 *
 * - every simple command's first word is exactly `sm`, written bare (no path, no quotes, no
 *   `VAR=x` prefix, no wrapper such as `env`, `command`, `sudo`), followed by a subcommand from
 *   {@link SM_PASS_SUBCOMMANDS} (`unlock` only without `--force`);
 * - commands are joined only by `;`, `&&`, `||`, newlines and pipes (`|`, `|&`), so a pipe
 *   always runs into another `sm`;
 * - no `$` and no backquote outside single quotes (no command, process or arithmetic
 *   substitution, no parameter expansion that could hide a command or leak a variable);
 * - no `(`, `)` (subshells, functions), no lone `&` (background), no `;;`, no `<` (input
 *   redirection, heredocs, here-strings, `<(…)`);
 * - output redirection only to a file descriptor (`2>&1`, `>&2`) or to `/dev/null`;
 * - no control characters but tab and newline, quotes closed, at most 16 KiB.
 *
 * It trusts that `sm` on the agent's PATH is ours (the server puts it there for managed sessions).
 */
import { parseShell, type Redirect, type SimpleCommand } from './shell-lexer.js'

/**
 * The subcommands that pass: coordination and reading. Left out: `new` and `attach` (sessions
 * and terminals of the operator), `key` (could answer another session's permission dialog),
 * `hooks` (rewrites Claude Code's settings: could remove our hooks), `server`, `telegram`
 * (pairing) and `completion`.
 */
export const SM_PASS_SUBCOMMANDS: ReadonlySet<string> = new Set([
  'spawn',
  'send',
  'wait',
  'children',
  'status',
  'ls',
  'me',
  'who',
  'others',
  'all',
  'alone',
  'task',
  'subagents',
  'output',
  'what',
  'last',
  'events',
  'tools',
  'tail',
  'explain',
  'name',
  'clear',
  'interrupt',
  'kill',
  'lock',
  'unlock',
  '--help',
  '-h',
  '--version',
  '-v',
])

export type SmOnly = { only: true; subcommands: string[] } | { only: false; why: string }

const MAX_LENGTH = 16 * 1024
/** A cheap first look: most Bash commands are not sm at all. */
const STARTS_WITH_SM = /^[ \t\n]*sm[ \t\n]/

/** Whether `command` may start with an sm invocation (the cheap test before the full one). */
export function mayBeSmOnly(command: string): boolean {
  return STARTS_WITH_SM.test(command)
}

const no = (why: string): SmOnly => ({ only: false, why })

/** Whether the Bash `command` is nothing but `sm` coordination commands (see the file comment). */
export function smOnly(command: string): SmOnly {
  if (command.length > MAX_LENGTH) return no('too long')
  if (!mayBeSmOnly(command)) return no('does not start with sm')
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(command)) return no('control character')
  const lexical = scan(command)
  if (lexical !== null) return no(lexical)
  const script = parseShell(command)
  const subcommands: string[] = []
  for (const pipeline of script.pipelines) {
    for (const cmd of pipeline.commands) {
      const why = checkCommand(cmd)
      if (why !== null) return no(why)
      subcommands.push(cmd.words[1]!.text)
    }
  }
  if (subcommands.length === 0) return no('no command')
  return { only: true, subcommands }
}

/** The characters and operators the rule refuses, quote-aware; null when none. */
function scan(s: string): string | null {
  let quote: "'" | '"' | null = null
  /** The previous character when it was an unquoted, unescaped operator character. */
  let prev = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const before = prev
    prev = ''
    if (quote === "'") {
      if (c === "'") quote = null
      continue
    }
    if (c === '\\') {
      i++
      continue
    }
    if (c === '$') return '$ expansion'
    if (c === '`') return 'backquote substitution'
    if (quote === '"') {
      if (c === '"') quote = null
      continue
    }
    if (c === "'" || c === '"') quote = c
    else if (c === '(' || c === ')') return 'subshell or function'
    else if (c === '<') return 'input redirection'
    else if (c === ';' && s[i + 1] === ';') return ';;'
    else if (c === '&') {
      if (s[i + 1] === '&') i++
      // `&>` and `>&` are redirections, `|&` a pipe
      else if (s[i + 1] !== '>' && before !== '>' && before !== '|') return 'background &'
    } else if (c === '>' || c === '|') prev = c
  }
  return quote === null ? null : 'unclosed quote'
}

function checkCommand(cmd: SimpleCommand): string | null {
  const [first, sub] = cmd.words
  if (first === undefined || first.raw !== 'sm') return `not sm: ${first?.raw ?? cmd.text}`
  if (sub === undefined) return 'sm without a subcommand'
  if (!SM_PASS_SUBCOMMANDS.has(sub.text)) return `sm ${sub.text} is not a coordination command`
  if (cmd.words.some((w) => w.subs.length > 0)) return 'substitution'
  if (sub.text === 'unlock' && cmd.words.some((w) => w.text.includes('force'))) return 'sm unlock --force'
  for (const r of cmd.redirects) if (!harmless(r)) return `redirection ${r.op}${r.target?.raw ?? ''}`
  return null
}

/** `N>&M`, `>&-`, or output to /dev/null. */
function harmless(r: Redirect): boolean {
  const target = r.target?.text
  if (target === undefined || r.heredoc !== null) return false
  if (r.op === '>&') return /^(\d+|-)$/.test(target)
  return ['>', '>>', '&>', '&>>', '>|'].includes(r.op) && target === '/dev/null'
}

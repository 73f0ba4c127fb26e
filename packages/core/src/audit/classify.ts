/**
 * The tool-use classifier: destructive commands (by category) and sensitive paths.
 * Pure and synchronous. This file is the generic core: shell commands are parsed
 * (shell-lexer.ts), wrappers unwrapped (shell-commands.ts), variables and aliases set earlier in
 * the script expanded, statically known output (`echo`, `printf`, heredocs, `base64 -d`, `xxd -r`,
 * `rev`) followed into shells, and every resolved command is matched against the rule packs in
 * rules/ (one pack per family: adding a tool = adding a rule). Quoted data is never taken for a
 * command.
 *
 * Decisions on ambiguous cases (the corpus in fixtures/audit/ pins each one):
 * - `git push --force-with-lease` is git_history (still rewrites the remote); a plain
 *   `git push` with no refspec is not flagged (the target branch is unknown).
 * - Any recursive `rm` is recursive_delete, also inside the project; the reasons say where
 *   it points (inside/outside the project, `/`, home, wildcard, run-time target). A
 *   non-recursive `rm -f` is flagged only for `/`, home, wildcards or paths outside the project.
 * - `pip install` is system_package with `--user`, `--break-system-packages`, under sudo, or
 *   when the context says `venv: false`; unknown venv is not flagged. apt/yum/dnf/... are
 *   flagged with or without sudo; `brew install` and `systemctl restart` are not.
 * - Listing a sensitive directory (`ls ~/.ssh`) is sensitive (not destructive).
 * - Dry runs (`--dry-run`, `--dry-run=client|server`, `--dryrun`, `--what-if`, `plan`, `-n` where
 *   the tool documents it as a dry run) are never flagged.
 * - `kubectl delete` of a single pod is not flagged (it is recreated); other kinds are.
 * - Decoded payloads piped into a shell are classified by their decoded text when it is in the
 *   command; when it is not (a file, a download), they are remote_code.
 * - First finding wins for `category`; pipeline-level findings (remote_code, exfiltration)
 *   come before the commands of the pipeline. Nesting deeper than 8 levels is not followed.
 */
import { parseShell, type Pipeline, type SimpleCommand, type Word } from './shell-lexer.js'
import { flagSet, programName, resolveCommand, type ResolvedCommand } from './shell-commands.js'
import { matchSensitivePath } from './sensitive.js'
import { CODE_RULES, RULE_BY_ID, RULES_BY_COMMAND, VALUE_FLAGS, type RuleRef } from './rules/index.js'
import { dangerousSql } from './rules/databases.js'
import { isDryRun, type Cmd, type DestructiveCategory, type Rule } from './rules/types.js'
import { SECRET_VAR } from './rules/sensitive.js'
import { CLOUD_SENDERS } from './rules/exfiltration.js'
import { BLOCK_DEVICE, protectedFile } from './rules/system.js'

export { DESTRUCTIVE_CATEGORIES, type DestructiveCategory } from './rules/types.js'
export { dangerousSql } from './rules/databases.js'

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

interface Finding {
  category: DestructiveCategory
  match: string
  reason: string
  rule: string
  pack: string
}

interface SensitiveFinding {
  match: string
  reason: string
  rule: string
  pack: string
}

interface State {
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

const MAX_DEPTH = 8

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh', 'pwsh', 'powershell'])
const SSH_ARG_FLAGS = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B', '-P'])
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'deno', 'bun', 'tsx', 'ts-node', 'lua', 'Rscript', 'osascript'])
const FETCHERS = new Set(['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c', 'curlie', 'httpie'])
const SENDERS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'rsync', 'sftp', 'ftp', 'http', 'https', 'xh', 'curlie', 'dig', 'nslookup', 'host', 'mail', 'sendmail', 'mutt', 'openssl'])
const DATA_COMMANDS = new Set(['echo', 'printf', 'true', 'false', ':'])
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk', 'git grep'])

const isInterpreter = (n: string): boolean => INTERPRETERS.has(n) || /^python\d(\.\d+)?$/.test(n) || /^node\d*$/.test(n) || /^(perl|ruby|php)\d[\d.]*$/.test(n)

export function classifyCommand(command: string, context: ClassifyContext = {}): Verdict {
  return toVerdict(run(command, context))
}

/** Like {@link classifyCommand}, with the matching rules (for `sm explain`). */
export function explainCommand(command: string, context: ClassifyContext = {}): Explanation {
  return toExplanation(run(command, context))
}

/** Classifies a Claude Code tool call (PreToolUse `tool_name` and `tool_input`). */
export function classifyToolUse(toolName: string, toolInput: unknown, context: ClassifyContext = {}): Verdict {
  return toVerdict(runTool(toolName, toolInput, context))
}

/** Like {@link classifyToolUse}, with the matching rules (for `sm explain --tool`). */
export function explainToolUse(toolName: string, toolInput: unknown, context: ClassifyContext = {}): Explanation {
  return toExplanation(runTool(toolName, toolInput, context))
}

function newState(ctx: ClassifyContext): State {
  return { ctx, findings: [], sensitive: [], vars: new Map(), aliases: new Map(), downloaded: new Set(), tainted: new Set() }
}

function run(command: string, context: ClassifyContext): State {
  const st = newState(context)
  analyzeScript(command, st, 0)
  return st
}

function runTool(toolName: string, toolInput: unknown, context: ClassifyContext): State {
  const input = (toolInput !== null && typeof toolInput === 'object' ? toolInput : {}) as Record<string, unknown>
  const str = (k: string): string | null => (typeof input[k] === 'string' ? (input[k] as string) : null)
  if (toolName === 'Bash') return run(str('command') ?? '', context)
  const st = newState(context)
  const paths: string[] = []
  switch (toolName) {
    case 'Read':
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      paths.push(str('file_path') ?? '')
      break
    case 'NotebookEdit':
      paths.push(str('notebook_path') ?? '')
      break
    case 'Grep':
      // `pattern` is a regex over file contents, not a path.
      paths.push(str('path') ?? '', str('glob') ?? '')
      break
    case 'Glob':
      paths.push(str('pattern') ?? '', str('path') ?? '')
      break
    case 'LS':
      paths.push(str('path') ?? '')
      break
    default:
      break
  }
  for (const p of paths) if (p) checkSensitive(p, st, `${toolName} path`)
  // A Glob pattern joined to its directory (`path: ~/.ssh`, `pattern: *`) is checked whole too.
  if (toolName === 'Glob' && str('path') && str('pattern')) checkSensitive(`${str('path')}/${str('pattern')}`, st, 'Glob')
  return st
}

function dedupe(st: State): { findings: Finding[]; sens: SensitiveFinding[] } {
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

function toVerdict(st: State): Verdict {
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

function toExplanation(st: State): Explanation {
  const { findings, sens } = dedupe(st)
  const v = toVerdict(st)
  const all = [...findings.map((f) => ({ id: f.rule, pack: f.pack, category: f.category as string })), ...sens.map((s) => ({ id: s.rule, pack: s.pack, category: 'sensitive' }))]
  const rules = all.filter((r, i) => all.findIndex((x) => x.id === r.id) === i)
  return { ...v, rule: rules[0]?.id ?? null, pack: rules[0]?.pack ?? null, rules }
}

function via(res?: ResolvedCommand | null): string {
  return res && res.wrappers.length > 0 ? ` (via ${[...new Set(res.wrappers)].join(', ')})` : ''
}

/** Records a finding of a rule raised by the core (or matched by a pack). */
function raise(st: State, ruleId: string, match: string, reason: string, res?: ResolvedCommand | null): void {
  const ref = RULE_BY_ID.get(ruleId)
  if (!ref) throw new Error(`unknown rule ${ruleId}`)
  record(st, ref, match, reason, res)
}

function record(st: State, ref: RuleRef, match: string, reason: string, res?: ResolvedCommand | null): void {
  if (ref.rule.category === 'sensitive') st.sensitive.push({ match, reason: reason + via(res), rule: ref.rule.id, pack: ref.pack })
  else st.findings.push({ category: ref.rule.category, match, reason: reason + via(res), rule: ref.rule.id, pack: ref.pack })
}

function checkSensitive(path: string, st: State, where: string): boolean {
  const label = matchSensitivePath(path)
  if (!label) return false
  st.sensitive.push({ match: path, reason: `${where} ${path} (${label})`, rule: 'sensitive.path', pack: 'sensitive' })
  return true
}

const base = (p: string): string => programName(p.replace(/\/+$/, ''))
const isSecretPath = (st: State, p: string): boolean => matchSensitivePath(p) !== null || (st.tainted.size > 0 && st.tainted.has(base(p)))

// ---------------------------------------------------------------------------------------------

function analyzeScript(src: string, st: State, depth: number): void {
  if (depth > MAX_DEPTH || !src.trim()) return
  detectForkBomb(src, st)
  let script
  try {
    script = parseShell(src)
  } catch {
    return
  }
  for (const p of script.pipelines) analyzePipeline(p, st, depth)
}

function detectForkBomb(src: string, st: State): void {
  if (!src.includes('(')) return
  // Bounded name and body: no quadratic backtracking on long inputs.
  const re = /([^\s(){};|&]{1,64})\s*\(\s*\)\s*\{([^}]{0,256})\}/g
  for (const m of src.matchAll(re)) {
    const name = m[1]!
    const body = m[2]!.replace(/\s+/g, '')
    if (body.includes(`${name}|${name}`)) raise(st, 'system.fork-bomb', m[0], `fork bomb: function ${name} pipes into itself in the background`)
  }
}

interface Stage {
  cmd: SimpleCommand
  words: Word[]
  res: ResolvedCommand | null
}

const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/
const DECLARERS = new Set(['export', 'declare', 'local', 'readonly', 'typeset'])

/** Records `x=rm`, `export X=…`, `alias x='…'`; returns true when the command only assigns. */
function recordAssignments(words: Word[], st: State): boolean {
  if (words.length === 0) return false
  let ws = words
  if (DECLARERS.has(ws[0]!.text) && !ws[0]!.quoted) {
    ws = ws.slice(1).filter((w) => !w.text.startsWith('-'))
    if (ws.length === 0) return false
  }
  else if (ws[0]!.text === 'alias') {
    for (const w of ws.slice(1)) {
      const m = ASSIGN.exec(w.text)
      if (m) st.aliases.set(m[1]!, m[2]!)
    }
    return true
  }
  if (!ws.every((w) => ASSIGN.test(w.text))) return false
  for (const w of ws) {
    const m = ASSIGN.exec(w.text)!
    if (st.vars.size < 64) st.vars.set(m[1]!, m[2]!)
  }
  return true
}

/** Expands variables and aliases defined earlier in the script, and statically known `$(…)`. */
function expandWords(words: Word[], st: State, depth: number): Word[] {
  let out: Word[] = []
  let changed = false
  for (const w of words) {
    let text = w.text
    if (w.subs.length > 0) {
      for (const sub of w.subs) {
        const o = outputOfScript(sub.source, st, depth)
        if (o?.kind !== 'text') continue
        const val = o.text.replace(/\n+$/, '')
        for (const raw of [`$(${sub.source})`, `\`${sub.source}\``]) if (text.includes(raw)) text = text.replace(raw, () => val)
      }
    }
    if (st.vars.size > 0 && text.includes('$') && !w.raw.startsWith("'")) {
      text = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, a: string | undefined, b: string | undefined) => st.vars.get(a ?? b ?? '') ?? m)
    }
    if (text === w.text) {
      out.push(w)
      continue
    }
    changed = true
    // Unquoted expansions are split into words, as the shell does.
    if (!w.raw.includes('"') && !w.raw.includes("'") && /\s/.test(text)) for (const part of text.split(/\s+/).filter(Boolean)) out.push({ text: part, raw: part, quoted: false, subs: [] })
    else out.push({ ...w, text })
  }
  if (st.aliases.size > 0 && out.length > 0 && !out[0]!.quoted) {
    const alias = st.aliases.get(out[0]!.text)
    if (alias !== undefined) {
      changed = true
      out = [...alias.split(/\s+/).filter(Boolean).map((text) => ({ text, raw: text, quoted: false, subs: [] })), ...out.slice(1)]
    }
  }
  return changed ? out : words
}

function analyzePipeline(p: Pipeline, st: State, depth: number): void {
  const stages: Stage[] = []
  for (const cmd of p.commands) {
    const words = expandWords(cmd.words, st, depth)
    if (p.commands.length === 1 && recordAssignments(words, st)) {
      for (const w of words) for (const sub of w.subs) analyzeScript(sub.source, st, depth + 1)
      stages.push({ cmd, words, res: null })
      continue
    }
    stages.push({ cmd, words, res: resolveCommand(words) })
  }
  const whole = p.commands.map((c) => c.text).join(' | ')

  // Pipeline-level: code fed to a shell or interpreter, and secrets sent over the network.
  for (let j = 1; j < stages.length; j++) {
    const r = stages[j]!.res
    if (!r) continue
    if (readsCodeFromStdin(r)) {
      const feed = outputOf(stages, j - 1, st, depth)
      if (feed?.kind === 'fetched') raise(st, 'interpreters.pipe-download-to-shell', whole, `output of ${feed.by} is piped into ${r.name}`, r)
      else if (feed?.kind === 'opaque') raise(st, 'interpreters.decoded-payload', whole, `${feed.by} output (not visible in the command) is piped into ${r.name}`, r)
    }
    if (SENDERS.has(r.name) || isStdinUploader(r)) {
      for (const s of stages.slice(0, j)) {
        const src = secretSource(s, st)
        if (src) {
          raise(st, 'exfiltration.pipe-to-network', whole, `${src} is piped to ${r.name}`, r)
          break
        }
      }
    }
  }

  for (let j = 0; j < stages.length; j++) {
    const stage = stages[j]!
    const { cmd, res } = stage
    // Substitutions run wherever they appear, even inside double quotes.
    for (const w of [...cmd.words, ...cmd.redirects.map((r) => r.target).filter((t): t is Word => t !== null)]) {
      for (const sub of w.subs) analyzeScript(sub.source, st, depth + 1)
    }
    recordSensitive(stage, st)
    checkRedirects(cmd, st)
    if (!res) {
      if (isBareEnv(stage.words)) raise(st, 'sensitive.print-environment', cmd.text, 'env with no command prints every environment variable')
      continue
    }
    const stdin = stdinText(stages, j, st, depth)
    classifyResolved(res, cmd, stdin, st, depth, stages, j)
    trackFiles(stage, st)
  }
}

/** Redirections onto block devices and kernel triggers, and truncation of system files. */
function checkRedirects(cmd: SimpleCommand, st: State): void {
  for (const r of cmd.redirects) {
    if (!r.target || r.heredoc || !/^(>|>>|>\||&>|&>>|<>)$/.test(r.op) || (r.fd !== null && r.fd !== '1' && r.fd !== '2')) continue
    const x = r.target.text
    if (BLOCK_DEVICE.test(x)) raise(st, 'system.redirect-onto-device', cmd.text, `redirection ${r.op} ${x} writes onto a device`)
    else {
      const p = protectedFile(x, st.ctx.home)
      if (p && (p.includes('sysrq') || p.includes('kernel') || p.includes('power') || (r.op !== '>>' && r.op !== '&>>'))) raise(st, 'system.redirect-onto-device', cmd.text, `redirection ${r.op} ${x} ${r.op.includes('>>') ? 'writes to' : 'truncates'} ${p}`)
    }
  }
}

function isBareEnv(words: Word[]): boolean {
  let i = 0
  while (i < words.length && (ASSIGN.test(words[i]!.text) || ((words[i]!.text === 'sudo' || words[i]!.text === 'doas' || (i > 0 && words[i]!.text.startsWith('-'))) && programName(words[i]!.text) !== 'env'))) i++
  if (programName(words[i]?.text ?? '') !== 'env') return false
  return words.slice(i + 1).every((w) => w.text.startsWith('-') || ASSIGN.test(w.text) || ['env', 'sudo', 'doas'].includes(programName(w.text)))
}

type Output = { kind: 'text'; text: string } | { kind: 'fetched'; by: string } | { kind: 'opaque'; by: string } | null

/** What a stage of a pipeline writes to stdout, when it is known statically. */
function outputOf(stages: Stage[], i: number, st: State, depth: number): Output {
  const s = stages[i]!
  const r = s.res
  if (!r) return null
  const a = r.args.map((w) => w.text)
  const f = flagSet(r.args)
  if (FETCHERS.has(r.name)) return { kind: 'fetched', by: r.name }
  if (r.name === 'echo') {
    const flags = a.filter((x) => /^-[neE]+$/.test(x)).join('')
    const text = a.filter((x) => !/^-[neE]+$/.test(x)).join(' ')
    return { kind: 'text', text: flags.includes('e') ? unescapeC(text) : text }
  }
  if (r.name === 'printf') return { kind: 'text', text: printfOut(a.filter((x) => x !== '--')) }
  const inherited = (): Output => inputOf(stages, i, st, depth)
  if (r.name === 'cat' || r.name === 'tee' || r.name === 'cat -') {
    const files = f.positional.map((w) => w.text).filter((x) => x !== '-')
    if (r.name === 'cat' && files.length > 0) return files.some((x) => st.downloaded.has(base(x))) ? { kind: 'fetched', by: `a downloaded file (${files.join(' ')})` } : null
    return inherited()
  }
  const decoder = decoderOf(r)
  if (decoder) {
    const files = f.positional.map((w) => w.text).filter((x) => x !== '-' && !/^\d+$/.test(x))
    if (files.length > 0 && r.name !== 'openssl') return files.some((x) => st.downloaded.has(base(x))) ? { kind: 'fetched', by: 'a downloaded file' } : { kind: 'opaque', by: `${r.name} of ${files[0]}` }
    const inp = inherited()
    if (inp?.kind === 'text') {
      const out = decoder(inp.text)
      return out === null ? { kind: 'opaque', by: r.name } : { kind: 'text', text: out }
    }
    if (inp?.kind === 'fetched') return inp
    return { kind: 'opaque', by: r.name }
  }
  return null
}

/** What a stage reads on stdin: its own heredoc/here-string/`<` file, or the previous stage. */
function inputOf(stages: Stage[], j: number, st: State, depth: number): Output {
  const { cmd } = stages[j]!
  for (const r of cmd.redirects) {
    if (r.heredoc) return { kind: 'text', text: r.heredoc.body }
    if (r.op === '<<<' && r.target) return { kind: 'text', text: r.target.text }
    if (r.op === '<' && r.target) {
      if (st.downloaded.has(base(r.target.text))) return { kind: 'fetched', by: `downloaded ${r.target.text}` }
      for (const sub of r.target.subs) {
        const o = outputOfScript(sub.source, st, depth)
        if (o) return o
      }
      return null
    }
  }
  return j > 0 ? outputOf(stages, j - 1, st, depth) : null
}

function outputOfScript(src: string, st: State, depth: number): Output {
  if (depth > MAX_DEPTH || src.length > 20_000) return null
  let script
  try {
    script = parseShell(src)
  } catch {
    return null
  }
  const p = script.pipelines[script.pipelines.length - 1]
  if (!p) return null
  const stages: Stage[] = p.commands.map((cmd) => {
    const words = expandWords(cmd.words, st, depth + 1)
    return { cmd, words, res: resolveCommand(words) }
  })
  return outputOf(stages, stages.length - 1, st, depth + 1)
}

function decoderOf(r: ResolvedCommand): ((s: string) => string | null) | null {
  const f = flagSet(r.args)
  const a = r.args.map((w) => w.text)
  switch (r.name) {
    case 'base64':
      return f.short.has('d') || f.short.has('D') || f.long.has('--decode') ? decodeBase64 : null
    case 'basenc':
    case 'base32':
    case 'uudecode':
      return f.short.has('d') || f.long.has('--decode') || r.name === 'uudecode' ? () => null : null
    case 'openssl':
      return (a[0] === 'base64' || a[0] === 'enc') && a.includes('-d') ? (a[0] === 'base64' || a.includes('-a') || a.includes('-base64') ? decodeBase64 : () => null) : null
    case 'xxd':
      return f.short.has('r') ? (s) => decodeHex(s) : null
    case 'rev':
      return (s) => s.split('\n').map((l) => [...l].reverse().join('')).join('\n')
    case 'gunzip':
    case 'zcat':
    case 'bunzip2':
    case 'xzcat':
    case 'unxz':
    case 'zstdcat':
      return () => null
    case 'gzip':
    case 'bzip2':
    case 'xz':
    case 'zstd':
      return f.short.has('d') || f.long.has('--decompress') ? () => null : null
    case 'tr':
      return null
    default:
      return null
  }
}

function decodeBase64(s: string): string | null {
  const clean = s.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length === 0) return null
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let bits = 0
  let acc = 0
  const bytes: number[] = []
  for (const ch of clean.replace(/=+$/, '')) {
    const v = ch === '-' ? 62 : ch === '_' ? 63 : alphabet.indexOf(ch)
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((acc >> bits) & 0xff)
    }
  }
  return utf8(bytes)
}

function decodeHex(s: string): string | null {
  const clean = s.replace(/^[0-9a-f]+:\s/gim, '').replace(/\s+/g, '').replace(/\\x/g, '')
  if (!/^([0-9a-f]{2})+$/i.test(clean)) return null
  const bytes: number[] = []
  for (let i = 0; i < clean.length; i += 2) bytes.push(parseInt(clean.slice(i, i + 2), 16))
  return utf8(bytes)
}

function utf8(bytes: number[]): string | null {
  let out = ''
  for (const b of bytes) {
    if (b === 0) return null
    out += String.fromCharCode(b)
  }
  return out
}

/** C escapes as understood by `echo -e`, `printf` and `$'…'`. */
function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|u[0-9a-fA-F]{4}|[nrtabfve\\'"])/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' } as Record<string, string>)[e] ?? e
  })
}

function printfOut(a: string[]): string {
  const fmt = a[0] ?? ''
  const rest = a.slice(1)
  let k = 0
  const out = unescapeC(fmt).replace(/%[-0-9.]*([sbdc%])/g, (_m, c: string) => (c === '%' ? '%' : c === 'b' ? unescapeC(rest[k++] ?? '') : (rest[k++] ?? '')))
  // Remaining arguments reuse the format, as printf does.
  return k > 0 && k < rest.length ? out + printfOut([fmt, ...rest.slice(k)]) : out
}

/** Text fed to this stage's stdin: a heredoc, a here-string, or known output piped in. */
function stdinText(stages: Stage[], j: number, st: State, depth: number): string | null {
  const o = inputOf(stages, j, st, depth)
  return o?.kind === 'text' ? o.text : null
}

function readsCodeFromStdin(r: ResolvedCommand): boolean {
  if (!SHELLS.has(r.name) && !isInterpreter(r.name)) return false
  const { short, long, positional } = flagSet(r.args)
  if (short.has('c') || short.has('m') || short.has('e') || short.has('r') || long.has('--eval') || long.has('--command') || long.has('--print')) return false
  if (short.has('s')) return true
  if (r.name === 'deno' || r.name === 'bun') return positional[0]?.text === 'run' && (positional[1]?.text === '-' || positional.length === 1)
  return positional.length === 0 || positional[0]!.text === '-'
}

function sensitiveArg(s: Stage, st?: State): string | null {
  for (const c of candidates(s)) if (st ? isSecretPath(st, c) : matchSensitivePath(c)) return c
  return null
}

/** What makes a stage a source of secrets (for exfiltration), or null. */
function secretSource(s: Stage, st: State): string | null {
  const path = sensitiveArg(s, st)
  if (path) return `sensitive file ${path}`
  if (isBareEnv(s.words)) return 'the environment (env)'
  const r = s.res
  if (!r) return null
  if (r.name === 'printenv' || r.name === 'set' || (r.name === 'export' && (r.args.length === 0 || r.args[0]!.text === '-p')) || (r.name === 'declare' && r.args.some((w) => /^-[a-z]*[xp]/.test(w.text)))) return `the environment (${r.name})`
  if (DATA_COMMANDS.has(r.name) && r.args.some((w) => secretVarIn(w))) return 'a secret variable'
  const hit = matchRules(makeCmd(r, s.cmd, null, st)).find((h) => h.ref.rule.category === 'sensitive')
  if (hit) return `secret printed by ${r.name} (${hit.ref.rule.id})`
  return null
}

function secretVarIn(w: Word): string | null {
  if (w.raw.startsWith("'")) return null
  for (const m of w.text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (SECRET_VAR.test(m[1]!)) return m[1]!
  return null
}

function isStdinUploader(r: ResolvedCommand): boolean {
  const a = r.args.map((w) => w.text)
  if (!a.includes('-')) return false
  return CLOUD_SENDERS.has(r.name)
}

/** Words of a stage that may be paths (data words and patterns excluded). */
function candidates(s: Stage): string[] {
  const out: string[] = []
  const push = (t: string): void => {
    if (!t || (/\s/.test(t) && !/^[~/][^\n]*\/[^\n]*$/.test(t)) || t.length > 4096) return
    if (t.includes('://')) {
      // file:// URLs are paths; other URLs are not.
      if (t.startsWith('file://')) out.push(t.slice(7))
      return
    }
    let v = t.replace(/^[@<]/, '')
    const eq = v.lastIndexOf('=')
    if (eq >= 0) {
      // --mount type=bind,source=~/.ssh,target=/x
      for (const part of v.split(',')) {
        const e = part.indexOf('=')
        if (e >= 0) out.push(part.slice(e + 1).replace(/^[@<]/, ''))
      }
      v = v.slice(eq + 1)
    }
    if (v.includes(':') && !/^[A-Za-z]:[\\/]/.test(v)) for (const part of v.split(':')) if (part) out.push(part)
    if (v) out.push(v)
  }
  for (const r of s.cmd.redirects) if (r.target && !r.heredoc && r.op !== '<<<' && !r.op.includes('&')) push(r.target.text)
  const res = s.res
  if (!res || DATA_COMMANDS.has(res.name)) return out
  for (const w of res.prefix ?? []) if (w.text.startsWith('/') || w.text.includes(':') || w.text.includes('=') || w.text.startsWith('~')) push(w.text)
  let args = res.args
  const grepLike = PATTERN_FIRST.has(res.name) || (res.name === 'git' && args[0]?.text === 'grep')
  if (grepLike) {
    if (res.name === 'git') args = args.slice(1)
    const firstPos = args.findIndex((w) => !w.text.startsWith('-'))
    const hasPatternFlag = args.some((w) => w.text === '-e' || w.text === '-f' || w.text.startsWith('--regexp'))
    if (firstPos >= 0 && !hasPatternFlag) args = [...args.slice(0, firstPos), ...args.slice(firstPos + 1)]
  }
  if (res.name === 'find' || res.name === 'fd') {
    // find -name .env: the pattern names the files that will be found.
    for (let i = 0; i < args.length; i++) if (/^-i?(name|path|wholename)$/.test(args[i]!.text)) push(args[i + 1]?.text ?? '')
  }
  for (const w of args) push(w.text)
  return out
}

function recordSensitive(s: Stage, st: State): void {
  for (const c of candidates(s)) if (checkSensitive(c, st, 'command touches')) break
  const r = s.res
  if (r && (r.name === 'echo' || r.name === 'printf' || r.name === 'print')) {
    for (const w of r.args) {
      const v = secretVarIn(w)
      if (v) {
        raise(st, 'sensitive.echo-secret-variable', s.cmd.text, `${r.name} prints secret variable $${v}`)
        break
      }
    }
  }
  // cat <<< "$TOKEN", here-strings of secret variables into anything.
  for (const rd of s.cmd.redirects) {
    if (rd.op === '<<<' && rd.target && secretVarIn(rd.target)) raise(st, 'sensitive.echo-secret-variable', s.cmd.text, `here-string of a secret variable`)
  }
}

/** Remembers files written by downloads and files written from secrets, for later commands. */
function trackFiles(stage: Stage, st: State): void {
  const r = stage.res!
  const f = flagSet(r.args)
  const outs: string[] = []
  for (const rd of stage.cmd.redirects) if ((rd.op === '>' || rd.op === '>>' || rd.op === '>|' || rd.op === '&>') && rd.target && (rd.fd === null || rd.fd === '1')) outs.push(rd.target.text)
  if (FETCHERS.has(r.name)) {
    const c = makeCmd(r, stage.cmd, null, st)
    const o = c.value('-o', '--output', '--output-document', '-O')
    const url = f.positional.map((w) => w.text).find((x) => /^https?:\/\/|^ftp:\/\//.test(x))
    if (o && o !== '-') outs.push(o)
    else if ((r.name === 'wget' && !o) || c.has('--remote-name', '-O')) if (url) outs.push(url.replace(/[?#].*$/, ''))
    for (const x of outs) if (st.downloaded.size < 32) st.downloaded.add(base(x))
    return
  }
  if (!sensitiveArg(stage, st) && !secretSource(stage, st)) return
  const c = makeCmd(r, stage.cmd, null, st)
  if (r.name === 'tar' || r.name === 'bsdtar') {
    const v = c.value('-f', '--file') ?? (/^[a-z]*f$/.test(r.args[0]?.text ?? '') ? r.args[1]?.text : undefined)
    if (v && v !== '-') outs.push(v)
  } else if (['zip', '7z', '7za', 'rar'].includes(r.name)) {
    const p = c.pos.filter((x) => !['a', 'u'].includes(x))
    if (p[0]) outs.push(p[0])
  } else if (['cp', 'mv', 'install', 'ditto', 'rsync'].includes(r.name)) {
    const p = c.pos
    if (p.length >= 2) outs.push(p[p.length - 1]!)
  } else if (['gpg', 'openssl', 'base64', 'age', 'sops'].includes(r.name)) {
    const v = c.value('-o', '--output', '-out')
    if (v) outs.push(v)
  }
  for (const x of outs) if (st.tainted.size < 32 && !matchSensitivePath(x)) st.tainted.add(base(x))
}

// ---------------------------------------------------------------------------------------------

function makeCmd(res: ResolvedCommand, cmd: SimpleCommand, stdin: string | null, st: State, nameOverride?: string, argsOverride?: Word[]): Cmd {
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

interface Hit {
  ref: RuleRef
  reason: string
}

function subMatches(sub: Rule['sub'], pos: string[]): boolean {
  if (!sub) return true
  for (let i = 0; i < sub.length; i++) {
    const want = sub[i]!
    const got = pos[i]
    if (got === undefined) return false
    if (typeof want === 'string' ? got !== want : want instanceof RegExp ? !want.test(got) : !(want as readonly string[]).includes(got)) return false
  }
  return true
}

function matchRules(c: Cmd): Hit[] {
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

/** Script runners' names: `python manage.py`, `php artisan`, `ruby bin/rails` are also tried as the script. */
function scriptAlias(res: ResolvedCommand): { name: string; args: Word[] } | null {
  if (!isInterpreter(res.name) && !SHELLS.has(res.name)) return null
  if (res.args[0]?.text === '-m' && res.args[1]) return { name: res.args[1].text, args: res.args.slice(2) }
  const i = res.args.findIndex((w) => !w.text.startsWith('-'))
  if (i < 0 || (i > 0 && res.args.slice(0, i).some((w) => /^-[a-zA-Z]*[cemr]$/.test(w.text)))) return null
  const file = res.args[i]!.text
  if (!/^[\w./-]+$/.test(file)) return null
  return { name: programName(file), args: res.args.slice(i + 1) }
}

function classifyResolved(res: ResolvedCommand, cmd: SimpleCommand, stdin: string | null, st: State, depth: number, stages: Stage[], j: number): void {
  const name = res.name
  const args = res.args
  const t = args.map((w) => w.text)
  const m = cmd.text

  // A resolved name with spaces is a command string (parallel 'rm -rf {}', watch "cmd").
  if (/\s/.test(name) && depth < MAX_DEPTH) {
    analyzeScript([name, ...t].join(' '), st, depth + 1)
    return
  }

  // Shells and interpreters: inline scripts, stdin scripts, downloaded code.
  const shellish = SHELLS.has(name) || isInterpreter(name) || name === 'eval' || name === 'source' || name === '.'
  if (shellish) {
    const redirectTargets = cmd.redirects.map((r) => r.target).filter((x): x is Word => x !== null)
    for (const w of [...args, ...redirectTargets]) {
      for (const sub of w.subs) {
        const o = outputOfScript(sub.source, st, depth)
        if (o?.kind === 'fetched') raise(st, 'interpreters.run-downloaded', m, `${name} runs code downloaded by \`${sub.source.trim()}\``, res)
        else if (o?.kind === 'opaque') raise(st, 'interpreters.decoded-payload', m, `${name} runs the output of ${o.by} (not visible in the command)`, res)
        else if (o?.kind === 'text' && (SHELLS.has(name) || name === 'eval' || name === 'source' || name === '.') && !w.text.includes(o.text)) analyzeScript(o.text, st, depth + 1)
      }
    }
    const script = scriptAlias(res)?.name
    const file = name === 'source' || name === '.' ? t[0] : script ? args.find((w) => !w.text.startsWith('-'))?.text : undefined
    if (file && st.downloaded.has(base(file))) raise(st, 'interpreters.download-then-run', m, `${name} runs ${file}, downloaded earlier in the command`, res)
  }
  if (st.downloaded.has(name) && cmd.words[0] && /\//.test(cmd.words[0].text)) raise(st, 'interpreters.download-then-run', m, `runs ${cmd.words[0].text}, downloaded earlier in the command`, res)

  if (SHELLS.has(name)) {
    const ci = args.findIndex((w) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text) || w.text === '-Command' || w.text === '-command')
    if (ci >= 0) {
      const script = args.slice(ci + 1).find((w) => !w.text.startsWith('-'))
      if (script) analyzeScript(script.text, st, depth + 1)
    } else if (stdin !== null && readsCodeFromStdin(res)) {
      analyzeScript(stdin, st, depth + 1)
    }
    const alias = scriptAlias(res)
    if (alias && ci < 0) applyRules(res, cmd, stdin, st, m, alias.name, alias.args)
    return
  }
  if (name === 'eval') {
    analyzeScript(t.join(' '), st, depth + 1)
    return
  }
  if (isInterpreter(name)) {
    inlineCode(res, m, stdin, st, depth)
    const alias = scriptAlias(res)
    if (alias) applyRules(res, cmd, stdin, st, m, alias.name, alias.args)
  }
  if (name === 'su' || name === 'runuser' || name === 'script') {
    const ci = t.findIndex((x) => x === '-c' || x === '--command' || x === '-qc')
    const script = ci >= 0 ? t[ci + 1] : t.find((x) => x.startsWith('--command='))?.slice(10)
    if (script) analyzeScript(script, st, depth + 1)
    return
  }
  if (name === 'watch') {
    const f = makeCmd(res, cmd, null, st)
    if (f.pos.length > 0) analyzeScript(f.pos.join(' '), st, depth + 1)
    return
  }
  if (name === 'ssh') {
    // ssh [flags] host command...: the command runs on the remote host, classify it too.
    let i = 0
    while (i < t.length && t[i]!.startsWith('-')) i += SSH_ARG_FLAGS.has(t[i]!) ? 2 : 1
    const remote = t.slice(i + 1)
    if (remote.length > 0) analyzeScript(remote.join(' '), st, depth + 1)
    else if (stdin !== null && i < t.length) analyzeScript(stdin, st, depth + 1)
  }
  if (name === 'find' || name === 'fd' || name === 'fdfind') runnerArgs(res, cmd, st, depth)

  applyRules(res, cmd, stdin, st, m)

  // A sensitive file read inside an argument of a network command: curl -d "$(cat .env)" ...
  if (SENDERS.has(name) || CLOUD_SENDERS.has(name)) {
    for (const w of args) {
      for (const sub of w.subs) {
        try {
          for (const p of parseShell(sub.source).pipelines) {
            for (const c of p.commands) {
              const words = expandWords(c.words, st, depth)
              const hit = secretSource({ cmd: c, words, res: resolveCommand(words) }, st)
              if (hit) return raise(st, 'exfiltration.secret-in-request', m, `${name} sends ${hit}`, res)
            }
          }
        } catch {
          // ignore
        }
      }
    }
    const input = cmd.redirects.find((r) => (r.op === '<' || r.op === '<>') && r.target && isSecretPath(st, r.target.text))
    if (input && SENDERS.has(name)) raise(st, 'exfiltration.pipe-to-network', m, `${name} reads sensitive file ${input.target!.text} from stdin`, res)
  }
  void stages
  void j
}

function applyRules(res: ResolvedCommand, cmd: SimpleCommand, stdin: string | null, st: State, m: string, name?: string, args?: Word[]): void {
  for (const h of matchRules(makeCmd(res, cmd, stdin, st, name, args))) record(st, h.ref, m, h.reason, res)
}

/** find -exec/-execdir/-ok, fd -x/-X: the command after the flag runs on every match. */
function runnerArgs(res: ResolvedCommand, cmd: SimpleCommand, st: State, depth: number): void {
  const a = res.args
  const starts = res.name === 'find' ? ['-exec', '-execdir', '-ok', '-okdir'] : ['-x', '-X', '--exec', '--exec-batch']
  for (let i = 0; i < a.length; i++) {
    if (!starts.includes(a[i]!.text)) continue
    let k = i + 1
    while (k < a.length && a[k]!.text !== ';' && a[k]!.text !== '+') k++
    const inner = a.slice(i + 1, k)
    const r = resolveCommand(inner)
    if (r) {
      const kind = `${res.name} ${a[i]!.text}`
      const sub: ResolvedCommand = { ...r, wrappers: [...r.wrappers, kind], xargs: true }
      classifyResolved(sub, { words: inner, redirects: [], text: cmd.text }, null, st, depth + 1, [], 0)
    }
    i = k
  }
}

/**
 * Interpreter code (`python -c`, `node -e`, heredocs and stdin fed to an interpreter): the code
 * rules of the interpreters pack (delete APIs, SQL and mongo calls), and, when the code shells
 * out, each string literal in it classified as a shell command.
 */
function inlineCode(res: ResolvedCommand, m: string, stdin: string | null, st: State, depth: number): void {
  const a = res.args
  const ci = a.findIndex((w) => /^-[a-zA-Z]*[ceEr]$/.test(w.text) || w.text === '--eval' || w.text === '--print' || w.text === '-p')
  let code = ci >= 0 ? a[ci + 1]?.text : undefined
  if (ci < 0 && res.name === 'deno' && a[0]?.text === 'eval') code = a[1]?.text
  if (code === undefined && stdin !== null && readsCodeFromStdin(res)) code = stdin
  if (!code) return
  scanCode(code, res, m, st, depth)
}

function scanCode(code: string, res: ResolvedCommand, m: string, st: State, depth: number): void {
  if (code.length > 100_000) code = code.slice(0, 100_000)
  for (const ref of CODE_RULES) {
    const re = ref.rule.code!
    if (re.test(code)) record(st, ref, m, `${res.name} code: ${typeof ref.rule.reason === 'string' ? ref.rule.reason : ref.rule.id}`, res)
  }
  const literals = [...code.matchAll(/'([^'\\\n]*(?:\\.[^'\\\n]*)*)'|"([^"\\\n]*(?:\\.[^"\\\n]*)*)"|`([^`]*)`|\bq[qx]?\{([^}]*)\}|%x\{([^}]*)\}/g)].map((l) => l[1] ?? l[2] ?? l[3] ?? l[4] ?? l[5] ?? '')
  if (/\b(execute|executescript|executemany|query|exec|raw|sql|prepare|run)\s*\(|\bsql\s*`|\bsql\s*\(/i.test(code)) {
    for (const lit of literals) {
      const hit = dangerousSql(lit)
      if (hit) {
        raise(st, 'databases.sql-in-code', m, `${res.name} code runs \`${hit}\``, res)
        break
      }
    }
  }
  if (!/\b(os\.system|os\.popen|os\.exec\w*|subprocess|child_process|execSync|execFileSync|spawnSync|spawn|exec|system|popen|shell_exec|passthru|proc_open|Open3|Deno\.Command|Deno\.run|Bun\.spawn|\$`|qx|%x|sh)\b|`/.test(code)) return
  for (const body of literals) if (/\s/.test(body)) analyzeScript(body, st, depth + 1)
  // subprocess.run(["rm", "-rf", "/"]): an argv list of literals.
  for (const list of code.matchAll(/\[\s*((?:(?:'[^'\n]*'|"[^"\n]*")\s*,\s*)+(?:'[^'\n]*'|"[^"\n]*"))\s*\]/g)) {
    const argv = [...list[1]!.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].map((x) => x[1] ?? x[2] ?? '')
    if (argv.length > 1) analyzeScript(argv.map((x) => (/[\s;|&$]/.test(x) ? `'${x.replace(/'/g, '')}'` : x)).join(' '), st, depth + 1)
  }
}

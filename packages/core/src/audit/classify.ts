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
import { programName, resolveCommand, type ResolvedCommand } from './shell-commands.js'
import { CODE_RULES } from './rules/index.js'
import { dangerousSql } from './rules/databases.js'
import { checkSensitive, isSecretPath, MAX_DEPTH, newState, raise, record, toExplanation, toVerdict, base, type ClassifyContext, type Explanation, type State, type Verdict } from './classify-state.js'
import { makeCmd, matchRules } from './rule-match.js'
import { isInterpreter, SENDERS, SHELLS, SSH_ARG_FLAGS } from './command-kinds.js'
import { expandWords, isBareEnv, outputOf, outputOfScript, readsCodeFromStdin, recordAssignments, stdinText, type Stage } from './script-values.js'
import { isStdinUploader, recordSensitive, secretSource, trackFiles } from './secret-flow.js'
import { CLOUD_SENDERS } from './rules/exfiltration.js'
import { BLOCK_DEVICE, protectedFile } from './rules/system.js'

export { DESTRUCTIVE_CATEGORIES, type DestructiveCategory } from './rules/types.js'
export { dangerousSql } from './rules/databases.js'
export type { ClassifyContext, Explanation, Verdict } from './classify-state.js'


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

// ---------------------------------------------------------------------------------------------

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

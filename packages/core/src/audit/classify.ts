/**
 * The tool-use classifier: destructive commands (by category) and sensitive paths.
 * Pure and synchronous; shell commands are parsed (shell-lexer.ts), wrappers unwrapped
 * (shell-commands.ts) and `sh -c`, `$()`, backticks, `<()` and heredocs fed to a shell or a
 * database client are classified recursively. Quoted data is never taken for a command.
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
 * - First finding wins for `category`; pipeline-level findings (remote_code, exfiltration)
 *   come before the commands of the pipeline. Nesting deeper than 8 levels is not followed.
 */
import { parseShell, type Pipeline, type SimpleCommand, type Word } from './shell-lexer.js'
import { flagSet, programName, resolveCommand, type ResolvedCommand } from './shell-commands.js'
import { matchSensitivePath } from './sensitive.js'

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

/** What `sm explain --json` prints. */
export interface Verdict {
  destructive: boolean
  category: DestructiveCategory | null
  sensitive: boolean
  match: string | null
  reasons: string[]
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
}

interface State {
  ctx: ClassifyContext
  findings: Finding[]
  sensitive: { match: string; reason: string }[]
}

const MAX_DEPTH = 8

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish'])
const SSH_ARG_FLAGS = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B', '-P'])
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php', 'pwsh', 'deno', 'bun'])
const FETCHERS = new Set(['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c'])
const SENDERS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'rsync', 'sftp', 'ftp', 'http', 'https', 'xh'])
const SQL_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'cockroach', 'clickhouse-client', 'duckdb', 'sqlcmd'])
const MONGO = new Set(['mongo', 'mongosh'])
const DATA_COMMANDS = new Set(['echo', 'printf', 'true', 'false', ':'])
const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk'])

export function classifyCommand(command: string, context: ClassifyContext = {}): Verdict {
  const st: State = { ctx: context, findings: [], sensitive: [] }
  analyzeScript(command, st, 0)
  return toVerdict(st)
}

/** Classifies a Claude Code tool call (PreToolUse `tool_name` and `tool_input`). */
export function classifyToolUse(toolName: string, toolInput: unknown, context: ClassifyContext = {}): Verdict {
  const input = (toolInput !== null && typeof toolInput === 'object' ? toolInput : {}) as Record<string, unknown>
  const str = (k: string): string | null => (typeof input[k] === 'string' ? (input[k] as string) : null)
  if (toolName === 'Bash') return classifyCommand(str('command') ?? '', context)
  const st: State = { ctx: context, findings: [], sensitive: [] }
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
    default:
      break
  }
  for (const p of paths) if (p) checkSensitive(p, st, `${toolName} path`)
  return toVerdict(st)
}

function toVerdict(st: State): Verdict {
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
  const first = findings[0]
  return {
    destructive: first !== undefined,
    category: first?.category ?? null,
    sensitive: sens.length > 0,
    match: first?.match ?? sens[0]?.match ?? null,
    reasons: [...findings.map((f) => `${f.category}: ${f.reason}`), ...sens.map((s) => `sensitive: ${s.reason}`)],
  }
}

function add(st: State, category: DestructiveCategory, match: string, reason: string, res?: ResolvedCommand): void {
  const via = res && res.wrappers.length > 0 ? ` (via ${[...new Set(res.wrappers)].join(', ')})` : ''
  st.findings.push({ category, match, reason: reason + via })
}

function checkSensitive(path: string, st: State, where: string): boolean {
  const label = matchSensitivePath(path)
  if (!label) return false
  st.sensitive.push({ match: path, reason: `${where} ${path} (${label})` })
  return true
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
    if (body.includes(`${name}|${name}`)) {
      add(st, 'disk_system', m[0], `fork bomb: function ${name} pipes into itself in the background`)
    }
  }
}

interface Stage {
  cmd: SimpleCommand
  res: ResolvedCommand | null
}

function analyzePipeline(p: Pipeline, st: State, depth: number): void {
  const stages: Stage[] = p.commands.map((cmd) => ({ cmd, res: resolveCommand(cmd.words) }))
  const whole = p.commands.map((c) => c.text).join(' | ')

  // Pipeline-level: remote code and exfiltration.
  for (let j = 1; j < stages.length; j++) {
    const r = stages[j]!.res
    if (!r) continue
    if (readsCodeFromStdin(r)) {
      const fetcher = stages.slice(0, j).find((s) => s.res && FETCHERS.has(s.res.name))
      if (fetcher) add(st, 'remote_code', whole, `output of ${fetcher.res!.name} is piped into ${r.name}`, r)
    }
    if (SENDERS.has(r.name)) {
      for (const s of stages.slice(0, j)) {
        const path = sensitiveArg(s) ?? (s.res?.name === 'gpg' && s.res.args.some((w) => /^--export-secret-(sub)?keys$/.test(w.text)) ? 'gpg secret keys' : null)
        if (path) add(st, 'exfiltration', whole, `sensitive file ${path} is piped to ${r.name}`, r)
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
    if (!res) continue
    const stdin = stdinText(stages, j)
    classifyResolved(res, cmd, stdin, st, depth)
  }
}

/** Text fed to this stage's stdin: a heredoc, a here-string, or `echo`/`printf` piped in. */
function stdinText(stages: Stage[], j: number): string | null {
  const { cmd } = stages[j]!
  for (const r of cmd.redirects) {
    if (r.heredoc) return r.heredoc.body
    if (r.op === '<<<' && r.target) return r.target.text
  }
  if (j > 0) {
    const prev = stages[j - 1]!
    if (prev.res && (prev.res.name === 'echo' || prev.res.name === 'printf')) {
      return prev.res.args.filter((w) => !/^-[neE]+$/.test(w.text)).map((w) => w.text).join(' ')
    }
    if (prev.res && prev.res.name === 'cat') {
      const h = prev.cmd.redirects.find((r) => r.heredoc)
      if (h?.heredoc) return h.heredoc.body
    }
  }
  return null
}

function readsCodeFromStdin(r: ResolvedCommand): boolean {
  if (!SHELLS.has(r.name) && !INTERPRETERS.has(r.name) && !/^python\d(\.\d+)?$/.test(r.name)) return false
  const { short, long, positional } = flagSet(r.args)
  if (short.has('c') || short.has('m') || short.has('e') || long.has('--eval') || long.has('--command')) return false
  if (short.has('s')) return true
  return positional.length === 0 || positional[0]!.text === '-'
}

function sensitiveArg(s: Stage): string | null {
  for (const c of candidates(s)) if (matchSensitivePath(c)) return c
  return null
}

/** Words of a stage that may be paths (data words and patterns excluded). */
function candidates(s: Stage): string[] {
  const out: string[] = []
  const push = (t: string): void => {
    if (!t || /\s/.test(t) || t.includes('://')) return
    let v = t
    const eq = v.lastIndexOf('=')
    if (eq >= 0) v = v.slice(eq + 1)
    v = v.replace(/^[@<]/, '')
    const colon = v.indexOf(':')
    if (colon > 0 && !v.startsWith('/')) v = v.slice(colon + 1)
    if (v) out.push(v)
  }
  for (const r of s.cmd.redirects) if (r.target && !r.heredoc && r.op !== '<<<' && !r.op.includes('&')) push(r.target.text)
  const res = s.res
  if (!res || DATA_COMMANDS.has(res.name)) return out
  let args = res.args
  if (PATTERN_FIRST.has(res.name)) {
    const firstPos = args.findIndex((w) => !w.text.startsWith('-'))
    const hasPatternFlag = args.some((w) => w.text === '-e' || w.text === '-f' || w.text.startsWith('--regexp'))
    if (firstPos >= 0 && !hasPatternFlag) args = [...args.slice(0, firstPos), ...args.slice(firstPos + 1)]
  }
  for (const w of args) push(w.text)
  return out
}

function recordSensitive(s: Stage, st: State): void {
  for (const c of candidates(s)) checkSensitive(c, st, 'command touches')
}

// ---------------------------------------------------------------------------------------------

function texts(ws: Word[]): string[] {
  return ws.map((w) => w.text)
}

function subsFetch(words: Word[]): string | null {
  for (const w of words) {
    for (const sub of w.subs) {
      try {
        for (const p of parseShell(sub.source).pipelines) {
          for (const c of p.commands) {
            const r = resolveCommand(c.words)
            if (r && FETCHERS.has(r.name)) return sub.source
          }
        }
      } catch {
        // ignore
      }
    }
  }
  return null
}

function classifyResolved(res: ResolvedCommand, cmd: SimpleCommand, stdin: string | null, st: State, depth: number): void {
  const name = res.name
  const args = res.args
  const t = texts(args)
  const m = cmd.text

  // Shells and interpreters: inline scripts, stdin scripts, downloaded code.
  if (SHELLS.has(name) || INTERPRETERS.has(name) || /^python\d/.test(name) || name === 'eval' || name === 'source' || name === '.') {
    const redirectTargets = cmd.redirects.map((r) => r.target).filter((x): x is Word => x !== null)
    const fetched = subsFetch([...args, ...redirectTargets])
    if (fetched !== null) add(st, 'remote_code', m, `${name} runs code downloaded by \`${fetched.trim()}\``, res)
  }
  if (SHELLS.has(name)) {
    const ci = args.findIndex((w) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text))
    if (ci >= 0) {
      const script = args.slice(ci + 1).find((w) => !w.text.startsWith('-'))
      if (script) analyzeScript(script.text, st, depth + 1)
    } else if (stdin !== null && readsCodeFromStdin(res)) {
      analyzeScript(stdin, st, depth + 1)
    }
    return
  }
  if (name === 'eval') {
    analyzeScript(t.join(' '), st, depth + 1)
    return
  }
  if (INTERPRETERS.has(name) || /^python\d/.test(name)) inlineCode(res, m, st, depth)
  if (name === 'su' || name === 'runuser') {
    const ci = t.findIndex((x) => x === '-c' || x === '--command')
    const script = ci >= 0 ? t[ci + 1] : t.find((x) => x.startsWith('--command='))?.slice(10)
    if (script) analyzeScript(script, st, depth + 1)
    return
  }
  if (name === 'ssh') {
    // ssh [flags] host command...: the command runs on the remote host, classify it too.
    let i = 0
    while (i < t.length && t[i]!.startsWith('-')) i += SSH_ARG_FLAGS.has(t[i]!) ? 2 : 1
    const remote = t.slice(i + 1)
    if (remote.length > 0) analyzeScript(remote.join(' '), st, depth + 1)
  }

  if (/^mkfs(\.|$)/.test(name)) return add(st, 'disk_system', m, `${name} creates a new filesystem, erasing the device`, res)
  switch (name) {
    case 'git':
      return gitRules(res, m, st)
    case 'rm':
      return rmRules(res, m, st)
    case 'find': {
      if (t.includes('-delete')) add(st, 'find_delete', m, 'find -delete removes every match', res)
      const ei = t.findIndex((x) => ['-exec', '-execdir', '-ok', '-okdir'].includes(x))
      if (ei >= 0) {
        const prog = programName(t[ei + 1] ?? '')
        if (['rm', 'shred', 'unlink', 'rmdir'].includes(prog)) add(st, 'find_delete', m, `find ${t[ei]} ${prog} deletes every match`, res)
        else if (SHELLS.has(prog)) {
          const script = t.slice(ei + 2).find((x) => !x.startsWith('-') && x !== ';' && x !== '+')
          if (script) analyzeScript(script, st, depth + 1)
        }
      }
      return
    }
    case 'chmod': {
      const f = flagSet(args)
      const recursive = f.short.has('R') || f.long.has('--recursive')
      const mode = f.positional[0]?.text ?? ''
      const wide = /^0?0?777$/.test(mode) || /^(a|ugo|)[+=]rwx$/.test(mode) || /^o[+=][rwx]*w/.test(mode)
      if (wide) add(st, 'permissions', m, `chmod ${mode} makes files writable by everyone`, res)
      else if (recursive) add(st, 'permissions', m, `chmod -R changes permissions of a whole tree`, res)
      return
    }
    case 'chown':
    case 'chgrp': {
      const f = flagSet(args)
      if (f.short.has('R') || f.long.has('--recursive')) add(st, 'permissions', m, `${name} -R changes ownership of a whole tree`, res)
      return
    }
    case 'dd': {
      const of = t.find((x) => x.startsWith('of='))
      if (of && !/^of=\/dev\/(null|zero|stdout|stderr|fd\/\d+)$/.test(of)) add(st, 'disk_system', m, `dd writes raw data to ${of.slice(3)}${of.startsWith('of=/dev/') ? ' (a device)' : ''}`, res)
      return
    }
    case 'wipefs':
    case 'mkswap':
    case 'mke2fs':
      add(st, 'disk_system', m, `${name} erases a filesystem signature`, res)
      return
    case 'shutdown':
    case 'reboot':
    case 'halt':
    case 'poweroff':
      add(st, 'disk_system', m, `${name} stops the machine`, res)
      return
    case 'init':
    case 'telinit':
      if (t[0] === '0' || t[0] === '6') add(st, 'disk_system', m, `${name} ${t[0]} halts or reboots the machine`, res)
      return
    case 'kill': {
      const all = t.includes('-1')
      const sigIdx = t.findIndex((x) => x === '-s' || x === '-n')
      const kill9 = t.some((x) => /^-(9|KILL|SIGKILL)$/i.test(x)) || (sigIdx >= 0 && /^(9|KILL|SIGKILL)$/i.test(t[sigIdx + 1] ?? ''))
      if (all && kill9) add(st, 'disk_system', m, 'kill -9 -1 kills every process of the user', res)
      return
    }
    case 'crontab':
      if (flagSet(args).short.has('r')) add(st, 'disk_system', m, 'crontab -r deletes the whole crontab', res)
      return
    case 'systemctl': {
      const verb = flagSet(args).positional[0]?.text ?? ''
      if (['stop', 'disable', 'mask', 'kill', 'poweroff', 'reboot', 'halt'].includes(verb)) add(st, 'disk_system', m, `systemctl ${verb} stops or disables system services`, res)
      return
    }
    case 'redis-cli': {
      const cmdWord = t.find((x) => /^flush(all|db)$/i.test(x))
      if (cmdWord) add(st, 'database', m, `redis ${cmdWord.toUpperCase()} deletes every key`, res)
      else if (stdin && /\bflush(all|db)\b/i.test(stdin)) add(st, 'database', m, 'redis FLUSHALL/FLUSHDB fed on stdin', res)
      return
    }
    case 'dropdb':
      add(st, 'database', m, 'dropdb drops a Postgres database', res)
      return
    case 'terraform':
    case 'tofu':
    case 'terragrunt':
    case 'pulumi': {
      const pos = flagSet(args).positional.map((w) => w.text)
      const verb = pos[0] ?? ''
      if (verb === 'destroy') add(st, 'infrastructure', m, `${name} destroy tears down managed infrastructure`, res)
      else if ((verb === 'apply' || verb === 'up') && t.some((x) => /^--?(auto-approve|yes|y|skip-preview)(=true)?$/.test(x) || x === '-destroy')) {
        add(st, 'infrastructure', m, `${name} ${verb} without a confirmation prompt`, res)
      }
      return
    }
    case 'kubectl':
    case 'oc': {
      const di = t.indexOf('delete')
      if (di >= 0) {
        const rest = t.slice(di + 1)
        const kind = rest.find((x) => !x.startsWith('-')) ?? ''
        if (/^(namespaces?|ns)(\/|$)/.test(kind)) add(st, 'infrastructure', m, `kubectl delete ${kind} deletes a namespace and everything in it`, res)
        else if (rest.some((x) => x === '--all' || x === '-A' || x === '--all-namespaces')) add(st, 'infrastructure', m, 'kubectl delete --all deletes every matching resource', res)
      }
      return
    }
    case 'docker':
    case 'podman':
    case 'docker-compose': {
      const pos = flagSet(args).positional.map((w) => w.text)
      const [a, b] = pos
      if (a === 'system' && b === 'prune') add(st, 'infrastructure', m, `${name} system prune deletes unused containers, images and networks`, res)
      else if (a === 'volume' && (b === 'rm' || b === 'remove' || b === 'prune')) add(st, 'infrastructure', m, `${name} volume ${b} deletes volume data`, res)
      else {
        const down = (name === 'docker-compose' && a === 'down') || (a === 'compose' && pos.includes('down'))
        if (down && (t.includes('-v') || t.includes('--volumes'))) add(st, 'infrastructure', m, 'compose down -v deletes volume data', res)
      }
      return
    }
    case 'aws': {
      const pos = flagSet(args).positional.map((w) => w.text)
      if (pos[0] === 's3' && pos[1] === 'rm' && t.includes('--recursive')) add(st, 'infrastructure', m, 'aws s3 rm --recursive deletes every object under the prefix', res)
      else if (pos[0] === 's3' && pos[1] === 'rb' && t.includes('--force')) add(st, 'infrastructure', m, 'aws s3 rb --force deletes a bucket and its contents', res)
      else if (pos[0] === 's3' && pos[1] === 'sync' && t.includes('--delete')) add(st, 'infrastructure', m, 'aws s3 sync --delete deletes remote objects missing locally', res)
      else if (pos[0] === 'ec2' && pos[1] === 'terminate-instances') add(st, 'infrastructure', m, 'aws ec2 terminate-instances', res)
      else if (pos[0] === 'rds' && /^delete-db-(instance|cluster)$/.test(pos[1] ?? '')) add(st, 'infrastructure', m, `aws rds ${pos[1]}`, res)
      else if (pos[0] === 'cloudformation' && pos[1] === 'delete-stack') add(st, 'infrastructure', m, 'aws cloudformation delete-stack', res)
      return
    }
    case 'helm':
      if (['uninstall', 'delete', 'del', 'un'].includes(flagSet(args).positional[0]?.text ?? '')) add(st, 'infrastructure', m, 'helm uninstall removes a release', res)
      return
    default:
      break
  }

  if (SQL_CLIENTS.has(name)) return sqlClientRules(res, m, stdin, st)
  if (MONGO.has(name)) {
    const js = [...t, stdin ?? ''].find((x) => /dropDatabase\s*\(|\.drop\s*\(\s*\)/.test(x))
    if (js) add(st, 'database', m, 'mongo dropDatabase()/drop() deletes data', res)
    return
  }
  if (packageRules(res, m, st)) return
  exfilRules(res, cmd, m, st)
}

/**
 * `python -c` / `node -e` / `perl -e` / `ruby -e` one-liners: when the code shells out
 * (os.system, subprocess, child_process, system, exec, backticks), each string literal in it
 * is classified as a shell command; a few direct library calls are recognized too.
 */
function inlineCode(res: ResolvedCommand, m: string, st: State, depth: number): void {
  const a = res.args
  const ci = a.findIndex((w) => /^-[a-zA-Z]*[ceE]$/.test(w.text) || w.text === '--eval')
  const code = ci >= 0 ? a[ci + 1]?.text : undefined
  if (!code) return
  if (/\bshutil\.rmtree\s*\(|\bfs\.(rmSync|rm)\s*\([^)]*recursive\s*:\s*true|\bFileUtils\.rm_r/.test(code)) {
    add(st, 'recursive_delete', m, `${res.name} one-liner deletes a directory tree`, res)
  }
  if (!/\b(os\.system|os\.popen|subprocess|child_process|execSync|spawnSync|exec|system|popen)\b|`/.test(code)) return
  for (const lit of code.matchAll(/'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"|`([^`]*)`/g)) {
    const body = lit[1] ?? lit[2] ?? lit[3] ?? ''
    if (/\s/.test(body)) analyzeScript(body, st, depth + 1)
  }
}

// ---------------------------------------------------------------------------------------------

const GIT_ARG_OPTS = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'])

function gitRules(res: ResolvedCommand, m: string, st: State): void {
  const a = res.args
  let i = 0
  while (i < a.length && a[i]!.text.startsWith('-')) i += GIT_ARG_OPTS.has(a[i]!.text) ? 2 : 1
  const sub = a[i]?.text ?? ''
  const rest = a.slice(i + 1)
  const t = texts(rest)
  const f = flagSet(rest)
  switch (sub) {
    case 'push': {
      if (f.short.has('f') || f.long.has('--force')) return add(st, 'git_history', m, 'git push --force rewrites remote history', res)
      if (f.long.has('--force-with-lease') || f.long.has('--force-if-includes')) {
        return add(st, 'git_history', m, 'git push --force-with-lease still rewrites remote history (the lease only guards against unseen commits)', res)
      }
      if (f.long.has('--mirror')) return add(st, 'git_history', m, 'git push --mirror overwrites and deletes remote refs', res)
      if (f.short.has('d') || f.long.has('--delete')) return add(st, 'git_history', m, 'git push --delete removes a remote branch', res)
      const refspecs = f.positional.slice(1).map((w) => w.text)
      const forced = refspecs.find((r) => r.startsWith('+'))
      if (forced) return add(st, 'git_history', m, `git push ${forced} force-pushes that refspec`, res)
      const deleted = refspecs.find((r) => r.startsWith(':') && r.length > 1)
      if (deleted) return add(st, 'git_history', m, `git push ${deleted} deletes a remote branch`, res)
      const main = refspecs.find((r) => /^(refs\/heads\/)?(main|master)$/.test(r.split(':').pop() ?? ''))
      if (main) return add(st, 'git_history', m, `git push to ${main.split(':').pop()} (a protected branch)`, res)
      return
    }
    case 'reset':
      if (f.long.has('--hard') || f.long.has('--merge')) add(st, 'git_history', m, `git reset ${f.long.has('--hard') ? '--hard' : '--merge'} discards uncommitted work`, res)
      return
    case 'clean':
      if ((f.short.has('f') || f.long.has('--force')) && !f.short.has('n') && !f.long.has('--dry-run')) {
        add(st, 'git_history', m, `git clean -f deletes untracked files${f.short.has('x') || f.short.has('X') ? ' (including ignored ones)' : ''}`, res)
      }
      return
    case 'branch':
      if (f.short.has('D') || ((f.short.has('d') || f.long.has('--delete')) && (f.short.has('f') || f.long.has('--force')))) {
        add(st, 'git_history', m, 'git branch -D deletes a branch even if unmerged', res)
      }
      return
    case 'checkout': {
      const dd = t.indexOf('--')
      if (f.short.has('b') || f.short.has('B')) return
      if ((dd >= 0 && dd < t.length - 1) || f.positional.some((w) => w.text === '.') || f.short.has('f') || f.long.has('--force')) {
        add(st, 'git_history', m, 'git checkout of paths overwrites uncommitted changes', res)
      }
      return
    }
    case 'restore': {
      const staged = f.short.has('S') || f.long.has('--staged')
      const worktree = f.short.has('W') || f.long.has('--worktree')
      if (!staged || worktree) add(st, 'git_history', m, 'git restore overwrites uncommitted changes in the working tree', res)
      return
    }
    case 'stash': {
      const verb = f.positional[0]?.text
      if (verb === 'drop' || verb === 'clear') add(st, 'git_history', m, `git stash ${verb} deletes stashed work`, res)
      return
    }
    case 'worktree':
      if (f.positional[0]?.text === 'remove' && (f.short.has('f') || f.long.has('--force'))) add(st, 'git_history', m, 'git worktree remove --force discards its changes', res)
      return
    case 'switch':
      if (f.long.has('--discard-changes') || f.short.has('f') || f.long.has('--force')) add(st, 'git_history', m, 'git switch --discard-changes drops local changes', res)
      return
    default:
      return
  }
}

function rmRules(res: ResolvedCommand, m: string, st: State): void {
  const f = flagSet(res.args)
  const recursive = f.short.has('r') || f.short.has('R') || f.long.has('--recursive')
  const force = f.short.has('f') || f.long.has('--force')
  // A quoted `~` is a literal directory named `~`, not the home directory.
  const notes = f.positional.map((w) => describeTarget(/^['"]~/.test(w.raw) ? `./${w.text}` : w.text, st.ctx))
  const dangerous = notes.some((n) => n.danger)
  if (!recursive && !(force && dangerous) && !res.xargs) return
  const flags = [recursive ? '-r' : '', force ? '-f' : ''].filter(Boolean).join(' ')
  let reason = res.xargs ? `rm ${flags} run by xargs on every input line` : `rm ${flags} deletes ${recursive ? 'whole directory trees' : 'files'} without recovery`
  const where = [...new Set(notes.map((n) => n.note))]
  if (where.length > 0) reason += `; ${where.join('; ')}`
  if (f.long.has('--no-preserve-root')) reason += '; --no-preserve-root'
  add(st, 'recursive_delete', m, reason, res)
}

function describeTarget(target: string, ctx: ClassifyContext): { note: string; danger: boolean } {
  const x = target.replace(/\/+$/, '') || '/'
  if (x === '/' || x === '/*') return { note: `targets the filesystem root (${target})`, danger: true }
  if (/^(~|\$HOME|\$\{HOME\})(\/\*?)?$/.test(x) || (ctx.home && x === ctx.home.replace(/\/+$/, ''))) return { note: `targets the home directory (${target})`, danger: true }
  if (/^(\.\*|~\/\.\*|\*)$/.test(x) || x.includes('*')) return { note: `uses a wildcard (${target})`, danger: true }
  if (x === '{}' || x.includes('$') || x.includes('`')) return { note: `target is only known at run time (${target})`, danger: false }
  let abs: string | null = null
  if (x.startsWith('/')) abs = x
  else if (ctx.home && /^(~|\$HOME|\$\{HOME\})\//.test(x)) abs = ctx.home.replace(/\/+$/, '') + x.slice(x.indexOf('/'))
  else if (/^(~|\$HOME|\$\{HOME\})\//.test(x)) return { note: `outside the project directory (${target}, under home)`, danger: true }
  else if (ctx.cwd) abs = ctx.cwd.replace(/\/+$/, '') + '/' + x
  if (abs === null) return /(^|\/)\.\.(\/|$)/.test(x) ? { note: `outside the project directory (${target})`, danger: true } : { note: `inside the project directory (${target})`, danger: false }
  const norm = normalize(abs)
  if (norm === '/') return { note: `targets the filesystem root (${target})`, danger: true }
  if (ctx.cwd) {
    const cwd = normalize(ctx.cwd)
    if (norm === cwd) return { note: `deletes the whole project directory (${target})`, danger: true }
    if (norm.startsWith(cwd + '/')) return { note: `inside the project directory (${target})`, danger: false }
    return { note: `outside the project directory ${cwd} (${target})`, danger: true }
  }
  if (ctx.home && normalize(ctx.home) === norm) return { note: `targets the home directory (${target})`, danger: true }
  return { note: `absolute path (${target})`, danger: true }
}

function normalize(p: string): string {
  const out: string[] = []
  for (const seg of p.split('/')) {
    if (!seg || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(seg)
  }
  return '/' + out.join('/')
}

// ---------------------------------------------------------------------------------------------

function sqlClientRules(res: ResolvedCommand, m: string, stdin: string | null, st: State): void {
  const a = res.args
  const sql: string[] = []
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.text
    if (['-c', '-e', '--command', '--execute', '--query', '-q', '-cmd', '-Q'].includes(x)) {
      const v = a[i + 1]?.text
      if (v !== undefined) sql.push(v)
      i++
    } else if (/^--(command|execute|query)=/.test(x)) sql.push(x.slice(x.indexOf('=') + 1))
    else if (/^-e./.test(x) && (res.name === 'mysql' || res.name === 'mariadb')) sql.push(x.slice(2))
    else if (!x.startsWith('-') && /\s/.test(x)) sql.push(x) // sqlite3 db "SQL", duckdb db "SQL"
  }
  if (stdin !== null) sql.push(stdin)
  for (const s of sql) {
    const hit = dangerousSql(s)
    if (hit) return add(st, 'database', m, `${res.name} runs \`${hit}\``, res)
  }
}

export function dangerousSql(sql: string): string | null {
  const clean = sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ')
  for (const raw of clean.split(';')) {
    const s = raw.trim().replace(/\s+/g, ' ')
    if (/^DROP (TABLE|DATABASE|SCHEMA)\b/i.test(s)) return s
    if (/^TRUNCATE\b/i.test(s)) return s
    if (/^DELETE FROM\b/i.test(s)) {
      const where = /\bWHERE\b(.*)$/i.exec(s)
      if (!where) return s
      if (/^\s*(1\s*=\s*1|true|'1'\s*=\s*'1')\s*$/i.test(where[1]!)) return s
    }
  }
  return null
}

function packageRules(res: ResolvedCommand, m: string, st: State): boolean {
  let name = res.name
  let args = res.args
  if (/^python(\d(\.\d+)?)?$/.test(name) && args[0]?.text === '-m' && /^pip\d?$/.test(args[1]?.text ?? '')) {
    name = 'pip'
    args = args.slice(2)
  }
  const f = flagSet(args)
  const t = texts(args)
  const verb = f.positional[0]?.text ?? ''
  switch (name) {
    case 'npm':
    case 'pnpm':
    case 'bun': {
      const global = f.short.has('g') || f.long.has('--global') || t.includes('--location=global')
      if (global && ['i', 'in', 'install', 'add', 'isntall', 'uninstall', 'remove', 'rm', 'un', 'update', 'up', 'link'].includes(verb)) {
        add(st, 'system_package', m, `${name} ${verb} -g changes globally installed packages`, res)
      }
      return true
    }
    case 'yarn':
      if (verb === 'global' && ['add', 'remove', 'upgrade'].includes(f.positional[1]?.text ?? '')) add(st, 'system_package', m, 'yarn global changes globally installed packages', res)
      return true
    case 'pip':
    case 'pip3': {
      if (verb !== 'install' && verb !== 'uninstall') return true
      if (f.long.has('--target') || f.long.has('--prefix') || f.short.has('t')) return true
      if (f.long.has('--break-system-packages')) add(st, 'system_package', m, `pip ${verb} --break-system-packages modifies the system Python`, res)
      else if (res.sudo) add(st, 'system_package', m, `sudo pip ${verb} modifies the system Python`, res)
      else if (f.long.has('--user')) add(st, 'system_package', m, `pip ${verb} --user installs outside any virtualenv`, res)
      else if (st.ctx.venv === false) add(st, 'system_package', m, `pip ${verb} with no virtualenv active`, res)
      return true
    }
    case 'uv':
      if (verb === 'pip' && t.includes('--system')) add(st, 'system_package', m, 'uv pip --system modifies the system Python', res)
      return true
    case 'apt':
    case 'apt-get':
    case 'aptitude':
    case 'yum':
    case 'dnf':
    case 'zypper':
    case 'snap':
      if (['install', 'remove', 'purge', 'autoremove', 'erase', 'reinstall', 'dist-upgrade', 'full-upgrade', 'upgrade', 'in', 'rm'].includes(verb)) {
        add(st, 'system_package', m, `${name} ${verb} changes system packages${res.sudo ? '' : ' (needs root)'}`, res)
      }
      return true
    case 'gem':
      if (res.sudo && ['install', 'uninstall', 'update'].includes(verb)) add(st, 'system_package', m, `sudo gem ${verb} changes system gems`, res)
      return true
    case 'apk':
      if (['add', 'del'].includes(verb)) add(st, 'system_package', m, `apk ${verb} changes system packages`, res)
      return true
    case 'pacman':
      if (t.some((x) => /^-(S|R|U)/.test(x) && !/^-S[silgp]/.test(x))) add(st, 'system_package', m, 'pacman changes system packages', res)
      return true
    default:
      return false
  }
}

function exfilRules(res: ResolvedCommand, cmd: SimpleCommand, m: string, st: State): void {
  const name = res.name
  if (!SENDERS.has(name)) return
  const t = texts(res.args)
  const input = cmd.redirects.find((r) => (r.op === '<' || r.op === '<>') && r.target && matchSensitivePath(r.target.text))
  if (input) return add(st, 'exfiltration', m, `${name} reads sensitive file ${input.target!.text} from stdin`, res)
  if (name === 'curl' || name === 'http' || name === 'https' || name === 'xh') {
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!
      const at = /(?:^|=)[@<](.+)$/.exec(x)
      if (at && matchSensitivePath(at[1]!)) return add(st, 'exfiltration', m, `${name} uploads sensitive file ${at[1]}`, res)
      if ((x === '-T' || x === '--upload-file') && matchSensitivePath(t[i + 1] ?? '')) return add(st, 'exfiltration', m, `${name} uploads sensitive file ${t[i + 1]}`, res)
    }
  }
  if (name === 'wget') {
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!
      const v = /^--(post|body)-file=(.+)$/.exec(x)?.[2] ?? (/^--(post|body)-file$/.test(x) ? t[i + 1] : undefined)
      if (v && matchSensitivePath(v)) return add(st, 'exfiltration', m, `wget posts sensitive file ${v}`, res)
    }
  }
  if (name === 'scp' || name === 'rsync' || name === 'sftp') {
    const pos = flagSet(res.args).positional.map((w) => w.text)
    const dest = pos[pos.length - 1] ?? ''
    const remote = /^([^/\s]+@)?[A-Za-z0-9._-]+:/.test(dest) || dest.includes('://')
    const src = pos.slice(0, -1).find((x) => matchSensitivePath(x))
    if (remote && src) return add(st, 'exfiltration', m, `${name} copies sensitive file ${src} to ${dest}`, res)
  }
  // A sensitive file read inside an argument: curl -d "$(cat .env)" ...
  for (const w of res.args) {
    for (const sub of w.subs) {
      try {
        for (const p of parseShell(sub.source).pipelines) {
          for (const c of p.commands) {
            const hit = sensitiveArg({ cmd: c, res: resolveCommand(c.words) })
            if (hit) return add(st, 'exfiltration', m, `${name} sends the contents of sensitive file ${hit}`, res)
          }
        }
      } catch {
        // ignore
      }
    }
  }
}

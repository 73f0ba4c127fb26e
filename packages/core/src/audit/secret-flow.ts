// Secrets on the move: which stages read sensitive files or variables, which send data away, and
// the files written from secrets or downloads, remembered for later commands.
import type { Word } from './shell-lexer.js'
import { flagSet, type ResolvedCommand } from './shell-commands.js'
import { matchSensitivePath } from './sensitive.js'
import { SECRET_VAR } from './rules/sensitive.js'
import { CLOUD_SENDERS } from './rules/exfiltration.js'
import { base, checkSensitive, isSecretPath, raise, type State } from './classify-state.js'
import { DATA_COMMANDS, FETCHERS, PATTERN_FIRST } from './command-kinds.js'
import { makeCmd, matchRules } from './rule-match.js'
import { isBareEnv, type Stage } from './script-values.js'

export function sensitiveArg(s: Stage, st?: State): string | null {
  for (const c of candidates(s)) if (st ? isSecretPath(st, c) : matchSensitivePath(c)) return c
  return null
}

/** What makes a stage a source of secrets (for exfiltration), or null. */
export function secretSource(s: Stage, st: State): string | null {
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

export function secretVarIn(w: Word): string | null {
  if (w.raw.startsWith("'")) return null
  for (const m of w.text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (SECRET_VAR.test(m[1]!)) return m[1]!
  return null
}

export function isStdinUploader(r: ResolvedCommand): boolean {
  const a = r.args.map((w) => w.text)
  if (!a.includes('-')) return false
  return CLOUD_SENDERS.has(r.name)
}

/** Words of a stage that may be paths (data words and patterns excluded). */
export function candidates(s: Stage): string[] {
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

export function recordSensitive(s: Stage, st: State): void {
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
export function trackFiles(stage: Stage, st: State): void {
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

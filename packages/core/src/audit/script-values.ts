// What a script's words and streams hold, when it is known statically: variables and aliases set
// earlier, `$(…)` of known output, and what each stage of a pipeline writes and reads.
import { parseShell, type SimpleCommand, type Word } from './shell-lexer.js'
import { flagSet, programName, resolveCommand, type ResolvedCommand } from './shell-commands.js'
import { base, MAX_DEPTH, type State } from './classify-state.js'
import { FETCHERS, isInterpreter, SHELLS } from './command-kinds.js'
import { decoderOf, printfOut, unescapeC } from './decode.js'

export interface Stage {
  cmd: SimpleCommand
  words: Word[]
  res: ResolvedCommand | null
}

export const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/

export const DECLARERS = new Set(['export', 'declare', 'local', 'readonly', 'typeset'])

/** Records `x=rm`, `export X=…`, `alias x='…'`; returns true when the command only assigns. */
export function recordAssignments(words: Word[], st: State): boolean {
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
export function expandWords(words: Word[], st: State, depth: number): Word[] {
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

export function isBareEnv(words: Word[]): boolean {
  let i = 0
  while (i < words.length && (ASSIGN.test(words[i]!.text) || ((words[i]!.text === 'sudo' || words[i]!.text === 'doas' || (i > 0 && words[i]!.text.startsWith('-'))) && programName(words[i]!.text) !== 'env'))) i++
  if (programName(words[i]?.text ?? '') !== 'env') return false
  return words.slice(i + 1).every((w) => w.text.startsWith('-') || ASSIGN.test(w.text) || ['env', 'sudo', 'doas'].includes(programName(w.text)))
}

export type Output = { kind: 'text'; text: string } | { kind: 'fetched'; by: string } | { kind: 'opaque'; by: string } | null

/** What a stage of a pipeline writes to stdout, when it is known statically. */
export function outputOf(stages: Stage[], i: number, st: State, depth: number): Output {
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
export function inputOf(stages: Stage[], j: number, st: State, depth: number): Output {
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

export function outputOfScript(src: string, st: State, depth: number): Output {
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

/** Text fed to this stage's stdin: a heredoc, a here-string, or known output piped in. */
export function stdinText(stages: Stage[], j: number, st: State, depth: number): string | null {
  const o = inputOf(stages, j, st, depth)
  return o?.kind === 'text' ? o.text : null
}

export function readsCodeFromStdin(r: ResolvedCommand): boolean {
  if (!SHELLS.has(r.name) && !isInterpreter(r.name)) return false
  const { short, long, positional } = flagSet(r.args)
  if (short.has('c') || short.has('m') || short.has('e') || short.has('r') || long.has('--eval') || long.has('--command') || long.has('--print')) return false
  if (short.has('s')) return true
  if (r.name === 'deno' || r.name === 'bun') return positional[0]?.text === 'run' && (positional[1]?.text === '-' || positional.length === 1)
  return positional.length === 0 || positional[0]!.text === '-'
}

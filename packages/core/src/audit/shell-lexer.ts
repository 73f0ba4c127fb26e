/**
 * A small POSIX-ish shell lexer/parser, enough to tell commands from data. (One file over 400
 * lines on purpose: quoting, expansions and operators share one cursor and cut apart read worse.)
 *
 * It understands quoting ('', "", $'', backslash), the operators `;` `&&` `||` `|` `|&` `&`
 * and newlines, subshell parentheses (treated as separators), `$()` / backticks / `<()` / `>()`
 * (kept as substitutions to be classified recursively), redirections and heredocs. It never
 * throws: unterminated constructs run to the end of the input.
 */

export type SubstitutionKind = 'command' | 'backtick' | 'process-in' | 'process-out'

export interface Substitution {
  kind: SubstitutionKind
  /** The shell source inside the substitution. */
  source: string
}

export interface Word {
  /** The value after quote removal (substitutions are left as their raw text). */
  text: string
  /** The word as written. */
  raw: string
  /** True when any part of the word was quoted or escaped. */
  quoted: boolean
  subs: Substitution[]
}

export interface Heredoc {
  delimiter: string
  /** True when the delimiter was quoted (no expansion in the body). */
  quoted: boolean
  body: string
}

export interface Redirect {
  /** The operator: `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `<>`, `>|`. */
  op: string
  fd: string | null
  target: Word | null
  heredoc: Heredoc | null
}

export interface SimpleCommand {
  words: Word[]
  redirects: Redirect[]
  /** The source text of this command (for reporting). */
  text: string
}

export interface Pipeline {
  commands: SimpleCommand[]
}

export interface Script {
  pipelines: Pipeline[]
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>'])
const REDIR_OPS = ['&>>', '<<<', '<<-', '&>', '>>', '>&', '<&', '<<', '<>', '>|', '>', '<']

export function parseShell(src: string): Script {
  return new Parser(src).parse()
}

class Parser {
  private i = 0
  private readonly pipelines: Pipeline[] = []
  private commands: SimpleCommand[] = []
  private words: Word[] = []
  private redirects: Redirect[] = []
  private cmdStart = -1
  private cmdEnd = -1
  private pendingHeredocs: Redirect[] = []

  constructor(private readonly src: string) {}

  parse(): Script {
    const s = this.src
    while (this.i < s.length) {
      const c = s[this.i]!
      if (c === ' ' || c === '\t' || c === '\r') {
        this.i++
        continue
      }
      if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2
        continue
      }
      if (c === '#' && this.atWordBoundary()) {
        while (this.i < s.length && s[this.i] !== '\n') this.i++
        continue
      }
      if (c === '\n') {
        this.i++
        this.endPipeline()
        this.readHeredocBodies()
        continue
      }
      if (c === ';') {
        this.i += s[this.i + 1] === ';' ? 2 : 1
        this.endPipeline()
        continue
      }
      if (c === '&' && s[this.i + 1] === '&') {
        this.i += 2
        this.endPipeline()
        continue
      }
      if (c === '|' && s[this.i + 1] === '|') {
        this.i += 2
        this.endPipeline()
        continue
      }
      if (c === '|') {
        this.i += s[this.i + 1] === '&' ? 2 : 1
        this.endCommand()
        continue
      }
      if (c === '&' && s[this.i + 1] !== '>') {
        this.i++
        this.endPipeline()
        continue
      }
      if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
        this.mark(this.i)
        this.words.push(this.readProcessSubstitution())
        this.mark(this.i)
        continue
      }
      if (c === '(' || c === ')') {
        this.i++
        this.endPipeline()
        continue
      }
      const redir = this.tryRedirect()
      if (redir) continue
      this.mark(this.i)
      const w = this.readWord()
      this.words.push(w)
      this.mark(this.i)
    }
    this.endPipeline()
    // Heredocs whose body never started (no newline after the operator line).
    this.readHeredocBodies()
    return { pipelines: this.pipelines }
  }

  private atWordBoundary(): boolean {
    if (this.i === 0) return true
    const p = this.src[this.i - 1]!
    return META.has(p) || p === '\r'
  }

  private mark(pos: number): void {
    if (this.cmdStart < 0) this.cmdStart = pos
    this.cmdEnd = pos
  }

  private endCommand(): void {
    if (this.words.length > 0 || this.redirects.length > 0) {
      const text = this.cmdStart >= 0 ? this.src.slice(this.cmdStart, this.cmdEnd).trim() : ''
      this.commands.push({ words: this.words, redirects: this.redirects, text })
    }
    this.words = []
    this.redirects = []
    this.cmdStart = -1
    this.cmdEnd = -1
  }

  private endPipeline(): void {
    this.endCommand()
    if (this.commands.length > 0) this.pipelines.push({ commands: this.commands })
    this.commands = []
  }

  private tryRedirect(): boolean {
    const s = this.src
    let j = this.i
    while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++
    const fd = j > this.i ? s.slice(this.i, j) : null
    const op = REDIR_OPS.find((o) => s.startsWith(o, j))
    if (!op) return false
    if (fd !== null && op.startsWith('&')) return false
    // `<(` / `>(` are process substitutions, handled by the caller.
    if ((op === '<' || op === '>') && s[j + 1] === '(') return false
    this.mark(this.i)
    this.i = j + op.length
    while (this.i < s.length && (s[this.i] === ' ' || s[this.i] === '\t')) this.i++
    let target: Word | null = null
    if (this.i < s.length && !isMeta(s[this.i]!)) target = this.readWord()
    else if ((s[this.i] === '<' || s[this.i] === '>') && s[this.i + 1] === '(') target = this.readProcessSubstitution()
    const r: Redirect = { op, fd, target, heredoc: null }
    if (op === '<<' || op === '<<-') {
      r.heredoc = { delimiter: target?.text ?? '', quoted: target?.quoted ?? false, body: '' }
      this.pendingHeredocs.push(r)
    }
    this.redirects.push(r)
    this.mark(this.i)
    return true
  }

  private readHeredocBodies(): void {
    const s = this.src
    for (const r of this.pendingHeredocs) {
      const h = r.heredoc!
      const lines: string[] = []
      let done = false
      while (this.i < s.length && !done) {
        let end = s.indexOf('\n', this.i)
        if (end < 0) end = s.length
        let line = s.slice(this.i, end)
        if (line.endsWith('\r')) line = line.slice(0, -1)
        this.i = end + 1
        const cmp = r.op === '<<-' ? line.replace(/^\t+/, '') : line
        if (cmp === h.delimiter) done = true
        else lines.push(line)
      }
      h.body = lines.join('\n')
    }
    this.pendingHeredocs = []
  }

  private readProcessSubstitution(): Word {
    const start = this.i
    const kind: SubstitutionKind = this.src[this.i] === '<' ? 'process-in' : 'process-out'
    this.i += 2
    const inner = this.readBalanced()
    const raw = this.src.slice(start, this.i)
    return { text: raw, raw, quoted: false, subs: [{ kind, source: inner }] }
  }

  /** Reads after an opening `(` up to its matching `)`, quote-aware. Returns the inner text. */
  private readBalanced(): string {
    const s = this.src
    const start = this.i
    let depth = 1
    while (this.i < s.length) {
      const c = s[this.i]!
      if (c === '\\') {
        this.i += 2
        continue
      }
      if (c === "'") {
        const end = s.indexOf("'", this.i + 1)
        this.i = end < 0 ? s.length : end + 1
        continue
      }
      if (c === '"') {
        this.i++
        while (this.i < s.length && s[this.i] !== '"') this.i += s[this.i] === '\\' ? 2 : 1
        this.i++
        continue
      }
      if (c === '`') {
        const end = s.indexOf('`', this.i + 1)
        this.i = end < 0 ? s.length : end + 1
        continue
      }
      if (c === '(') depth++
      else if (c === ')') {
        depth--
        if (depth === 0) {
          const inner = s.slice(start, this.i)
          this.i++
          return inner
        }
      }
      this.i++
    }
    return s.slice(start)
  }

  /** Reads up to the closing backtick. Returns the inner text with `\`` unescaped. */
  private readBacktick(): string {
    const s = this.src
    let out = ''
    while (this.i < s.length && s[this.i] !== '`') {
      if (s[this.i] === '\\' && this.i + 1 < s.length) {
        out += s[this.i + 1]
        this.i += 2
        continue
      }
      out += s[this.i]
      this.i++
    }
    this.i++
    return out
  }

  /** `$(`, `${` or `$'` at this.i: appends to the word. Returns false when it is a plain `$`. */
  private readDollar(w: Word, inDouble: boolean): boolean {
    const s = this.src
    const next = s[this.i + 1]
    const start = this.i
    if (next === '(') {
      this.i += 2
      const inner = this.readBalanced()
      w.subs.push({ kind: 'command', source: inner })
      const raw = s.slice(start, this.i)
      w.text += raw
      return true
    }
    if (next === '{') {
      const end = s.indexOf('}', this.i + 2)
      this.i = end < 0 ? s.length : end + 1
      w.text += s.slice(start, this.i)
      return true
    }
    if (next === "'" && !inDouble) {
      this.i += 2
      let out = ''
      while (this.i < s.length && s[this.i] !== "'") {
        if (s[this.i] === '\\' && this.i + 1 < s.length) {
          // ANSI-C escapes: \xHH, \NNN (octal), \uHHHH, \n, \t, …
          const m = /^(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|[0-7]{1,3})/.exec(s.slice(this.i + 1, this.i + 6))
          if (m) {
            const e = m[1]!
            out += String.fromCharCode(e[0] === 'x' || e[0] === 'u' ? parseInt(e.slice(1), 16) : parseInt(e, 8))
            this.i += 1 + e.length
            continue
          }
          const e = s[this.i + 1]!
          out += ({ n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? e
          this.i += 2
          continue
        }
        out += s[this.i]
        this.i++
      }
      this.i++
      w.text += out
      w.quoted = true
      return true
    }
    return false
  }

  private readWord(): Word {
    const s = this.src
    const start = this.i
    const w: Word = { text: '', raw: '', quoted: false, subs: [] }
    while (this.i < s.length) {
      const c = s[this.i]!
      if (isMeta(c) || c === '\r') break
      if (c === "'") {
        const end = s.indexOf("'", this.i + 1)
        const stop = end < 0 ? s.length : end
        w.text += s.slice(this.i + 1, stop)
        w.quoted = true
        this.i = stop + 1
        continue
      }
      if (c === '"') {
        w.quoted = true
        this.i++
        while (this.i < s.length && s[this.i] !== '"') {
          const d = s[this.i]!
          if (d === '\\' && this.i + 1 < s.length) {
            const e = s[this.i + 1]!
            if (e === '\n') {
              this.i += 2
              continue
            }
            w.text += '$`"\\'.includes(e) ? e : d + e
            this.i += 2
            continue
          }
          if (d === '$' && this.readDollar(w, true)) continue
          if (d === '`') {
            const bStart = this.i
            this.i++
            w.subs.push({ kind: 'backtick', source: this.readBacktick() })
            w.text += s.slice(bStart, this.i)
            continue
          }
          w.text += d
          this.i++
        }
        this.i++
        continue
      }
      if (c === '\\') {
        if (s[this.i + 1] === '\n') {
          this.i += 2
          continue
        }
        if (this.i + 1 < s.length) w.text += s[this.i + 1]
        w.quoted = true
        this.i += 2
        continue
      }
      if (c === '$' && this.readDollar(w, false)) continue
      if (c === '`') {
        const bStart = this.i
        this.i++
        w.subs.push({ kind: 'backtick', source: this.readBacktick() })
        w.text += s.slice(bStart, this.i)
        continue
      }
      w.text += c
      this.i++
    }
    w.raw = s.slice(start, Math.min(this.i, s.length))
    return w
  }
}

function isMeta(c: string): boolean {
  return META.has(c)
}

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { classifyCommand, classifyToolUse, DESTRUCTIVE_CATEGORIES, explainCommand, type ClassifyContext, type Verdict } from './classify.js'
import { parseShell } from './shell-lexer.js'

interface Entry {
  family?: string
  source?: string
  input?: string
  tool?: string
  toolInput?: unknown
  category: string | null
  sensitive: boolean
  note?: string
  context?: ClassifyContext
}

const CONTEXT: ClassifyContext = { cwd: '/home/dev/project', home: '/home/dev' }
const corpus: Entry[] = readFileSync(new URL('../../fixtures/audit/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Entry)

const run = (e: Entry): Verdict =>
  e.tool !== undefined ? classifyToolUse(e.tool, e.toolInput, e.context ?? CONTEXT) : classifyCommand(e.input ?? '', e.context ?? CONTEXT)
const label = (e: Entry): string => e.input ?? `${e.tool} ${JSON.stringify(e.toolInput)}`

describe('classifier corpus', () => {
  const results = corpus.map((e) => ({ e, v: run(e) }))

  it('has at least 220 labeled entries, with positives for every category', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(220)
    for (const cat of DESTRUCTIVE_CATEGORIES) expect(corpus.filter((e) => e.category === cat).length, cat).toBeGreaterThanOrEqual(5)
    expect(corpus.filter((e) => e.sensitive).length).toBeGreaterThanOrEqual(20)
  })

  it('reaches precision and recall >= 0.98 per kind (table printed)', () => {
    const rows: Record<string, { tp: number; fp: number; fn: number }> = {}
    for (const cat of [...DESTRUCTIVE_CATEGORIES, 'sensitive']) rows[cat] = { tp: 0, fp: 0, fn: 0 }
    const wrong: string[] = []
    for (const { e, v } of results) {
      for (const cat of DESTRUCTIVE_CATEGORIES) {
        const exp = e.category === cat
        const got = v.category === cat
        if (exp && got) rows[cat]!.tp++
        else if (got) rows[cat]!.fp++
        else if (exp) rows[cat]!.fn++
      }
      if (e.sensitive && v.sensitive) rows.sensitive!.tp++
      else if (v.sensitive) rows.sensitive!.fp++
      else if (e.sensitive) rows.sensitive!.fn++
      if (v.category !== e.category || v.sensitive !== e.sensitive) {
        wrong.push(`${JSON.stringify(label(e))}: expected ${e.category}/${e.sensitive}, got ${v.category}/${v.sensitive} ${JSON.stringify(v.reasons)}`)
      }
    }
    const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b)
    const table = Object.entries(rows).map(([kind, r]) => ({
      kind,
      tp: r.tp,
      fp: r.fp,
      fn: r.fn,
      precision: ratio(r.tp, r.tp + r.fp).toFixed(3),
      recall: ratio(r.tp, r.tp + r.fn).toFixed(3),
    }))
    const d = DESTRUCTIVE_CATEGORIES.map((c) => rows[c]!).reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 })
    table.push({ kind: 'destructive (all)', tp: d.tp, fp: d.fp, fn: d.fn, precision: ratio(d.tp, d.tp + d.fp).toFixed(3), recall: ratio(d.tp, d.tp + d.fn).toFixed(3) })
    console.info(`classifier corpus: ${corpus.length} entries`)
    console.table(table)
    if (wrong.length > 0) console.info(`misclassified:\n${wrong.join('\n')}`)
    const s = rows.sensitive!
    expect(ratio(d.tp, d.tp + d.fp)).toBeGreaterThanOrEqual(0.98)
    expect(ratio(d.tp, d.tp + d.fn)).toBeGreaterThanOrEqual(0.98)
    expect(ratio(s.tp, s.tp + s.fp)).toBeGreaterThanOrEqual(0.98)
    expect(ratio(s.tp, s.tp + s.fn)).toBeGreaterThanOrEqual(0.98)
  })

  it('returns the explain JSON shape', () => {
    const v = classifyCommand('rm -rf /', CONTEXT)
    expect(Object.keys(v).sort()).toEqual(['category', 'destructive', 'match', 'reasons', 'sensitive'])
    expect(v).toMatchObject({ destructive: true, category: 'recursive_delete', sensitive: false, match: 'rm -rf /' })
    expect(v.reasons.join(' ')).toContain('filesystem root')
    expect(classifyCommand('ls', CONTEXT)).toEqual({ destructive: false, category: null, sensitive: false, match: null, reasons: [] })
  })
})

describe('wrapping keeps a destructive command destructive (property over the corpus)', () => {
  const destructive = corpus.filter((e) => e.input !== undefined && e.category !== null)
  const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  const dq = (s: string): string => `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`
  /** A single simple pipeline starting with a program: prefix wrappers apply as is; otherwise through sh -c. */
  const simple = (c: string): boolean => {
    const p = parseShell(c).pipelines
    const first = p[0]?.commands[0]?.words[0]?.text ?? ''
    return p.length === 1 && !c.includes('\n') && /^[\w./\\'"-]/.test(c) && !/^[A-Za-z_]\w*=/.test(first) && !['alias', 'env', ':', '>'].includes(first) && !c.startsWith('>')
  }
  const prefix = (p: string) => (c: string): string => (simple(c) ? `${p} ${c}` : `${p} sh -c ${sq(c)}`)
  /** `x=rm; $x -rf /`: the program name goes through a variable. */
  const viaVariable = (c: string): string => {
    if (!simple(c)) return `x=sh; $x -c ${sq(c)}`
    const m = /^(\S+)(\s[\s\S]*)?$/.exec(c)!
    return /^[\w./-]+$/.test(m[1]!) ? `x=${m[1]}; $x${m[2] ?? ''}` : `x=sh; $x -c ${sq(c)}`
  }
  const wrappers: [string, (c: string) => string][] = [
    ["sh -c '...'", (c) => `sh -c ${sq(c)}`],
    ['bash -c "..."', (c) => `bash -c ${dq(c)}`],
    ['env X=1 ...', prefix('env X=1')],
    ['sudo ...', prefix('sudo')],
    ["xargs sh -c '...'", (c) => `echo x | xargs sh -c ${sq(c)}`],
    ["eval '...'", (c) => `eval ${sq(c)}`],
    ['x=prog; $x ...', viaVariable],
    ["zsh -c 'bash -c ...'", (c) => `zsh -c ${sq(`bash -c ${dq(c)}`)}`],
    ['sudo env A=1 nice timeout 5 ...', prefix('sudo env A=1 nice -n 5 timeout 5')],
  ]
  const summary: string[] = []
  for (const [name, wrap] of wrappers) {
    it(name, () => {
      const failures = destructive
        .map((e) => ({ e, w: wrap(e.input!), v: classifyCommand(wrap(e.input!), e.context ?? CONTEXT) }))
        .filter(({ v, e }) => v.category !== e.category)
        .map(({ w, v, e }) => `${w} → ${v.category} (expected ${e.category})`)
      summary.push(`${name}: ${destructive.length - failures.length}/${destructive.length} stay destructive with the same category`)
      expect(failures).toEqual([])
    })
  }
  it('prints the property results', () => {
    console.info(`wrapping property over ${destructive.length} destructive entries:\n${summary.join('\n')}`)
    expect(summary.length).toBe(wrappers.length)
  })
})

describe('explain', () => {
  it('names the rule and pack that matched', () => {
    const v = explainCommand('aws s3 rb s3://b --force', CONTEXT)
    expect(v).toMatchObject({ destructive: true, category: 'infrastructure', rule: 'cloud.aws-delete', pack: 'cloud' })
    expect(explainCommand('cat .env', CONTEXT)).toMatchObject({ sensitive: true, rule: 'sensitive.path', pack: 'sensitive' })
    expect(explainCommand('ls', CONTEXT)).toMatchObject({ rule: null, pack: null, rules: [] })
  })
  it('counts the corpus by family and source kind', () => {
    const by = (k: 'family' | 'source'): Record<string, number> => corpus.reduce<Record<string, number>>((a, e) => ({ ...a, [e[k] ?? 'unknown']: (a[e[k] ?? 'unknown'] ?? 0) + 1 }), {})
    console.info(`corpus by family: ${JSON.stringify(by('family'))}\ncorpus by source: ${JSON.stringify(by('source'))}`)
    expect(corpus.every((e) => e.family && e.source)).toBe(true)
  })
})

describe('reasons', () => {
  it('says where a recursive delete points', () => {
    expect(classifyCommand('rm -rf node_modules', CONTEXT).reasons.join()).toContain('inside the project directory')
    expect(classifyCommand('rm -rf /var/tmp/x', CONTEXT).reasons.join()).toContain('outside the project directory')
    expect(classifyCommand('rm -rf ~', CONTEXT).reasons.join()).toContain('home directory')
    expect(classifyCommand('rm -rf *', CONTEXT).reasons.join()).toContain('wildcard')
  })
  it('names the wrappers that were unwrapped', () => {
    expect(classifyCommand('sudo env A=1 rm -rf x', CONTEXT).reasons.join()).toContain('via sudo, env')
  })
  it('never throws on odd input', () => {
    for (const s of ['', '"', "'", '$(', '`', '<<', '|||', ';;;', '\\', 'a'.repeat(100_000), '$('.repeat(50)]) expect(() => classifyCommand(s)).not.toThrow()
    for (const x of [null, 42, 'str', [], { file_path: 42 }]) expect(() => classifyToolUse('Read', x)).not.toThrow()
  })
})

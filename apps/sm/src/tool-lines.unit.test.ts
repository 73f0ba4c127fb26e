import type { ToolEventDto } from '@claude-sessions/api/client'
import { describe, expect, it } from 'vitest'
import { csvField, cut, flags, formatDuration, formatTime, layoutFor, result, shortEvent, statsTable, summary, toolCells, toolLine, toolLines, toolsCsv } from './tool-lines.js'

const NOW = new Date(2026, 0, 31, 18, 0, 0)
const at = (h: number, m: number, s: number, day = 31): string => new Date(2026, 0, day, h, m, s).toISOString()

function event(overrides: Partial<ToolEventDto> = {}): ToolEventDto {
  return {
    id: 1,
    at: at(9, 5, 7),
    sessionId: 'a1b2c3d4',
    sessionName: 'worker',
    parentId: null,
    claudeSessionId: 'c1',
    agentId: null,
    toolUseId: 'toolu_1',
    cwd: '/home/me/project',
    project: 'project',
    event: 'PreToolUse',
    toolName: 'Bash',
    toolInput: { command: 'ls -la' },
    toolResponse: null,
    toolResponseSize: null,
    targetFile: null,
    command: 'ls -la',
    exitCode: null,
    error: null,
    durationMs: null,
    destructive: false,
    category: null,
    sensitive: false,
    match: null,
    decision: null,
    decidedBy: null,
    ...overrides,
  }
}

describe('cells', () => {
  it('short event names', () => {
    expect(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'SubagentStart', 'SubagentStop', 'Other'].map(shortEvent)).toEqual([
      'pre',
      'post',
      'fail',
      'perm',
      'sub+',
      'sub-',
      'Other',
    ])
  })

  it('local time today, date and time on other days', () => {
    expect(formatTime(at(9, 5, 7), NOW)).toBe('09:05:07')
    expect(formatTime(at(23, 59, 59, 30), NOW)).toBe('2026-01-30 23:59:59')
    expect(formatTime('not a time', NOW)).toBe('not a time')
  })

  it('durations', () => {
    expect([0, 850, 1000, 1234, 59_940, 125_000].map(formatDuration)).toEqual(['0ms', '850ms', '1.0s', '1.2s', '59.9s', '2m05s'])
  })

  it('cuts to a width with an ellipsis, never inside a character', () => {
    expect(cut('abcdef', 6)).toBe('abcdef')
    expect(cut('abcdef', 4)).toBe('abc…')
    expect(cut('ab😀😀cd', 4)).toBe('ab😀…')
    expect(cut('abc', 0)).toBe('')
  })

  it('summary: the command on one line, the path of file tools, else compact JSON', () => {
    expect(summary(event({ command: 'echo a\n  echo b\techo c' }))).toBe('echo a echo b echo c')
    expect(summary(event({ toolName: 'Read', command: null, targetFile: '/p/.env', toolInput: { file_path: '/p/.env', limit: 5 } }))).toBe('/p/.env')
    expect(summary(event({ toolName: 'Grep', command: null, targetFile: '/p/src', toolInput: { pattern: 'a\nb', path: '/p/src' } }))).toBe('{"pattern":"a\\nb","path":"/p/src"}')
    expect(summary(event({ event: 'SubagentStart', toolName: null, command: null, toolInput: null, agentId: 'a399' }))).toBe('agent a399')
    expect(summary(event({ toolName: 'X', command: null, toolInput: 'not json' }))).toBe('not json')
  })

  it('result: exit code, else the first line of the error; then the duration', () => {
    expect(result(event())).toBe('')
    expect(result(event({ exitCode: 0, durationMs: 1234 }))).toBe('exit 0 1.2s')
    expect(result(event({ exitCode: 2, error: 'Exit code 2\nls: nope' }))).toBe('exit 2')
    expect(result(event({ error: 'File does not exist.\nmore', durationMs: 12 }))).toBe('File does not exist. 12ms')
    expect(result(event({ error: 'x'.repeat(100) })).length).toBe(40)
  })

  it('flags: D:<category>, S, DENY/ASK', () => {
    expect(flags(event())).toBe('')
    expect(flags(event({ destructive: true, category: 'recursive_delete', decision: 'deny' }))).toBe('D:recursive_delete DENY')
    expect(flags(event({ sensitive: true, decision: 'ask' }))).toBe('S ASK')
    expect(flags(event({ destructive: true, sensitive: true }))).toBe('D S')
  })

  it('session name, else the id (a long external id cut to 8)', () => {
    expect(toolCells(event(), NOW).session).toBe('worker')
    expect(toolCells(event({ sessionName: null }), NOW).session).toBe('a1b2c3d4')
    expect(toolCells(event({ sessionName: null, sessionId: '6bf01783-816d-49d3-a354-25f1341e986b' }), NOW).session).toBe('6bf01783')
  })
})

describe('lines', () => {
  const events = [
    event({ id: 1, command: 'rm -rf ./build', destructive: true, category: 'recursive_delete', decision: 'deny' }),
    event({ id: 2, event: 'PostToolUse', exitCode: 0, durationMs: 1234, command: `echo ${'long '.repeat(60)}` }),
    event({ id: 3, toolName: 'Read', command: null, targetFile: '/home/me/project/.env', toolInput: { file_path: '/home/me/project/.env' }, sensitive: true }),
  ]

  it('one aligned line per event, cut to the width, flags last', () => {
    const lines = toolLines(events, 100, NOW)
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(100)
    expect(lines[0]).toMatch(/^09:05:07 {2}worker {4}pre {3}Bash {2}rm -rf \.\/build +D:recursive_delete DENY$/)
    expect(lines[1]).toMatch(/^09:05:07 {2}worker {4}post {2}Bash {2}echo long long .*…  exit 0 1\.2s$/)
    expect(lines[2]).toMatch(/\/home\/me\/project\/\.env +S$/)
    // the result and flag columns line up
    expect(lines[1]!.indexOf('exit 0')).toBe(lines[0]!.length - 'D:recursive_delete DENY'.length - 'exit 0 1.2s'.length - 2)
    expect(lines[0]!.indexOf('D:')).toBe(lines[2]!.indexOf(' S') + 1)
  })

  it('a line without result or flags is not padded; a narrow terminal keeps a bit of the summary', () => {
    expect(toolLines([event()], 120, NOW)).toEqual(['09:05:07  worker    pre   Bash  ls -la'])
    const narrow = toolLines([events[1]!], 40, NOW)[0]!
    expect(narrow).toBe('09:05:07  worker    post  Bash  echo long long long…  exit 0 1.2s')
  })

  it('a very long tool name is cut, and the columns still line up', () => {
    const mcp = event({ toolName: 'mcp__github__create_pull_request_review', command: null, toolInput: { n: 1 }, exitCode: 0 })
    const lines = toolLines([mcp, events[1]!], 120, NOW)
    expect(lines[0]).toContain('  mcp__github__create_pul…  {"n":1}')
    expect(lines[0]!.indexOf('exit 0')).toBe(lines[1]!.indexOf('exit 0'))
  })

  it('a follow layout fills the width, so later lines line up', () => {
    const layout = layoutFor([toolCells(event(), NOW)], 100, true)
    const later = toolLine(toolCells(events[1]!, NOW), layout)
    const flagged = toolLine(toolCells(event({ event: 'PostToolUse', exitCode: 1, destructive: true, category: 'recursive_delete' }), NOW), layout)
    for (const line of [later, flagged]) expect(Array.from(line).length).toBeLessThanOrEqual(100)
    expect(later).toMatch(/exit 0 1\.2s$/)
    expect(flagged).toMatch(/exit 1 +D:recursive_delete$/)
    expect(flagged.indexOf('exit 1')).toBe(later.indexOf('exit 0'))
  })
})

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks (quotes doubled); null is empty', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('one\ntwo')).toBe('"one\ntwo"')
    expect(csvField('cr\r')).toBe('"cr\r"')
    expect(csvField(null)).toBe('')
    expect(csvField(0)).toBe('0')
    expect(csvField(false)).toBe('false')
  })

  it('a header and one CRLF-terminated record per event', () => {
    const csv = toolsCsv([event({ command: 'echo "a, b"\nls', exitCode: 0, durationMs: 5 })])
    const [header, record, rest] = csv.split('\r\n')
    expect(header).toBe('at,sessionId,sessionName,event,toolName,toolUseId,command,targetFile,exitCode,durationMs,destructive,category,sensitive,match,decision,error,project')
    expect(record).toBe(`${at(9, 5, 7)},a1b2c3d4,worker,PreToolUse,Bash,toolu_1,"echo ""a, b""\nls",,0,5,false,,false,,,,project`)
    expect(rest).toBe('')
    expect(toolsCsv([])).toBe(`${header}\r\n`)
  })
})

describe('stats', () => {
  it('a header, then counts right-aligned; no rows, no lines', () => {
    const rows = [
      { key: 'Bash', calls: 120, events: 240, destructive: 3, sensitive: 0, denied: 1, failed: 7 },
      { key: null, calls: 0, events: 2, destructive: 0, sensitive: 0, denied: 0, failed: 0 },
    ]
    expect(statsTable('tool', rows)).toEqual([
      'tool  calls  events  destructive  sensitive  denied  failed',
      'Bash    120     240            3          0       1       7',
      '-         0       2            0          0       0       0',
    ])
    expect(statsTable('tool', [])).toEqual([])
  })
})

import { newSession, type Session } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { CHUNK_LIMIT } from '../format.js'
import { checkHtml } from '../../testing/fake-html.js'
import { aToolEvent, T0 } from '../../testing/fake-control.js'
import { asTree, clockTime, formatAge, formatPre, inputSummary, listBody, sessionLine, short, stateWords, statusBody, toolLine } from './render.js'

const session = (fields: Partial<Session> & Pick<Session, 'id'>): Session => ({
  ...newSession({ id: fields.id, kind: 'managed', state: 'idle', workingDir: `/w/${fields.id}`, tmuxSession: null, createdAt: T0 }),
  ...fields,
})

const MIN = 60_000

describe('stateWords', () => {
  it('says each state as a person would', () => {
    const words = (state: Session['state']) => stateWords({ state, backgroundTasks: 0 })
    expect(words('idle')).toBe('idle')
    expect(words('working')).toBe('working')
    expect(words('starting')).toBe('starting')
    expect(words('waiting_permission')).toBe('waiting for permission')
    expect(words('waiting_answer')).toBe('waiting for an answer')
    expect(words('error')).toBe('last turn failed')
    expect(words('stopped')).toBe('stopped')
  })

  it('adds background tasks still running, except once stopped', () => {
    expect(stateWords({ state: 'idle', backgroundTasks: 1 })).toBe('idle, 1 background task')
    expect(stateWords({ state: 'working', backgroundTasks: 3 })).toBe('working, 3 background tasks')
    expect(stateWords({ state: 'stopped', backgroundTasks: 3 })).toBe('stopped')
  })
})

describe('formatAge', () => {
  it('reads as a short age', () => {
    expect(formatAge(-5000)).toBe('just now')
    expect(formatAge(2000)).toBe('just now')
    expect(formatAge(45_000)).toBe('45s ago')
    expect(formatAge(3 * MIN + 10_000)).toBe('3m ago')
    expect(formatAge(120 * MIN)).toBe('2h ago')
    expect(formatAge(125 * MIN)).toBe('2h 5m ago')
    expect(formatAge(72 * 60 * MIN)).toBe('3d ago')
    expect(formatAge(76 * 60 * MIN + 30 * MIN)).toBe('3d 4h ago')
  })
})

describe('session lines and the tree', () => {
  it('gives name, id, state, last tool and age on one line', () => {
    const s = session({ id: 'aaaa1111', name: 'web', state: 'working', lastTool: 'Bash', lastActivityAt: T0 - 3 * MIN })
    expect(sessionLine(s, T0)).toBe('web [aaaa1111] · working · Bash · 3m ago')
    const unnamed = session({ id: 'bbbb2222', workingDir: '/home/me/api', lastActivityAt: T0 })
    expect(sessionLine(unnamed, T0)).toBe('api [bbbb2222] · idle · just now')
  })

  it('puts children right under their parent, at any depth, keeping the order otherwise', () => {
    const a = session({ id: 'a' })
    const b = session({ id: 'b' })
    const a1 = session({ id: 'a1', parentId: 'a' })
    const a11 = session({ id: 'a11', parentId: 'a1' })
    const a2 = session({ id: 'a2', parentId: 'a' })
    const orphan = session({ id: 'o', parentId: 'gone' })
    const tree = asTree([a, b, a1, orphan, a11, a2])
    expect(tree.map((t) => `${t.depth}:${t.session.id}`)).toEqual(['0:a', '1:a1', '2:a11', '1:a2', '0:b', '0:o'])
  })

  it('still shows sessions whose parents form a cycle', () => {
    const x = session({ id: 'x', parentId: 'y' })
    const y = session({ id: 'y', parentId: 'x' })
    expect(asTree([x, y]).map((t) => t.session.id)).toEqual(['x', 'y'])
  })

  it('indents children in the list body', () => {
    const body = listBody([session({ id: 'p1', name: 'parent' }), session({ id: 'c1', name: 'child', parentId: 'p1' }), session({ id: 'g1', name: 'grandchild', parentId: 'c1' })], T0)
    expect(body.split('\n')).toEqual(['parent [p1] · idle · just now', '  ↳ child [c1] · idle · just now', '    ↳ grandchild [g1] · idle · just now'])
  })
})

describe('statusBody', () => {
  it('shows state, directory, current tool, last activity, task and children', () => {
    const s = session({ id: 'aaaa1111', name: 'web', state: 'working', workingDir: '/src/web', lastTool: 'Edit', lastActivityAt: T0 - 2 * MIN, currentTask: 'fixing the login', model: 'opus' })
    const kids = [session({ id: 'k1', name: 'tests', state: 'waiting_permission' }), session({ id: 'k2', name: 'docs', state: 'stopped' })]
    expect(statusBody(s, kids, T0).split('\n')).toEqual([
      'State: working',
      'Directory: /src/web',
      'Current tool: Edit',
      'Last activity: 2m ago',
      'Task: fixing the login',
      'Model: opus',
      'Children (2):',
      '  ↳ tests [k1] · waiting for permission',
      '  ↳ docs [k2] · stopped',
    ])
  })

  it('says "last tool" when idle, and shows external kind, parent and stop time', () => {
    const s = session({ id: 'e1', kind: 'external', state: 'stopped', lastTool: 'Read', parentId: 'p9', stoppedAt: T0 - 5 * MIN, lastActivityAt: T0 - 6 * MIN })
    const body = statusBody(s, [], T0)
    expect(body).toContain('Last tool: Read')
    expect(body).toContain('Kind: external')
    expect(body).toContain('Parent: p9')
    expect(body).toContain('Stopped: 5m ago')
    expect(body).not.toContain('Task:')
    expect(body).not.toContain('Children')
  })
})

describe('tool lines', () => {
  it('summarizes the input by command, file, or the telling field', () => {
    expect(inputSummary({ command: 'npm test\n  --watch', targetFile: null, toolInput: null })).toBe('npm test --watch')
    expect(inputSummary({ command: null, targetFile: '/a/b.ts', toolInput: '{"file_path":"/a/b.ts"}' })).toBe('/a/b.ts')
    expect(inputSummary({ command: null, targetFile: null, toolInput: '{"pattern":"TODO","glob":"*.ts"}' })).toBe('TODO')
    expect(inputSummary({ command: null, targetFile: null, toolInput: '{"x":1}' })).toBe('{"x":1}')
    expect(inputSummary({ command: null, targetFile: null, toolInput: '{}' })).toBe('')
    expect(inputSummary({ command: null, targetFile: null, toolInput: 'not json' })).toBe('not json')
    expect(inputSummary({ command: null, targetFile: null, toolInput: null })).toBe('')
    expect(short('x'.repeat(200)).length).toBe(80)
    expect(short('x'.repeat(200)).endsWith('…')).toBe(true)
  })

  it('gives time, tool, event, input, flags, decision and exit code', () => {
    const at = Date.UTC(2024, 2, 3, 14, 3, 7)
    const pre = aToolEvent({ at, toolName: 'Bash', command: 'rm -rf build', destructive: true, sensitive: true, decision: 'deny' })
    expect(toolLine(pre, at + MIN, 'UTC')).toBe('14:03:07 Bash: rm -rf build [destructive, sensitive, denied]')
    const post = aToolEvent({ at, event: 'PostToolUse', toolName: 'Bash', command: 'npm test', exitCode: 0 })
    expect(toolLine(post, at, 'UTC')).toBe('14:03:07 Bash done: npm test [exit 0]')
    const failed = aToolEvent({ at, event: 'PostToolUseFailure', toolName: 'Read', targetFile: '/x', error: 'File does not exist.' })
    expect(toolLine(failed, at, 'UTC')).toBe('14:03:07 Read failed: /x [File does not exist.]')
    const asked = aToolEvent({ at, event: 'PermissionRequest', toolName: 'Write', targetFile: '/etc/hosts', decision: 'ask' })
    expect(toolLine(asked, at, 'UTC')).toBe('14:03:07 Write asks permission: /etc/hosts [asked you]')
    const subagent = aToolEvent({ at, event: 'SubagentStart', toolName: null })
    expect(toolLine(subagent, at, 'UTC')).toBe('14:03:07 (no tool) subagent started')
  })

  it('puts the day in front of old times', () => {
    const at = Date.UTC(2024, 2, 3, 9, 0, 0)
    expect(clockTime(at, at + 19 * 3600_000, 'UTC')).toBe('09:00:00')
    expect(clockTime(at, at + 30 * 3600_000, 'UTC')).toBe('3 Mar 09:00:00')
  })
})

describe('formatPre', () => {
  it('gives a bold title over an escaped <pre> block', () => {
    const [m, ...rest] = formatPre('Output of x', 'a < b && c > d\n  indented')
    expect(rest).toEqual([])
    expect(m!.html).toBe('<b>Output of x</b>\n<pre>a &lt; b &amp;&amp; c &gt; d\n  indented</pre>')
    expect(checkHtml(m!.html)).toEqual({ text: m!.text })
  })

  it('splits long output so that every piece, title included, fits the limit', () => {
    const body = Array.from({ length: 500 }, (_, i) => `${i} <${'&'.repeat(i % 40)}>`).join('\n')
    const pieces = formatPre('T'.repeat(100), body)
    expect(pieces.length).toBeGreaterThan(1)
    for (const p of pieces) {
      expect(p.text.length).toBeLessThanOrEqual(CHUNK_LIMIT)
      expect(checkHtml(p.html)).toEqual({ text: p.text })
      expect(p.html).toMatch(/<pre>[\s\S]*<\/pre>$/)
    }
    expect(pieces.map((p) => p.text).join('\n')).toBe(`${'T'.repeat(100)}\n${body}`)
  })

  it('gives nothing for blank output', () => {
    expect(formatPre('t', '  \n\n')).toEqual([])
  })
})

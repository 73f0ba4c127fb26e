import { describe, expect, it } from 'vitest'
import { aSessionService } from '../testing/service.js'
import { aSession } from '../testing/builders.js'
import { MAX_TASK_LENGTH, normalizeTask, peersOf } from './peers.js'
import { noRepo, type RepoIdentity } from './repo.js'

const repos: Record<string, RepoIdentity> = {
  '/app': { dir: '/app', root: '/app', remote: 'git@github.com:o/app.git', commonDir: '/app/.git' },
  '/app/pkg': { dir: '/app/pkg', root: '/app', remote: 'git@github.com:o/app.git', commonDir: '/app/.git' },
  '/app-wt': { dir: '/app-wt', root: '/app-wt', remote: 'git@github.com:o/app.git', commonDir: '/app/.git' },
  '/clone': { dir: '/clone', root: '/clone', remote: 'https://github.com/o/app', commonDir: '/clone/.git' },
  '/other': { dir: '/other', root: '/other', remote: 'https://github.com/o/other', commonDir: '/other/.git' },
}

describe('peersOf', () => {
  it('live sessions other than me; same repository first (dir, root, worktree, remote), then oldest first', () => {
    const asked: string[] = []
    const identity = (dir: string) => {
      asked.push(dir)
      return repos[dir] ?? noRepo(dir)
    }
    const me = aSession({ id: 'me000001', workingDir: '/app', state: 'working' })
    const all = [
      me,
      aSession({ id: 'other001', workingDir: '/other', createdAt: 1 }),
      aSession({ id: 'sub00001', workingDir: '/app/pkg', createdAt: 5 }),
      aSession({ id: 'gone0001', workingDir: '/app', state: 'stopped' }),
      aSession({ id: 'wt000001', workingDir: '/app-wt', createdAt: 4 }),
      aSession({ id: 'clone001', workingDir: '/clone', createdAt: 3 }),
      aSession({ id: 'same0001', workingDir: '/app', createdAt: 9 }),
      aSession({ id: 'nodir001', workingDir: '', createdAt: 2 }),
    ]
    const peers = peersOf(me, all, identity)
    expect(peers.map((p) => [p.session.id, p.sameRepo])).toEqual([
      ['clone001', true],
      ['wt000001', true],
      ['sub00001', true],
      ['same0001', true],
      ['other001', false],
      ['nodir001', false],
    ])
    expect(new Set(asked).size).toBe(asked.length)
    expect(asked).not.toContain('')
    expect(peersOf(me, all, identity, { repoOnly: true }).map((p) => p.session.id)).toEqual(['clone001', 'wt000001', 'sub00001', 'same0001'])
    expect(peersOf(me, [me], identity)).toEqual([])
  })
})

describe('session task', () => {
  it('normalizeTask: one line, trimmed; empty is null; too long is refused', () => {
    expect(normalizeTask('  fix\n the   "auth"\ttests ')).toBe('fix the "auth" tests')
    expect(normalizeTask(' \n ')).toBeNull()
    expect(normalizeTask('x'.repeat(MAX_TASK_LENGTH))).toHaveLength(MAX_TASK_LENGTH)
    expect(() => normalizeTask('x'.repeat(MAX_TASK_LENGTH + 1))).toThrow(/at most 500/)
  })

  it('setTask: a session sets only its own, the operator any; null clears; empty is refused', async () => {
    const { service, sessions } = aSessionService()
    const a = await service.create({ workingDir: '/w' })
    const b = await service.create({ workingDir: '/w' })
    expect(service.setTask(a.id, 'reading ünïcode; $(x)', { kind: 'session', id: a.id }).currentTask).toBe('reading ünïcode; $(x)')
    expect(sessions.get(a.id)!.currentTask).toBe('reading ünïcode; $(x)')
    expect(() => service.setTask(a.id, 'hijack', { kind: 'session', id: b.id })).toThrow(/sets only its own/)
    expect(service.setTask(a.id, 'by the operator').currentTask).toBe('by the operator')
    expect(() => service.setTask(a.id, '   ')).toThrow(/empty/)
    expect(sessions.get(a.id)!.currentTask).toBe('by the operator')
    expect(service.setTask(a.id, null, { kind: 'session', id: a.id }).currentTask).toBeNull()
    expect(() => service.setTask('nosuch', 'x')).toThrow(/no session/)
  })
})

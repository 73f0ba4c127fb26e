import { describe, expect, it } from 'vitest'
import { aSession } from '../testing/builders.js'
import { assertMayControl, checkSpawnLimits, childStatus, depthOf, descendantsOf, mayControl } from './tree.js'

const root = aSession({ id: 'aaaaaaa1', state: 'idle' })
const child = aSession({ id: 'aaaaaaa2', parentId: root.id, state: 'working' })
const grandchild = aSession({ id: 'aaaaaaa3', parentId: child.id, state: 'idle', lastMessage: 'done' })
const sibling = aSession({ id: 'aaaaaaa4', parentId: root.id, state: 'stopped' })
const all = [root, child, grandchild, sibling]
const byId = (id: string) => all.find((s) => s.id === id)

describe('the session tree', () => {
  it('depth counts parents; descendants come parents first, at any depth', () => {
    expect([root, child, grandchild].map((s) => depthOf(s, byId))).toEqual([0, 1, 2])
    expect(descendantsOf(root.id, all).map((s) => s.id)).toEqual([child.id, sibling.id, grandchild.id])
    expect(descendantsOf(grandchild.id, all)).toEqual([])
  })

  it('only the parent or the operator may control a session; a session may only rename itself', () => {
    expect(mayControl({ kind: 'operator' }, grandchild, 'kill')).toBe(true)
    expect(mayControl({ kind: 'session', id: child.id }, grandchild, 'kill')).toBe(true)
    expect(mayControl({ kind: 'session', id: grandchild.id }, grandchild, 'rename')).toBe(true)
    for (const what of ['kill', 'clear', 'interrupt'] as const) expect(mayControl({ kind: 'session', id: grandchild.id }, grandchild, what)).toBe(false)
    expect(mayControl({ kind: 'session', id: sibling.id }, child, 'rename')).toBe(false)
    expect(mayControl({ kind: 'session', id: root.id }, grandchild, 'kill')).toBe(false)
    expect(() => assertMayControl({ kind: 'session', id: sibling.id }, child, 'kill')).toThrow(
      `session ${sibling.id} may not kill ${child.id}: only its parent (${root.id}) or the operator may`,
    )
  })

  it('limits: depth, live children per parent, live sessions in all (stopped ones do not count)', () => {
    const limits = { maxDepth: 2, maxChildren: 2, maxSessions: 5 }
    expect(() => checkSpawnLimits(child, all, limits)).not.toThrow()
    expect(() => checkSpawnLimits(grandchild, all, limits)).toThrow(/depth 3; the limit is 2/)
    const full = [...all, aSession({ id: 'aaaaaaa5', parentId: root.id, state: 'idle' })]
    expect(() => checkSpawnLimits(root, full, limits)).toThrow(/2 live children; the limit is 2/)
    expect(() => checkSpawnLimits(null, [...full, aSession({ id: 'aaaaaaa6' })], limits)).toThrow(/5 sessions are live, the limit is 5/)
    expect(() => checkSpawnLimits(null, all, limits)).not.toThrow()
  })

  it('statuses: running, idle, completed (idle after a finished turn), error, stopped', () => {
    expect(all.map(childStatus)).toEqual(['idle', 'running', 'completed', 'stopped'])
    expect(childStatus(aSession({ state: 'error' }))).toBe('error')
    expect(childStatus(aSession({ state: 'idle', lastMessage: 'x', backgroundTasks: 1 }))).toBe('idle')
  })
})

import { describe, expect, it } from 'vitest'
import { explainCommand } from '../classify.js'
import { PACKS, RULE_BY_ID } from './index.js'
import { DESTRUCTIVE_CATEGORIES } from './types.js'

const CONTEXT = { cwd: '/home/dev/project', home: '/home/dev' }

describe('rule packs', () => {
  it('every rule has an id in its pack, a known category and examples', () => {
    for (const pack of PACKS) {
      expect(pack.rules.length, pack.name).toBeGreaterThan(0)
      for (const rule of pack.rules) {
        expect(rule.id.startsWith(`${pack.name}.`), rule.id).toBe(true)
        expect([...DESTRUCTIVE_CATEGORIES, 'sensitive']).toContain(rule.category)
        expect(rule.examples.length, rule.id).toBeGreaterThan(0)
      }
    }
    expect(RULE_BY_ID.size).toBe(PACKS.reduce((n, p) => n + p.rules.length, 0))
  })

  for (const pack of PACKS) {
    describe(pack.name, () => {
      for (const rule of pack.rules) {
        it(`${rule.id}: examples match, safe variants do not`, () => {
          const failures: string[] = []
          for (const ex of rule.examples) {
            const v = explainCommand(ex, CONTEXT)
            const ids = v.rules.map((r) => r.id)
            if (!ids.includes(rule.id)) failures.push(`example not matched: ${ex} → ${JSON.stringify(ids)}`)
            if (rule.category !== 'sensitive' && !v.destructive) failures.push(`example not destructive: ${ex}`)
          }
          for (const ex of rule.safeExamples ?? []) {
            const v = explainCommand(ex, CONTEXT)
            if (v.rules.some((r) => r.id === rule.id)) failures.push(`safe variant matched: ${ex} → ${v.reasons.join('; ')}`)
          }
          expect(failures).toEqual([])
        })
      }
    })
  }
})

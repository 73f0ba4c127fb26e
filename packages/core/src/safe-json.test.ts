import { describe, expect, it } from 'vitest'
import { safeJsonStringify } from './safe-json.js'

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = { a: v }
  return v
}

describe('safeJsonStringify', () => {
  it('is JSON.stringify for ordinary values', () => {
    for (const v of [{ a: [1, 'x', null, true] }, 'text', 0, null, [], { 'k"': 'v\n' }]) expect(safeJsonStringify(v)).toBe(JSON.stringify(v))
    expect(safeJsonStringify(undefined)).toBeUndefined()
  })

  it('writes a value nested 20 000 deep without throwing, cut at the depth bound', () => {
    const text = safeJsonStringify(nested(20_000), 8)!
    expect(text).toBe('{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":"[too deep]"}}}}}}}}')
  })

  it('marks cycles, writes BigInts as strings and survives a throwing toJSON', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    a.list = [a, 1n]
    expect(JSON.parse(safeJsonStringify(a)!)).toEqual({ name: 'a', self: '[circular]', list: ['[circular]', '1'] })
    const shared = { x: 1 }
    expect(JSON.parse(safeJsonStringify({ p: shared, q: shared, n: 2n })!)).toEqual({ p: { x: 1 }, q: { x: 1 }, n: '2' })
    expect(safeJsonStringify({ toJSON: () => { throw new Error('boom') } })).toBe('"[unserialisable]"')
  })
})

import { describe, expect, it } from 'vitest'
import { Emitter } from './emitter.js'

describe('Emitter', () => {
  it('calls its listeners in the order they were added, until removed', () => {
    const emitter = new Emitter<[string]>()
    const heard: string[] = []
    emitter.on((x) => heard.push(`a:${x}`))
    const off = emitter.on((x) => heard.push(`b:${x}`))
    emitter.emit('1')
    off()
    emitter.emit('2')
    expect(heard).toEqual(['a:1', 'b:1', 'a:2'])
  })

  it('lets a throwing listener stop the call: the error reaches the emitter, later listeners are not called', () => {
    const emitter = new Emitter<[]>()
    const heard: string[] = []
    emitter.on(() => heard.push('first'))
    emitter.on(() => {
      throw new Error('boom')
    })
    emitter.on(() => heard.push('last'))
    expect(() => emitter.emit()).toThrow('boom')
    expect(heard).toEqual(['first'])
  })

  it('asks its listeners one by one: the caller may stop at an answer', () => {
    const emitter = new Emitter<[number], number | null>()
    const asked: string[] = []
    emitter.on(() => (asked.push('a'), null))
    emitter.on((n) => (asked.push('b'), n * 2))
    emitter.on(() => (asked.push('c'), 0))
    let found: number | null = null
    for (const answer of emitter.ask(21)) {
      if (answer === null) continue
      found = answer
      break
    }
    expect(found).toBe(42)
    expect(asked).toEqual(['a', 'b'])
  })
})

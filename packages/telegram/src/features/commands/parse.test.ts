import { describe, expect, it } from 'vitest'
import { buttonRows, CALLBACK_DATA_LIMIT, firstWord, MAX_BUTTONS, parseCount, parseProjectData, parseSessionData, projectData, sessionData } from './parse.js'

describe('firstWord', () => {
  it('splits off the first word, keeping line breaks in the rest', () => {
    expect(firstWord('  web  do this\nthen that  ')).toEqual({ word: 'web', rest: 'do this\nthen that' })
    expect(firstWord('web')).toEqual({ word: 'web', rest: '' })
    expect(firstWord('web\nnext line')).toEqual({ word: 'web', rest: 'next line' })
    expect(firstWord('   ')).toEqual({ word: '', rest: '' })
    expect(firstWord('')).toEqual({ word: '', rest: '' })
  })
})

describe('parseCount', () => {
  it('takes the default when empty and a whole number within range', () => {
    expect(parseCount('', 30, 200)).toBe(30)
    expect(parseCount('  ', 30, 200)).toBe(30)
    expect(parseCount('1', 30, 200)).toBe(1)
    expect(parseCount(' 200 ', 30, 200)).toBe(200)
  })

  it('refuses zero, too many, negatives, fractions and words', () => {
    for (const bad of ['0', '201', '-5', '2.5', 'ten', '10 lines', '1e3', '99999999999999']) expect(parseCount(bad, 30, 200)).toBeUndefined()
  })
})

describe('callback data', () => {
  it('round-trips session buttons and project buttons', () => {
    expect(parseSessionData(sessionData('kill', 'a1b2c3d4'))).toEqual({ command: 'kill', sessionId: 'a1b2c3d4' })
    const uuid = '6bf01783-816d-49d3-a354-25f1341e986b'
    expect(parseSessionData(sessionData('interrupt', uuid))).toEqual({ command: 'interrupt', sessionId: uuid })
    expect(new TextEncoder().encode(sessionData('interrupt', uuid)).length).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT)
    expect(parseProjectData(projectData('web-app'))).toBe('web-app')
  })

  it('ignores data that is not ours', () => {
    for (const other of ['p:12:a', 'f:a1b2c3d4', 'c:', 'c:kill', 'c:kill:', 'x', '']) expect(parseSessionData(other)).toBeUndefined()
    for (const other of ['p:12:a', 'n:', 'n', '']) expect(parseProjectData(other)).toBeUndefined()
  })
})

describe('buttonRows', () => {
  it('puts one button a row, leaves out data over 64 bytes, and keeps at most MAX_BUTTONS', () => {
    const rows = buttonRows([
      { text: 'ok', data: 'c:kill:a' },
      { text: 'too long', data: `c:kill:${'x'.repeat(60)}` },
      { text: 'multibyte too long', data: `n:${'é'.repeat(32)}` },
    ])
    expect(rows).toEqual([[{ text: 'ok', data: 'c:kill:a' }]])
    const many = buttonRows(Array.from({ length: 50 }, (_, i) => ({ text: `s${i}`, data: `c:kill:${i}` })))
    expect(many).toHaveLength(MAX_BUTTONS)
  })
})

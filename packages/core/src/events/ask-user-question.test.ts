import { describe, expect, it } from 'vitest'
import { askUserQuestionText, parseAskUserQuestion } from './ask-user-question.js'

const COLOR = { question: 'Which color?', header: 'Color', options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cool' }], multiSelect: false }

describe('parseAskUserQuestion', () => {
  it('reads questions with labelled options and distinct texts, any number of them (a notifier sets its own limits)', () => {
    expect(parseAskUserQuestion({ questions: [COLOR] })).toEqual([COLOR])
    const five = Array.from({ length: 5 }, (_, i) => ({ ...COLOR, question: `${i}?` }))
    expect(parseAskUserQuestion({ questions: five })).toHaveLength(5)
    expect(parseAskUserQuestion({ questions: [{ question: 'Q?', options: [{ label: 'A' }] }] })).toEqual([{ question: 'Q?', header: '', multiSelect: false, options: [{ label: 'A', description: '' }] }])
  })

  it('is null for what cannot be answered: no questions, equal texts, an empty text, no options, an unlabelled option, not an object', () => {
    for (const bad of [null, 'x', {}, { questions: [] }, { questions: [COLOR, COLOR] }, { questions: [{ question: '', options: [{ label: 'A' }] }] }, { questions: [{ question: 'Q?', options: [] }] }, { questions: [{ question: 'Q?', options: [{ label: '' }] }] }, { questions: ['Q?'] }]) {
      expect(parseAskUserQuestion(bad)).toBeNull()
    }
  })
})

describe('askUserQuestionText', () => {
  it('each question with its numbered options, as plain text; null without questions', () => {
    expect(askUserQuestionText({ questions: [COLOR, { question: 'Sure?', options: ['yes', { label: 'no' }] }] })).toBe('Which color?\n1. Red\n2. Blue\n\nSure?\n1. yes\n2. no')
    expect(askUserQuestionText({ questions: [] })).toBeNull()
    expect(askUserQuestionText(null)).toBeNull()
  })
})

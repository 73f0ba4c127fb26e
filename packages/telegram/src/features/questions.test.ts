import { describe, expect, it } from 'vitest'
import type { Button } from '../control.js'
import type { FormattedMessage } from './format.js'
import { askedQuestions, Questions, type QuestionRequest } from './questions.js'

const SESSION = { id: 'a1a1a1a1', name: 'alpha', workingDir: '/w' }
const COLOR = { question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cool' }] }

/** Questions with recorded posts and edits, a timer fired by hand, and ids q1, q2, … */
function setup(options: { shown?: boolean } = {}) {
  const posts: Array<{ message: FormattedMessage; buttons: Button[][]; key: string }> = []
  const edits: Array<{ key: string; message: FormattedMessage; buttons: Button[][] | null }> = []
  const timers: Array<{ ms: number; work: () => void; cancelled: boolean }> = []
  let n = 0
  const questions = new Questions({
    waitMs: 120_000,
    timer: (ms, work) => {
      const t = { ms, work, cancelled: false }
      timers.push(t)
      return { cancel: () => void (t.cancelled = true) }
    },
    post: (_r, message, buttons, key) => (posts.push({ message, buttons, key }), options.shown ?? true),
    edit: (_r, key, message, buttons) => void edits.push({ key, message, buttons }),
    nextId: () => `q${++n}`,
  })
  const ask = (...qs: object[]) => questions.request({ session: SESSION, toolInput: { questions: qs } } satisfies QuestionRequest)
  return { questions, posts, edits, timers, ask }
}

describe('askedQuestions', () => {
  it('takes 1 to 4 questions with labelled options and distinct texts', () => {
    expect(askedQuestions({ questions: [COLOR] })).toEqual([COLOR])
    expect(askedQuestions({ questions: [{ question: 'Q?', options: [{ label: 'A' }] }] })).toEqual([{ question: 'Q?', header: '', multiSelect: false, options: [{ label: 'A', description: '' }] }])
    for (const bad of [null, {}, { questions: [] }, { questions: [COLOR, COLOR] }, { questions: Array(5).fill(COLOR).map((q, i) => ({ ...q, question: `${i}` })) },
      { questions: [{ question: '', options: [{ label: 'A' }] }] }, { questions: [{ question: 'Q?', options: [] }] }, { questions: [{ question: 'Q?', options: [{ label: '' }] }] }, { questions: ['Q?'] }]) {
      expect(askedQuestions(bad)).toBeNull()
    }
  })
})

describe('Questions', () => {
  it('no answer within the wait: resolves null and the message says to answer in the terminal', async () => {
    const s = setup()
    const { answer } = s.ask(COLOR)
    expect(s.questions.waiting).toBe(1)
    expect(s.timers[0]!.ms).toBe(120_000)
    s.timers[0]!.work()
    expect(await answer).toBeNull()
    expect(s.questions.waiting).toBe(0)
    expect(s.edits.at(-1)).toMatchObject({ key: 'ask:q1', buttons: null })
    expect(s.edits.at(-1)!.message.text.endsWith('No answer within 120 s: answer in the terminal.')).toBe(true)
    expect(s.questions.press('q:q1:0:0', '@alice')).toBe('Already answered.')
  })

  it('not shown (turned off, quiet hours): nobody waits', async () => {
    const s = setup({ shown: false })
    expect(await s.ask(COLOR).answer).toBeNull()
    expect(s.questions.waiting).toBe(0)
    expect(s.timers).toEqual([])
  })

  it('not questions it can show: nothing is posted', async () => {
    const s = setup()
    expect(await s.ask({ question: 'Q?', options: [] }).answer).toBeNull()
    expect(s.posts).toEqual([])
  })

  it('presses: unknown data, a stale question, an option out of range', async () => {
    const s = setup()
    const { answer } = s.ask(COLOR, { ...COLOR, question: 'And the border?' })
    expect(s.questions.press('q:q1', '@alice')).toBe('Unknown button.')
    expect(s.questions.press('q:q1:0:9', '@alice')).toBe('Unknown button.')
    expect(s.questions.press('q:q1:1:0', '@alice')).toBe('That question has its answer already.')
    expect(s.questions.press('q:q1:0:1', '@alice')).toBe('Answered: Blue')
    expect(s.questions.press('q:q1:0:0', '@alice')).toBe('That question has its answer already.')
    expect(s.posts[0]!.buttons.flat().map((b) => b.data)).toEqual(['q:q1:0:0', 'q:q1:0:1'])
    expect(s.edits.at(-1)!.buttons!.flat().map((b) => b.data)).toEqual(['q:q1:1:0', 'q:q1:1:1'])
    expect(s.questions.answerText('someone-else', 'Red', '@bob')).toBe(false)
    expect(s.questions.answerText(SESSION.id, '   ', '@bob')).toBe(false)
    expect(s.questions.answerText(SESSION.id, ' Red, thin ', '@bob')).toBe(true)
    const done = await answer
    expect(done).toMatchObject({ by: '@bob', answers: { 'Which color?': 'Blue', 'And the border?': 'Red, thin' } })
    expect(s.edits.at(-1)!.message.html).toContain('<i>Answered by @bob</i>')
  })

  it('the terminal first, or the server stopping: every waiting request resolves null', async () => {
    const s = setup()
    const first = s.ask(COLOR).answer
    const second = s.ask({ ...COLOR, question: 'Other?' }).answer
    s.questions.lapseSession('not-this-one', 'terminal')
    expect(s.questions.waiting).toBe(2)
    s.questions.lapseSession(SESSION.id, 'terminal')
    expect(await first).toBeNull()
    expect(s.edits.at(-1)!.message.text.endsWith('Answered in the terminal.')).toBe(true)
    const third = s.ask(COLOR).answer
    s.questions.stop()
    expect(await second).toBeNull()
    expect(await third).toBeNull()
    expect(s.timers.every((t) => t.cancelled)).toBe(true)
  })

  it('HTML in questions and answers is escaped', () => {
    const s = setup()
    s.ask({ question: 'Use <b>bold</b> & co?', header: 'H<1>', multiSelect: false, options: [{ label: '<yes>', description: 'a & b' }] })
    expect(s.posts[0]!.message.html).toContain('<b>H&lt;1&gt;: Use &lt;b&gt;bold&lt;/b&gt; &amp; co?</b>')
    expect(s.posts[0]!.message.html).toContain('1. &lt;yes&gt; — a &amp; b')
    s.questions.press('q:q1:0:0', '@alice')
    expect(s.edits.at(-1)!.message.html).toContain('→ <b>&lt;yes&gt;</b>')
  })
})

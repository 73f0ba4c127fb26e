import { parseAskUserQuestion, type AskedQuestion } from '@claude-sessions/core'
import type { Button } from '../control.js'
import { escapeHtml, type FormattedMessage } from './format.js'
import { HeldRequests, type Held } from '../state/held-requests.js'

/** An AskUserQuestion call's PermissionRequest, to be answered from Telegram. */
export interface QuestionRequest {
  session: { id: string; name: string | null; workingDir: string }
  /** The tool input: `{ questions: [...] }` (1–4 questions). */
  toolInput: unknown
}

/** What the questions' answers became: the PermissionRequest hook's reply. */
export interface QuestionAnswer {
  by: string
  answers: Record<string, string>
  reply: Record<string, unknown>
}

export interface QuestionsDeps {
  /** How long a request waits for its answers. */
  waitMs: number
  timer: (ms: number, work: () => void) => { cancel(): void }
  /** Posts the questions (with buttons) in the session's topic, known by `key` afterwards. False when not shown now. */
  post: (request: QuestionRequest, message: FormattedMessage, buttons: Button[][], key: string) => boolean
  /** Replaces the message (by its key); `buttons` null removes them. */
  edit: (request: QuestionRequest, key: string, message: FormattedMessage, buttons: Button[][] | null) => void
  /** Ids for callback data: short and unique in this process. */
  nextId: () => string
}

interface Pending extends Held<QuestionAnswer> {
  request: QuestionRequest
  questions: AskedQuestion[]
  /** Per question, once answered: an option's label, the chosen labels joined with ", ", or own text. */
  answers: Array<string | undefined>
  /** Per question: the options ticked so far (multiple choice). */
  ticked: Array<Set<number>>
}

/** Callback data: `q:<id>:<question>:<option>` (choose or tick) and `q:<id>:<question>:ok` (done ticking). */
const DATA = /^q:([A-Za-z0-9]{1,40}):(\d):(\d{1,2}|ok)$/
const MAX_QUESTIONS = 4
const MAX_OPTIONS = 10
const TEXT_SHOWN = 600

const clip = (text: string, max = TEXT_SHOWN) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The questions of an AskUserQuestion input; null when it is not one this can show as buttons (1–4 questions, 1–10 options each). */
export function askedQuestions(toolInput: unknown): AskedQuestion[] | null {
  const questions = parseAskUserQuestion(toolInput)
  if (questions === null || questions.length > MAX_QUESTIONS || questions.some((q) => q.options.length > MAX_OPTIONS)) return null
  return questions
}

/**
 * AskUserQuestion answered from Telegram. `request` posts the questions with a button per option
 * (ticks and Done for multiple choice) and resolves, once every question has an answer, with a
 * PermissionRequest reply that allows the tool with the answers filled in (`updatedInput.answers`,
 * keyed by question text). Text written in the topic meanwhile answers the current question in
 * the person's own words. Like approvals, it resolves with null after `waitMs`, when the terminal
 * answered first, or when the hook gave up; the first answer wins.
 */
export class Questions extends HeldRequests<QuestionAnswer, Pending> {
  constructor(private readonly deps: QuestionsDeps) {
    super(deps, DATA)
  }

  /** Posts the questions and waits for their answers (null: none from Telegram, or not questions it can show). */
  request(request: QuestionRequest): { id: string; posted: boolean; answer: Promise<QuestionAnswer | null> } {
    const id = this.deps.nextId()
    const questions = askedQuestions(request.toolInput)
    if (questions === null) return { id, posted: false, answer: Promise.resolve(null) }
    const p: Omit<Pending, 'resolve' | 'timer'> = { id, request, questions, answers: questions.map(() => undefined), ticked: questions.map(() => new Set<number>()) }
    const { message, buttons } = render(p, null)
    if (!this.deps.post(request, message, buttons, keyOf(id))) return { id, posted: false, answer: Promise.resolve(null) }
    return { id, posted: true, answer: this.hold(p) }
  }

  /** Whether `data` is a question button's. */
  static owns(data: string): boolean {
    return data.startsWith('q:')
  }

  /** A press: answers (or ticks) the current question. */
  protected pressed(p: Pending, m: RegExpExecArray, by: string): string {
    const index = Number(m[2])
    if (index !== current(p)) return 'That question has its answer already.'
    const question = p.questions[index]!
    if (m[3] === 'ok') {
      const ticked = [...p.ticked[index]!].sort((a, b) => a - b)
      if (ticked.length === 0) return 'Tick at least one, or write your own answer.'
      return this.answer(p, ticked.map((i) => question.options[i]!.label).join(', '), by)
    }
    const option = question.options[Number(m[3])]
    if (option === undefined) return 'Unknown button.'
    if (!question.multiSelect) return this.answer(p, option.label, by)
    const ticked = p.ticked[index]!
    const on = !ticked.delete(Number(m[3]))
    if (on) ticked.add(Number(m[3]))
    this.show(p)
    return on ? `Ticked ${option.label}` : `Unticked ${option.label}`
  }

  /** Text written for the session: the answer to its oldest waiting question, if any. */
  answerText(sessionId: string, text: string, by: string): boolean {
    const p = [...this.pending.values()].find((x) => x.request.session.id === sessionId)
    if (p === undefined || text.trim() === '') return false
    this.answer(p, text.trim(), by)
    return true
  }

  private answer(p: Pending, answer: string, by: string): string {
    p.answers[current(p)] = answer
    if (current(p) >= 0) {
      this.show(p)
      return `Answered: ${clip(answer, 100)}`
    }
    const answers = Object.fromEntries(p.questions.map((q, i) => [q.question, p.answers[i]!]))
    const input = p.request.toolInput as Record<string, unknown>
    const reply = { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedInput: { ...input, answers } } } }
    this.settle(p, { by, answers, reply }, `Answered by ${by}`)
    return `Answered: ${clip(answer, 100)}`
  }

  private show(p: Pending): void {
    const { message, buttons } = render(p, null)
    this.deps.edit(p.request, keyOf(p.id), message, buttons)
  }

  protected finish(p: Pending, outcome: string): void {
    this.deps.edit(p.request, keyOf(p.id), render(p, outcome).message, null)
  }
}

const keyOf = (id: string) => `ask:${id}`

/** The first question without an answer; -1 when all have one. */
const current = (p: Pick<Pending, 'answers'>) => p.answers.findIndex((a) => a === undefined)

/** The questions, their options and the answers so far; buttons for the current question (none once `outcome` is set). */
function render(p: Omit<Pending, 'resolve' | 'timer'>, outcome: string | null): { message: FormattedMessage; buttons: Button[][] } {
  const title = p.questions.length === 1 ? 'Question' : `Questions (${p.questions.length})`
  const text: string[] = [title]
  const html: string[] = [`<b>${title}</b>`]
  p.questions.forEach((q, i) => {
    const head = `${q.header === '' ? '' : `${clip(q.header, 60)}: `}${clip(q.question)}${q.multiSelect ? ' (tick any)' : ''}`
    const options = q.options.map((o, j) => `${j + 1}. ${clip(o.label, 100)}${o.description === '' ? '' : ` — ${clip(o.description, 200)}`}`)
    const answer = p.answers[i]
    text.push('', head, ...options, ...(answer === undefined ? [] : [`→ ${clip(answer)}`]))
    html.push('', `<b>${escapeHtml(head)}</b>`, ...options.map(escapeHtml), ...(answer === undefined ? [] : [`→ <b>${escapeHtml(clip(answer))}</b>`]))
  })
  const footer = outcome ?? 'Tap an answer, or write your own in this topic.'
  text.push('', footer)
  html.push('', `<i>${escapeHtml(footer)}</i>`)
  const message = { text: text.join('\n'), html: html.join('\n') }
  const index = current(p)
  if (outcome !== null || index < 0) return { message, buttons: [] }
  const q = p.questions[index]!
  const rows: Button[][] = q.options.map((o, j) => [
    { text: `${q.multiSelect ? (p.ticked[index]!.has(j) ? '☑ ' : '☐ ') : ''}${clip(o.label, 60)}`, data: `q:${p.id}:${index}:${j}` },
  ])
  if (q.multiSelect) rows.push([{ text: 'Done', data: `q:${p.id}:${index}:ok` }])
  return { message, buttons: rows }
}

/** One question as Claude Code's AskUserQuestion tool asks it. */
export interface AskedQuestion {
  question: string
  header: string
  options: Array<{ label: string; description: string }>
  multiSelect: boolean
}

/** The name of the tool whose input {@link parseAskUserQuestion} reads. */
export const ASK_USER_QUESTION = 'AskUserQuestion'

/**
 * The questions of an AskUserQuestion tool input (`{ questions: [...] }`), or null when it is not
 * one that can be answered: every question needs its text and labelled options, and no two may
 * share a text (answers are keyed by it). How many a notifier can show is the notifier's limit.
 */
export function parseAskUserQuestion(toolInput: unknown): AskedQuestion[] | null {
  const raw = (toolInput as { questions?: unknown } | null)?.questions
  if (!Array.isArray(raw) || raw.length === 0) return null
  const out: AskedQuestion[] = []
  for (const q of raw as Array<Record<string, unknown> | null>) {
    if (typeof q?.question !== 'string' || q.question === '' || !Array.isArray(q.options)) return null
    const options = (q.options as Array<Record<string, unknown> | null>).map((o) => ({
      label: typeof o?.label === 'string' ? o.label : '',
      description: typeof o?.description === 'string' ? o.description : '',
    }))
    if (options.length === 0 || options.some((o) => o.label === '')) return null
    out.push({ question: q.question, header: typeof q.header === 'string' ? q.header : '', options, multiSelect: q.multiSelect === true })
  }
  // answers are keyed by the question's text: two equal texts could not both be answered
  return new Set(out.map((q) => q.question)).size === out.length ? out : null
}

/**
 * The questions of an AskUserQuestion input as plain text, each with its numbered options; null
 * when the input holds none. Lenient (an option without a label shows as it is): this is what a
 * person reads when the questions can't be answered with buttons.
 */
export function askUserQuestionText(toolInput: unknown): string | null {
  const questions = (toolInput as { questions?: unknown } | null)?.questions
  if (!Array.isArray(questions) || questions.length === 0) return null
  return questions
    .map((q: { question?: unknown; options?: unknown }) => {
      const options = Array.isArray(q.options) ? q.options.map((o: { label?: unknown }, i) => `${i + 1}. ${String(o?.label ?? o)}`).join('\n') : ''
      return `${String(q.question ?? '')}${options ? `\n${options}` : ''}`
    })
    .join('\n\n')
}

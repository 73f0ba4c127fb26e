import type { DecisionDto, DecisionEndDto } from '@claude-sessions/api/client'
import { useState } from 'preact/hooks'
import { WEB_HEADERS } from './transport.js'

type Verdict = 'allow' | 'always' | 'deny' | 'answer'

async function decide(id: string, verdict: Verdict, answers?: Record<string, string>): Promise<string | null> {
  const res = await fetch(`/api/web/decisions/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...WEB_HEADERS },
    body: JSON.stringify(answers === undefined ? { verdict } : { verdict, answers }),
  })
  if (res.ok) return null
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
  return body?.error?.message ?? `HTTP ${res.status}`
}

/** What the tool would do: its command, its file, or its input as JSON. */
function inputOf(d: DecisionDto): string {
  const input = d.toolInput as Record<string, unknown> | null
  if (typeof input?.command === 'string') return input.command
  if (typeof input?.file_path === 'string') return input.file_path
  return JSON.stringify(d.toolInput ?? {}, null, 1)
}

function Questions({ d, onError }: { d: DecisionDto; onError: (m: string | null) => void }) {
  const questions = d.questions ?? []
  const [chosen, setChosen] = useState<Record<string, string[]>>({})
  const [other, setOther] = useState<Record<string, string>>({})
  const toggle = (q: string, label: string, multi: boolean): void => {
    const now = chosen[q] ?? []
    setChosen({ ...chosen, [q]: multi ? (now.includes(label) ? now.filter((l) => l !== label) : [...now, label]) : [label] })
  }
  const answers = (): Record<string, string> =>
    Object.fromEntries(questions.map((q) => [q.question, (other[q.question] ?? '').trim() !== '' ? other[q.question]!.trim() : (chosen[q.question] ?? []).join(', ')]))
  const complete = questions.every((q) => answers()[q.question] !== '')
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        void decide(d.id, 'answer', answers()).then(onError)
      }}
    >
      {questions.map((q) => (
        <fieldset key={q.question}>
          <legend>
            {q.header !== '' ? <b>{q.header}: </b> : null}
            {q.question}
          </legend>
          {q.options.map((o) => (
            <label key={o.label} class="option">
              <input type={q.multiSelect ? 'checkbox' : 'radio'} name={`${d.id}:${q.question}`} checked={(chosen[q.question] ?? []).includes(o.label)} onChange={() => toggle(q.question, o.label, q.multiSelect)} />{' '}
              {o.label}
              {o.description !== '' ? <span class="muted"> — {o.description}</span> : null}
            </label>
          ))}
          <label class="option">
            Other: <input type="text" aria-label={`Your own answer to: ${q.question}`} value={other[q.question] ?? ''} onInput={(e) => setOther({ ...other, [q.question]: (e.target as HTMLInputElement).value })} />
          </label>
        </fieldset>
      ))}
      <button type="submit" disabled={!complete}>
        Answer
      </button>
    </form>
  )
}

function Pending({ d, showSession }: { d: DecisionDto; showSession: boolean }) {
  const [error, setError] = useState<string | null>(null)
  const press = (verdict: Verdict) => () => void decide(d.id, verdict).then(setError)
  const title = d.kind === 'question' ? 'Question' : `Permission: ${d.toolName}`
  return (
    <li class="decision" aria-label={`${title} for ${d.sessionName ?? d.sessionId}`}>
      <div class="decision-title">
        <b>{title}</b>
        {showSession ? (
          <>
            {' '}
            · <a href={`#/s/${encodeURIComponent(d.sessionId)}`}>{d.sessionName ?? d.sessionId}</a>
          </>
        ) : null}
      </div>
      {d.kind === 'question' ? (
        <Questions d={d} onError={setError} />
      ) : (
        <>
          <pre class="tool-input">{inputOf(d)}</pre>
          <div class="actions">
            <button type="button" onClick={press('allow')}>
              Allow
            </button>
            {d.canAlwaysAllow ? (
              <button type="button" onClick={press('always')}>
                Always allow
              </button>
            ) : null}
            <button type="button" class="danger" onClick={press('deny')}>
              Deny
            </button>
          </div>
        </>
      )}
      {error !== null ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
    </li>
  )
}

/**
 * The approval queue: each held request with its buttons (the same request Telegram shows:
 * whoever answers first wins), and for a while after, how each one ended and who decided.
 */
export function Approvals({ decisions, ended, sessionId }: { decisions: ReadonlyMap<string, DecisionDto>; ended: ReadonlyMap<string, { decision: DecisionDto; end: DecisionEndDto }>; sessionId?: string }) {
  const mine = (d: DecisionDto): boolean => sessionId === undefined || d.sessionId === sessionId
  const waiting = [...decisions.values()].filter(mine)
  const done = [...ended.values()].filter((e) => mine(e.decision))
  if (waiting.length === 0 && done.length === 0) return null
  return (
    <section aria-label="Waiting for you" class="approvals">
      <h2>Waiting for you</h2>
      <ul class="plain">
        {waiting.map((d) => (
          <Pending key={d.id} d={d} showSession={sessionId === undefined} />
        ))}
        {done.map(({ decision, end }) => (
          <li key={decision.id} class="decision ended" role="status">
            {decision.kind === 'question' ? 'Question' : `Permission: ${decision.toolName}`} · {decision.sessionName ?? decision.sessionId}: {end.text}
          </li>
        ))}
      </ul>
    </section>
  )
}

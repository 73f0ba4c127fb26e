import type { EventDto, MessageDto, SessionDto, ToolEventDto } from '@claude-sessions/api/client'
import { lazy, Suspense } from 'preact/compat'
import { useEffect, useState } from 'preact/hooks'
import { api } from './api.js'
import { displayName, duration, needsPerson, stateWord } from './format.js'
import { SessionActions } from './session-actions.js'

const TerminalPanel = lazy(() => import('./terminal.js').then((m) => ({ default: m.TerminalPanel })))

type Mode = 'sequential' | 'important' | 'urgent'

interface Details {
  lastMessage: string | null
  events: EventDto[]
  tools: ToolEventDto[]
  messages: MessageDto[]
}

/** What the page shows next to the terminal, fetched again whenever the session changes (pushed). */
function useDetails(id: string, version: string | undefined): Details | null {
  const [details, setDetails] = useState<Details | null>(null)
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      Promise.all([api.lastMessage(id), api.events(id, { limit: 30 }), api.sessionTools(id, 30), api.messages(id, { limit: 30 })]).then(
        ([last, events, tools, messages]) => {
          if (current) setDetails({ lastMessage: last.message, events: events.events, tools: tools.tools, messages: messages.messages })
        },
        () => undefined,
      )
    }, 150)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [id, version])
  return details
}

function SendBox({ id }: { id: string }) {
  const [text, setText] = useState('')
  const [mode, setMode] = useState<Mode>('sequential')
  const [outcome, setOutcome] = useState<string | null>(null)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    if (text.trim() === '') return
    setOutcome('Sending…')
    try {
      const r = await api.send(id, text, mode)
      setOutcome(r.status === 'delivered' ? 'Delivered' : 'Queued: it goes when the session can take it')
      setText('')
    } catch (error) {
      setOutcome(`Not sent: ${(error as Error).message}`)
    }
  }
  return (
    <form class="send" onSubmit={(e) => void submit(e)} aria-label="Send a message">
      <textarea aria-label="Message" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} rows={2} />
      <select aria-label="Mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as Mode)}>
        <option value="sequential">sequential</option>
        <option value="important">important</option>
        <option value="urgent">urgent</option>
      </select>
      <button type="submit">Send</button>
      {outcome !== null ? <span role="status">{outcome}</span> : null}
    </form>
  )
}

const clock = (iso: string): string => new Date(iso).toLocaleTimeString()

export function SessionPage({ id, session, now, descendants }: { id: string; session: SessionDto | undefined; now: number; descendants: number }) {
  const details = useDetails(id, session === undefined ? undefined : `${session.state}|${session.lastActivityAt}|${session.lastTool}`)
  if (session === undefined) return <p class="notice">No session {id} on the wall (it may have stopped over an hour ago).</p>
  return (
    <article class="session-page" aria-label={`Session ${displayName(session)}`}>
      <h1>
        {displayName(session)} <span class="id">{session.id}</span>{' '}
        <span class={needsPerson(session) ? 'state needs' : 'state'}>{stateWord(session)}</span>{' '}
        <span class="since">{duration(now - Date.parse(session.stateSince))}</span>
      </h1>
      <SessionActions session={session} descendants={descendants} />
      <p class="meta">
        {session.workingDir}
        {session.currentTask !== null ? ` · task: ${session.currentTask}` : ''}
        {session.lastTool !== null ? ` · tool: ${session.lastTool}` : ''}
      </p>
      {session.tmuxSession !== null && session.state !== 'stopped' ? (
        <Suspense fallback={<p class="notice">Loading the terminal…</p>}>
          <TerminalPanel sessionId={session.id} />
        </Suspense>
      ) : (
        <p class="notice">{session.state === 'stopped' ? 'Stopped: no terminal.' : 'Not started by sm: no terminal here.'}</p>
      )}
      {session.tmuxSession !== null && session.state !== 'stopped' ? <SendBox id={session.id} /> : null}
      <section aria-label="Last message">
        <h2>Last message</h2>
        <pre class="last-message">{details?.lastMessage ?? '—'}</pre>
      </section>
      <section aria-label="Messages">
        <h2>Messages</h2>
        <ul class="plain">
          {(details?.messages ?? []).map((m) => (
            <li key={m.id}>
              <span class={`msg-${m.status}`}>{m.status}</span> {m.mode} · {m.senderName ?? 'operator'}: {m.text.slice(0, 200)}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Tool audit">
        <h2>Tools</h2>
        <ul class="plain">
          {(details?.tools ?? []).map((t) => (
            <li key={t.id} class={t.destructive || t.sensitive ? 'flagged' : ''}>
              {clock(t.at)} {t.event} {t.toolName ?? ''} {(t.command ?? t.targetFile ?? '').slice(0, 160)}
              {t.destructive ? ` · destructive${t.category !== null ? ` (${t.category})` : ''}` : ''}
              {t.sensitive ? ' · sensitive' : ''} {t.decision !== null ? ` · ${t.decision}${t.decidedBy !== null ? ` by ${t.decidedBy}` : ''}` : ''}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Events">
        <h2>Events</h2>
        <ul class="plain">
          {(details?.events ?? []).map((e) => (
            <li key={e.id}>
              {clock(e.at)} {e.event}
              {e.toolName !== null ? ` ${e.toolName}` : ''}
              {e.notificationType !== null ? ` (${e.notificationType})` : ''}
            </li>
          ))}
        </ul>
      </section>
    </article>
  )
}

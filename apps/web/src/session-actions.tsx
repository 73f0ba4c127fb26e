import type { SessionDto } from '@claude-sessions/api/client'
import { useState } from 'preact/hooks'
import { api } from './api.js'
import { displayName } from './format.js'

type Action = 'kill' | 'interrupt' | 'clear'

const QUESTION: Record<Action, (s: SessionDto, children: number) => string> = {
  kill: (s, children) => `Kill ${displayName(s)}${children > 0 ? ` and its ${children} descendant${children === 1 ? '' : 's'}` : ''}? Their agents stop.`,
  interrupt: (s) => `Interrupt ${displayName(s)}? Its current turn stops (Escape).`,
  clear: (s) => `Clear ${displayName(s)}? Its conversation starts over (/clear).`,
}

/** Kill (with its subtree), interrupt and clear, each after a confirmation. */
export function SessionActions({ session, descendants }: { session: SessionDto; descendants: number }) {
  const [asking, setAsking] = useState<Action | null>(null)
  const [outcome, setOutcome] = useState<string | null>(null)
  const live = session.state !== 'stopped' && session.tmuxSession !== null
  if (!live && outcome === null) return null
  const run = async (action: Action): Promise<void> => {
    setAsking(null)
    setOutcome(`${action}…`)
    try {
      if (action === 'kill') {
        const r = await api.killTree(session.id)
        setOutcome(`Killed ${r.sessions.length} session${r.sessions.length === 1 ? '' : 's'}`)
      } else if (action === 'interrupt') {
        await api.key(session.id, 'Escape')
        setOutcome('Interrupted')
      } else {
        await api.clear(session.id)
        setOutcome('Cleared')
      }
    } catch (error) {
      setOutcome(`Could not ${action}: ${(error as Error).message}`)
    }
  }
  return (
    <div class="actions">
      {!live ? null : asking === null ? (
        <>
          <button type="button" onClick={() => setAsking('interrupt')}>
            Interrupt
          </button>
          <button type="button" onClick={() => setAsking('clear')}>
            Clear
          </button>
          <button type="button" class="danger" onClick={() => setAsking('kill')}>
            Kill
          </button>
        </>
      ) : (
        <div role="alertdialog" aria-label="Confirm" class="confirm">
          <span>{QUESTION[asking](session, descendants)}</span>
          <button type="button" class="danger" onClick={() => void run(asking)}>
            Confirm
          </button>
          <button type="button" onClick={() => setAsking(null)}>
            Cancel
          </button>
        </div>
      )}
      {outcome !== null ? <span role="status">{outcome}</span> : null}
    </div>
  )
}

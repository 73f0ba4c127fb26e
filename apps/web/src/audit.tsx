import type { ToolEventDto, ToolsQuery } from '@claude-sessions/api/client'
import { useEffect, useState } from 'preact/hooks'
import { api } from './api.js'

interface Filters {
  session: string
  tool: string
  category: string
  flagged: 'any' | 'destructive' | 'sensitive'
  decision: 'any' | 'denied'
  since: '1h' | '24h' | '7d' | ''
}

const NONE: Filters = { session: '', tool: '', category: '', flagged: 'any', decision: 'any', since: '24h' }
const LIMIT = 200

/** The server-side part of the filters (the same as `sm tools`); category is matched here. */
function query(f: Filters): Omit<ToolsQuery, 'limit' | 'since' | 'until'> {
  return {
    ...(f.session !== '' ? { session: f.session } : {}),
    ...(f.tool !== '' ? { tool: f.tool } : {}),
    ...(f.flagged === 'destructive' ? { destructive: true } : f.flagged === 'sensitive' ? { sensitive: true } : {}),
    ...(f.decision === 'denied' ? { denied: true } : {}),
  }
}

const matchesCategory = (f: Filters, t: ToolEventDto): boolean => f.category === '' || (t.category ?? '').includes(f.category)

function AuditRow({ t }: { t: ToolEventDto }) {
  const flags = [t.destructive ? `destructive${t.category !== null ? ` (${t.category})` : ''}` : '', t.sensitive ? 'sensitive' : ''].filter(Boolean).join(', ')
  return (
    <tr class={t.destructive || t.sensitive ? 'flagged' : ''}>
      <td>{new Date(t.at).toLocaleString()}</td>
      <td>
        <a href={`#/s/${encodeURIComponent(t.sessionId)}`}>{t.sessionName ?? t.sessionId}</a>
      </td>
      <td>{t.event}</td>
      <td>{t.toolName ?? ''}</td>
      <td class="what">{(t.command ?? t.targetFile ?? '').slice(0, 300)}</td>
      <td>{flags}</td>
      <td>{t.decision !== null ? `${t.decision}${t.decidedBy !== null ? ` (${t.decidedBy})` : ''}` : t.decidedBy !== null ? `none (${t.decidedBy})` : ''}</td>
    </tr>
  )
}

/**
 * Every tool event, with the filters of `sm tools`, live: the newest `LIMIT` matching rows first,
 * then each new one as it happens (the server's `/tools/stream`, with the same filters).
 */
export function AuditView() {
  const [filters, setFilters] = useState<Filters>(NONE)
  const [rows, setRows] = useState<ToolEventDto[]>([])
  const [status, setStatus] = useState('Loading…')
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    let current = true
    const q = query(filters)
    const stream = api.streamTools(q, (t) => {
      if (current && matchesCategory(filters, t)) setRows((r) => [t, ...r.filter((x) => x.id !== t.id)].slice(0, LIMIT))
    })
    // a dropped stream: say so, and subscribe again (then load again) a second later
    let retry: ReturnType<typeof setTimeout> | undefined
    stream.done.catch(() => {
      if (!current) return
      setStatus('Connection lost — reconnecting')
      retry = setTimeout(() => setAttempt((n) => n + 1), 1_000)
    })
    stream.ready
      .then(() => api.tools({ ...q, limit: LIMIT, ...(filters.since !== '' ? { since: filters.since } : {}) }))
      .then(
      (r) => {
        if (!current) return
        // the stream may have brought some already: one row per event, newest first
        setRows((live) => {
          const seen = new Set(live.map((t) => t.id))
          return [...live, ...r.tools.filter((t) => !seen.has(t.id) && matchesCategory(filters, t))].sort((a, b) => b.id - a.id).slice(0, LIMIT)
        })
        setStatus('live')
      },
      (error: unknown) => current && setStatus(`Could not load: ${(error as Error).message}`),
    )
    return () => {
      current = false
      clearTimeout(retry)
      stream.close()
      setRows([])
    }
  }, [filters, attempt])
  const set = (key: keyof Filters) => (e: Event) => setFilters({ ...filters, [key]: (e.target as HTMLInputElement | HTMLSelectElement).value })
  return (
    <section aria-label="Tool audit" class="audit">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Session <input value={filters.session} onChange={set('session')} placeholder="name or id" />
        </label>
        <label>
          Tool <input value={filters.tool} onChange={set('tool')} placeholder="Bash, Edit…" />
        </label>
        <label>
          Category <input value={filters.category} onChange={set('category')} placeholder="git, fs…" />
        </label>
        <label>
          Flagged
          <select value={filters.flagged} onChange={set('flagged')}>
            <option value="any">any</option>
            <option value="destructive">destructive</option>
            <option value="sensitive">sensitive</option>
          </select>
        </label>
        <label>
          Decision
          <select value={filters.decision} onChange={set('decision')}>
            <option value="any">any</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <label>
          Since
          <select value={filters.since} onChange={set('since')}>
            <option value="1h">1 hour</option>
            <option value="24h">24 hours</option>
            <option value="7d">7 days</option>
            <option value="">all</option>
          </select>
        </label>
        <span role="status">{status}</span>
      </form>
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Session</th>
            <th>Event</th>
            <th>Tool</th>
            <th>Command or file</th>
            <th>Flags</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <AuditRow key={t.id} t={t} />
          ))}
        </tbody>
      </table>
    </section>
  )
}

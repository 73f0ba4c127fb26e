import type { SessionDto } from '@claude-sessions/api/client'
import { useState } from 'preact/hooks'
import { displayName, duration, needsPerson, projectOf, stateWord, wallOrder } from './format.js'
import type { WallState } from './wall-store.js'

function SessionRow({ s, now, children, depth }: { s: SessionDto; now: number; children: number; depth: number }) {
  const word = stateWord(s)
  const since = Date.parse(s.stateSince)
  return (
    <li
      class={`session state-${s.state}${needsPerson(s) ? ' needs-person' : ''}`}
      aria-label={`${displayName(s)} ${word}`}
      style={depth > 0 ? { paddingLeft: `${depth * 1.5}em` } : undefined}
    >
      <a href={`#/s/${encodeURIComponent(s.id)}`} class="name">
        {displayName(s)}
      </a>
      <span class="id">{s.id.length > 8 ? s.id.slice(0, 8) : s.id}</span>
      <span class="state">
        {needsPerson(s) ? <span class="mark" aria-hidden="true">●</span> : null}
        {word}
      </span>
      <span class="since" title="time in this state">
        {duration(now - since)}
      </span>
      <span class="tool">{s.lastTool ?? ''}</span>
      <span class="task">{s.currentTask ?? ''}</span>
      <span class="dir" title={s.workingDir}>
        {projectOf(s.workingDir)}
      </span>
      <span class="children">{children > 0 ? `${children} child${children === 1 ? '' : 'ren'}` : ''}</span>
    </li>
  )
}

/** Parents first, each followed by its children (indented), in wall order within each level. */
function treeOrder(sessions: SessionDto[]): { s: SessionDto; depth: number }[] {
  const ids = new Set(sessions.map((s) => s.id))
  const byParent = new Map<string | null, SessionDto[]>()
  for (const s of sessions) {
    const parent = s.parentId !== null && ids.has(s.parentId) ? s.parentId : null
    byParent.set(parent, [...(byParent.get(parent) ?? []), s])
  }
  const out: { s: SessionDto; depth: number }[] = []
  const visit = (parent: string | null, depth: number): void => {
    for (const s of (byParent.get(parent) ?? []).sort(wallOrder)) {
      out.push({ s, depth })
      visit(s.id, depth + 1)
    }
  }
  visit(null, 0)
  return out
}

export function Wall({ wall, now }: { wall: WallState; now: number }) {
  const [tree, setTree] = useState(false)
  const sessions = [...wall.sessions.values()]
  const childCount = new Map<string, number>()
  for (const s of sessions) if (s.parentId !== null && s.state !== 'stopped') childCount.set(s.parentId, (childCount.get(s.parentId) ?? 0) + 1)
  const rows = tree ? treeOrder(sessions) : sessions.sort(wallOrder).map((s) => ({ s, depth: 0 }))
  const waiting = sessions.filter(needsPerson).length
  return (
    <section aria-label="Sessions">
      <div class="toolbar">
        <span>
          {sessions.length} session{sessions.length === 1 ? '' : 's'}
          {waiting > 0 ? `, ${waiting} need${waiting === 1 ? 's' : ''} a person` : ''}
        </span>
        <label>
          <input type="checkbox" checked={tree} onChange={(e) => setTree((e.target as HTMLInputElement).checked)} /> Tree
        </label>
      </div>
      {rows.length === 0 ? (
        <p class="notice">No sessions yet: start one with <code>sm new</code>.</p>
      ) : (
        <ul class="wall">
          {rows.map(({ s, depth }) => (
            <SessionRow key={s.id} s={s} now={now} children={childCount.get(s.id) ?? 0} depth={depth} />
          ))}
        </ul>
      )}
    </section>
  )
}

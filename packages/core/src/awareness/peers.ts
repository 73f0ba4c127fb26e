import { SessionsError } from '../errors.js'
import { isLive, type Session } from '../session/session.js'
import { noRepo, sameRepo, type RepoIdentity } from './repo.js'

/** Another live session, and whether it works in the caller's repository. */
export interface Peer {
  session: Session
  sameRepo: boolean
}

/**
 * The live sessions other than `self` (`sm others`; `sm who` and `sm alone` with `repoOnly`),
 * those in the same repository first, then oldest first. `identity` tells a directory's
 * repository (the server's RepoInspector); each directory is asked once.
 */
export function peersOf(self: Session, all: readonly Session[], identity: (dir: string) => RepoIdentity, options: { repoOnly?: boolean } = {}): Peer[] {
  const seen = new Map<string, RepoIdentity>()
  const of = (dir: string): RepoIdentity => {
    let found = seen.get(dir)
    if (found === undefined) {
      found = dir === '' ? noRepo('') : identity(dir)
      seen.set(dir, found)
    }
    return found
  }
  const mine = of(self.workingDir)
  const peers = all
    .filter((s) => s.id !== self.id && isLive(s))
    .map((session) => ({ session, sameRepo: sameRepo(mine, of(session.workingDir)) }))
    .filter((p) => p.sameRepo || options.repoOnly !== true)
  return peers.sort((a, b) => Number(b.sameRepo) - Number(a.sameRepo) || a.session.createdAt - b.session.createdAt)
}

/** A peer's last message is cut to this many characters. */
export const PEER_MESSAGE_CHARS = 300

/** Longest task a session may set (`sm task`). */
export const MAX_TASK_LENGTH = 500

/** `sm task "<desc>"`: one line, trimmed; null when nothing is left; longer than `MAX_TASK_LENGTH` is refused. */
export function normalizeTask(task: string): string | null {
  const line = task.replace(/\s+/g, ' ').trim()
  if (line.length > MAX_TASK_LENGTH) throw new SessionsError('invalid_input', `the task is ${line.length} characters; at most ${MAX_TASK_LENGTH}`)
  return line === '' ? null : line
}

/**
 * Which sessions work in the same repository (`sm who`, `sm others`, `sm alone`). Pure: the
 * server's `RepoInspector` reads `.git` and the git config; this module decides.
 */

/** What a working directory says about its repository. */
export interface RepoIdentity {
  /** The working directory (resolved; '' when unknown). */
  dir: string
  /** The git root: the directory holding `.git` (a worktree's own top directory); null outside git. */
  root: string | null
  /** The remote's URL (origin, else the first remote); null when there is none. */
  remote: string | null
  /** The common git directory (the main repository's `.git`, shared by its linked worktrees). */
  commonDir?: string | null
}

/** The repository of a directory unknown to git: only the directory itself. */
export const noRepo = (dir: string): RepoIdentity => ({ dir, root: null, remote: null, commonDir: null })

const stripSlashes = (path: string): string => path.replace(/\/+$/, '')

/** Hosts whose owner and repository names are case-insensitive. */
const CASE_INSENSITIVE_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'dev.azure.com'])

function canonical(host: string, path: string): string | null {
  let h = host.toLowerCase().replace(/\.$/, '')
  let p = path
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+/, '')
  p = stripSlashes(p).replace(/\.git$/i, '')
  p = stripSlashes(p)
  if (h === 'ssh.dev.azure.com' || h === 'vs-ssh.visualstudio.com') {
    // git@ssh.dev.azure.com:v3/org/project/repo == https://dev.azure.com/org/project/_git/repo
    h = 'dev.azure.com'
    p = p.replace(/^v3\//i, '')
  } else if (h === 'dev.azure.com') {
    p = p.replace(/\/_git\//, '/')
  }
  if (h === '' || p === '') return null
  if (CASE_INSENSITIVE_HOSTS.has(h)) p = p.toLowerCase()
  return `${h}/${p}`
}

/**
 * A remote URL in one canonical form, `host/owner/repo`, so that the SSH and HTTPS forms of one
 * repository (and clones made either way, and their worktrees) compare equal: the scheme, the
 * user and password, the port, a trailing `.git` and slashes go; the host is lower-cased (and,
 * on GitHub, GitLab.com, Bitbucket and Azure DevOps, the path too: names there are
 * case-insensitive). `git@github.com:o/r.git`, `ssh://git@github.com:22/o/r`,
 * `https://user:pass@github.com/o/r.git/` and `https://github.com/o/r` all give `github.com/o/r`.
 * A local path (`/srv/git/r.git`, `file:///srv/git/r.git`) gives the path without `.git`.
 * Null for an empty or unreadable URL.
 */
export function normalizeGitRemote(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null
  const u = url.trim()
  if (u === '') return null
  // scheme://[user[:password]@]host[:port]/path
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(u)
  if (withScheme) {
    const scheme = withScheme[1]!.toLowerCase()
    const rest = withScheme[2]!
    if (scheme === 'file') {
      const path = rest.replace(/^[^/]*/, '') // file://host/path: the host is ignored
      return localPath(path)
    }
    const slash = rest.indexOf('/')
    const authority = slash < 0 ? rest : rest.slice(0, slash)
    const path = slash < 0 ? '' : rest.slice(slash)
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
    const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '')
    return canonical(host, decodePath(path))
  }
  // scp-like: [user@]host:path (no slash before the first colon)
  const scp = /^(?:[^@/]+@)?([^:/]+):(.*)$/.exec(u)
  if (scp && !/^[a-z]$/i.test(scp[1]!)) return canonical(scp[1]!, scp[2]!)
  return localPath(u)
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

function localPath(path: string): string | null {
  const p = stripSlashes(stripSlashes(path.replace(/\/{2,}/g, '/')).replace(/\.git$/i, ''))
  return p === '' ? null : p
}

export interface GitRemote {
  name: string
  url: string
}

const unquote = (value: string): string => {
  let out = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch === '\\' && i + 1 < value.length) {
      const next = value[++i]!
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next
    } else if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === '#' || ch === ';')) break
    else out += ch
  }
  return out.trim()
}

/**
 * The remotes in the text of a git `config` file, in file order: `[remote "name"]` sections (and
 * the old `[remote.name]` form) with their `url`. A small reader for what we need: sections,
 * `key = value` lines, quotes and escapes, `#`/`;` comments; includes are not followed.
 */
export function parseGitConfigRemotes(text: string): GitRemote[] {
  const remotes: GitRemote[] = []
  let remote: string | null = null
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)$/.exec(line)
    if (section) {
      const name = section[1]!.toLowerCase()
      if (section[2] !== undefined) remote = name === 'remote' ? section[2].replace(/\\(.)/g, '$1') : null
      else remote = name.startsWith('remote.') ? name.slice('remote.'.length) : null
      // `[remote "o"] url = x` on one line
      const rest = section[3]!.trim()
      if (rest === '' || remote === null) continue
      readKey(rest, remote, remotes)
      continue
    }
    if (remote !== null) readKey(line, remote, remotes)
  }
  return remotes
}

function readKey(line: string, remote: string, remotes: GitRemote[]): void {
  const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line)
  if (!kv || kv[1]!.toLowerCase() !== 'url' || kv[2] === undefined) return
  const url = unquote(kv[2])
  // the first url of a remote is the one fetched from
  if (url !== '' && !remotes.some((r) => r.name === remote)) remotes.push({ name: remote, url })
}

/** The URL that names the repository: `origin`'s, else the first remote's; null when none. */
export function primaryRemote(configText: string): string | null {
  const remotes = parseGitConfigRemotes(configText)
  return (remotes.find((r) => r.name === 'origin') ?? remotes[0])?.url ?? null
}

const dirKey = (dir: string | null | undefined): string | null => {
  if (typeof dir !== 'string' || dir === '') return null
  return stripSlashes(dir) || '/'
}

const sameDir = (a: string | null | undefined, b: string | null | undefined): boolean => {
  const ka = dirKey(a)
  return ka !== null && ka === dirKey(b)
}

/**
 * Whether two working directories belong to one repository: the same directory, the same git
 * root, the same common git directory (linked worktrees of one clone), or the same remote once
 * normalized (separate clones, over SSH or HTTPS).
 */
export function sameRepo(a: RepoIdentity, b: RepoIdentity): boolean {
  if (sameDir(a.dir, b.dir) || sameDir(a.root, b.root) || sameDir(a.commonDir, b.commonDir)) return true
  const ra = normalizeGitRemote(a.remote)
  return ra !== null && ra === normalizeGitRemote(b.remote)
}

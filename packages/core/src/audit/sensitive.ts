/**
 * Sensitive paths: secrets, keys, credentials and histories. Pure string matching on a
 * path or glob (no filesystem access). Returns a short label of what matched, or null.
 */

const ENV_SAFE_SUFFIXES = new Set(['example', 'examples', 'sample', 'samples', 'template', 'templates', 'dist', 'tmpl', 'tpl'])

const SECRET_FILES = new Map<string, string>([
  ['.npmrc', 'npm credentials (.npmrc)'],
  ['.pypirc', 'PyPI credentials (.pypirc)'],
  ['.netrc', 'netrc credentials'],
  ['_netrc', 'netrc credentials'],
  ['.envrc', 'direnv environment file (.envrc)'],
  ['.pgpass', 'Postgres password file (.pgpass)'],
  ['.git-credentials', 'git credentials'],
  ['.bash_history', 'shell history'],
  ['.zsh_history', 'shell history'],
  ['.sh_history', 'shell history'],
  ['.history', 'shell history'],
  ['.fish_history', 'shell history'],
  ['fish_history', 'shell history'],
  ['.psql_history', 'database client history'],
  ['.mysql_history', 'database client history'],
  ['.sqlite_history', 'database client history'],
  ['.rediscli_history', 'database client history'],
  ['.dbshell', 'database client history'],
  ['.mongosh_repl_history', 'database client history'],
  ['.python_history', 'REPL history'],
  ['.node_repl_history', 'REPL history'],
])

const KEY_NAMES = /^id_(rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)(?!.*\.pub$)/
const KEY_EXTS = ['.pem', '.key', '.p12', '.pfx']

/** The label of the sensitive thing `path` names, or null. Works on globs too (`**\/.env`). */
export function matchSensitivePath(path: string): string | null {
  if (!path) return null
  const p = path.replace(/\\/g, '/').trim()
  const lower = p.toLowerCase()
  if (/^\/etc\/(g?shadow|sudoers)(\.d(\/|$)|$|-)/.test(lower) || /^\/etc\/sudoers/.test(lower)) {
    return lower.includes('sudoers') ? '/etc/sudoers' : '/etc/shadow'
  }
  const segments = lower.split('/').filter((s) => s.length > 0)
  if (segments.length === 0) return null
  const dirs = segments.slice(0, -1)
  const base = segments[segments.length - 1]!
  if (dirs.includes('.ssh') || base === '.ssh') return 'SSH directory (.ssh)'
  if (dirs.includes('.aws') || base === '.aws') return 'AWS credentials (.aws)'
  if (dirs.includes('.gnupg') || base === '.gnupg') return 'GnuPG keyring (.gnupg)'
  if (base === 'config.json' && dirs[dirs.length - 1] === '.docker') return 'Docker credentials (.docker/config.json)'
  if (isSampleName(base)) return null
  if (base === '.env' || (base.startsWith('.env.') && !ENV_SAFE_SUFFIXES.has(base.slice(5)))) return 'environment file (.env)'
  if (KEY_NAMES.test(base)) return 'SSH private key'
  if (KEY_EXTS.some((e) => base.endsWith(e) && base.length > e.length)) return 'private key or certificate bundle'
  const known = SECRET_FILES.get(base)
  if (known) return known
  const bare = base.replace(/^\./, '')
  if (bare.startsWith('credentials')) return 'credentials file'
  if (bare.startsWith('secrets')) return 'secrets file'
  return null
}

function isSampleName(base: string): boolean {
  const parts = base.split('.')
  return parts.slice(1).some((p) => ENV_SAFE_SUFFIXES.has(p))
}

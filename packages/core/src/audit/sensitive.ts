/**
 * Sensitive paths: secrets, keys, credentials and histories. Pure string matching on a
 * path or glob (no filesystem access). Returns a short label of what matched, or null.
 * The table below is data: each entry is a test on the lower-cased path's segments.
 */

const ENV_SAFE_SUFFIXES = new Set(['example', 'examples', 'sample', 'samples', 'template', 'templates', 'dist', 'tmpl', 'tpl', 'defaults', 'schema', 'test', 'ci'])
const SOURCE_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|py|rb|go|rs|java|kt|swift|c|h|cc|cpp|cs|php|md|mdx|rst|txt\.example|html|css|scss|vue|svelte|ex|exs|scala|sh\.example|test\.\w+|spec\.\w+|snap|lock)$/

const SECRET_FILES = new Map<string, string>([
  ['.npmrc', 'npm credentials (.npmrc)'],
  ['.yarnrc.yml', 'yarn credentials (.yarnrc.yml)'],
  ['.pypirc', 'PyPI credentials (.pypirc)'],
  ['.netrc', 'netrc credentials'],
  ['_netrc', 'netrc credentials'],
  ['.authinfo', 'netrc credentials (.authinfo)'],
  ['.authinfo.gpg', 'netrc credentials (.authinfo)'],
  ['.envrc', 'direnv environment file (.envrc)'],
  ['.pgpass', 'Postgres password file (.pgpass)'],
  ['pgpass.conf', 'Postgres password file (.pgpass)'],
  ['.my.cnf', 'MySQL client config (.my.cnf)'],
  ['.mylogin.cnf', 'MySQL login path file (.mylogin.cnf)'],
  ['.git-credentials', 'git credentials'],
  ['.vault-token', 'Vault token'],
  ['.htpasswd', 'htpasswd password file'],
  ['htpasswd', 'htpasswd password file'],
  ['.boto', 'boto credentials'],
  ['.s3cfg', 's3cmd credentials'],
  ['.dockercfg', 'Docker credentials'],
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
  ['.irb_history', 'REPL history'],
  ['.lesshst', 'pager history'],
  ['rclone.conf', 'rclone remotes with credentials'],
  ['hosts.yml', ''],
  ['application_default_credentials.json', 'gcloud application default credentials'],
  ['access_tokens.db', 'gcloud token cache'],
  ['credentials.db', 'gcloud credentials'],
  ['accesstokens.json', 'Azure CLI token cache'],
  ['msal_token_cache.json', 'Azure CLI token cache'],
  ['msal_token_cache.bin', 'Azure CLI token cache'],
  ['service_principal_entries.json', 'Azure service principal secrets'],
  ['terraform.tfstate', 'Terraform state (holds secrets)'],
  ['terraform.tfstate.backup', 'Terraform state (holds secrets)'],
  ['cookies', ''],
  ['cookies.sqlite', 'browser cookie store'],
  ['cookies.binarycookies', 'browser cookie store'],
  ['login data', 'browser saved passwords'],
  ['login data for account', 'browser saved passwords'],
  ['logins.json', 'browser saved passwords'],
  ['key3.db', 'browser key store'],
  ['key4.db', 'browser key store'],
  ['web data', ''],
  ['login.keychain', 'macOS keychain'],
  ['login.keychain-db', 'macOS keychain'],
  ['master.key', 'Rails master key'],
  ['keystore.jks', 'Java keystore'],
  ['kubeconfig', 'Kubernetes credentials (kubeconfig)'],
  ['admin.conf', ''],
  ['wallet.dat', 'wallet file'],
  ['environ', ''],
  ['shadow', ''],
])

const KEY_NAMES = /^id_(rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk|xmss)(?!.*\.pub$)/
const KEY_EXTS = ['.pem', '.key', '.p12', '.pfx', '.jks', '.keystore', '.bks', '.p8', '.ppk', '.kdbx', '.keychain', '.keychain-db', '.tfstate', '.ovpn', '.kwl']
const SECRET_DIRS = new Set(['secrets', '.secrets', 'credentials', '.credentials', 'secret', 'private_keys', '.password-store'])

function globVariants(p: string): string[] {
  if (!/[*?[{]/.test(p)) return [p]
  const braces = /\{([^{}]*)\}/.exec(p)
  if (braces) return braces[1]!.split(',').flatMap((alt) => globVariants(p.replace(braces[0], alt))).slice(0, 16)
  const out = new Set<string>()
  for (const fill of ['', 'x', '.local', 'rsa', 'config']) out.add(p.replace(/\[[^\]]*\]/g, 'x').replace(/\*\*\/?/g, '').replace(/\*/g, fill).replace(/\?/g, 'x'))
  return [...out]
}

/** The label of the sensitive thing `path` names, or null. Works on globs too (`**\/.env`, `~/.ssh/*`). */
export function matchSensitivePath(path: string): string | null {
  if (!path || path.length > 4096) return null
  const p = path.replace(/\\ /g, ' ').replace(/\\/g, '/').trim()
  for (const v of globVariants(p)) {
    const hit = matchOne(v)
    if (hit) return hit
  }
  return null
}

function matchOne(p: string): string | null {
  const lower = p.toLowerCase()
  if (/^\/etc\/(g?shadow|sudoers|master\.passwd|security\/opasswd)(\.d(\/|$)|$|-)/.test(lower) || /^\/etc\/sudoers/.test(lower)) {
    return lower.includes('sudoers') ? '/etc/sudoers' : '/etc/shadow'
  }
  if (/^\/proc\/[^/]+\/environ$/.test(lower)) return 'process environment (/proc/*/environ)'
  if (/^\/etc\/(ssl\/private|kubernetes\/pki|kubernetes\/admin\.conf|letsencrypt\/(live|archive))(\/|$)/.test(lower)) return 'system private keys'
  if (/^\/var\/lib\/kubelet\/pki(\/|$)/.test(lower)) return 'system private keys'
  const segments = lower.split('/').filter((s) => s.length > 0 && s !== '.')
  if (segments.length === 0) return null
  const dirs = segments.slice(0, -1)
  const base = segments[segments.length - 1]!
  const within = (d: string): boolean => dirs.includes(d) || base === d
  if (within('.ssh')) return 'SSH directory (.ssh)'
  if (within('.aws')) return 'AWS credentials (.aws)'
  if (within('.gnupg')) return 'GnuPG keyring (.gnupg)'
  if (within('.kube') && base !== 'cache' && !dirs.includes('cache')) return 'Kubernetes credentials (.kube)'
  if (within('.azure')) return 'Azure CLI credentials (.azure)'
  if (within('.password-store')) return 'pass password store'
  if (within('.docker') && base === 'config.json') return 'Docker credentials (.docker/config.json)'
  if (dirs.includes('gcloud') && (base.includes('credential') || base.includes('token') || dirs.includes('legacy_credentials'))) return 'gcloud credentials'
  if (dirs.includes('gh') && base === 'hosts.yml') return 'GitHub CLI token (gh/hosts.yml)'
  if (dirs.includes('hub') && dirs.includes('.config')) return 'hub token'
  if ((dirs.includes('keychains') && dirs.includes('library')) || (dirs.includes('keyrings') && dirs.includes('.local'))) return 'OS keychain'
  if (base === 'cookies' || base === 'web data' || base === 'login data') {
    if (dirs.some((d) => /chrome|chromium|brave|edge|opera|vivaldi|firefox|mozilla|safari|profile|default/.test(d))) return 'browser cookie or password store'
  }
  if (base === 'admin.conf' && dirs.includes('kubernetes')) return 'Kubernetes admin credentials'
  if (base === 'hosts.yml' || base === 'cookies' || base === 'web data' || base === 'admin.conf' || base === 'environ' || base === 'shadow') return null
  if (isSampleName(base)) return null
  if (base === '.env' || (base.startsWith('.env.') && !ENV_SAFE_SUFFIXES.has(base.slice(5)))) return 'environment file (.env)'
  if (/^\.?env\.(local|prod|production|staging|dev|development|secret|secrets)$/.test(base)) return 'environment file (.env)'
  if (KEY_NAMES.test(base)) return 'SSH private key'
  if (KEY_EXTS.some((e) => base.endsWith(e) && base.length > e.length)) return /tfstate/.test(base) ? 'Terraform state (holds secrets)' : 'private key, keystore or encrypted secret'
  const known = SECRET_FILES.get(base)
  if (known) return known
  if (/^(kube)?config$/.test(base) && dirs[dirs.length - 1] === '.kube') return 'Kubernetes credentials'
  if (/kubeconfig/.test(base) && !SOURCE_EXT.test(base)) return 'Kubernetes credentials (kubeconfig)'
  if (/(service[-_]?account|sa[-_]key|gcp[-_]key|firebase[-_]adminsdk)[\w.-]*\.json$/.test(base)) return 'service account key (JSON)'
  const bare = base.replace(/^\./, '')
  const code = /\.(ts|tsx|js|jsx|mjs|cjs|py|rb|go|rs|java|kt|swift|c|h|cc|cpp|cs|php|vue|svelte|ex|exs|scala)$/.test(base)
  const fileLike = base.includes('.') || dirs.length > 0
  if (bare.startsWith('credentials') && !code && fileLike) return 'credentials file'
  if (bare.startsWith('secrets') && !code && fileLike) return 'secrets file'
  if (/^(client_secret|client-secret)[\w.-]*\.json$/.test(bare)) return 'OAuth client secret'
  // Files under secrets/, credentials/, .secrets/ (source code there is code, not a secret).
  if (dirs.some((d) => SECRET_DIRS.has(d)) && !SOURCE_EXT.test(base)) return 'file in a secrets directory'
  return null
}

function isSampleName(base: string): boolean {
  const parts = base.split('.')
  return parts.slice(1).some((p) => ENV_SAFE_SUFFIXES.has(p))
}

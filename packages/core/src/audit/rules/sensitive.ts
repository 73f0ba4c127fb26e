/**
 * Sensitive reads pack: commands that print secrets or the environment. Sensitive paths
 * (credential files, keys, histories, secret directories) are matched by ../sensitive.ts; the
 * core raises `sensitive.path` for them and `sensitive.echo-secret-variable` for echoed secrets.
 */
import type { Cmd, Pack } from './types.js'

/** Variable names that hold secrets (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `DB_PASSWORD`, …). */
export const SECRET_VAR = /^(?=[A-Za-z0-9_]*(SECRET|TOKEN|PASSW(OR)?D|_PASS$|^PASS$|_PWD$|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|SESSION_?KEY|DSN$|DATABASE_URL|CONNECTION_STRING|_KEY$))(?![A-Za-z0-9_]*(_FILE|_PATH|_ID|_NAME|_URL_PATH)$)[A-Za-z0-9_]+$/i

const secretish = (s: string): boolean => SECRET_VAR.test(s)

export const sensitive: Pack = {
  name: 'sensitive',
  description: 'environment dumps, echoed secret variables, commands that print tokens, keys and passwords; sensitive paths (sensitive.ts)',
  valueFlags: {
    kubectl: [],
    vault: ['-address', '-namespace', '-format', '-field', '-mount'],
    op: ['--vault', '--account', '--fields', '--format'],
    security: ['-s', '-a', '-l', '-c', '-D', '-j', '-r'],
  },
  rules: [
    {
      id: 'sensitive.path',
      category: 'sensitive',
      commands: [],
      reason: 'touches a sensitive file (credentials, keys, histories, secret directories)',
      examples: ['cat .env', 'less ~/.ssh/id_rsa', 'cat ~/.kube/config', 'cat ~/.config/gh/hosts.yml', 'cat ~/.pgpass', 'cat ~/.my.cnf', 'cat ~/.vault-token', 'cat /etc/nginx/.htpasswd', 'cat service-account.json', 'cat ~/.azure/msal_token_cache.json', 'keytool -list -keystore release.jks', 'sqlite3 ~/Library/Application\\ Support/Google/Chrome/Default/Cookies .dump', 'cat ~/Library/Keychains/login.keychain-db', 'cat terraform.tfstate', 'cat secrets/db.txt', 'ls ~/.ssh/*', 'cat /proc/1/environ', 'docker run -v ~/.ssh:/root/.ssh alpine', 'find ~ -name id_rsa', 'cat .env*'],
      safeExamples: ['cat README.md', 'cat .env.example', 'cat src/secrets/index.ts', 'cat id_rsa.pub', 'cat keys.pub', 'grep -r API_KEY .', 'cat docs/secret-santa.txt'],
    },
    {
      id: 'sensitive.print-environment',
      category: 'sensitive',
      commands: ['printenv', 'set', 'export', 'declare', 'typeset', 'Get-ChildItem'],
      dryRun: false,
      when: (c) => {
        switch (c.name) {
          case 'printenv':
            return c.pos.length === 0 ? 'printenv prints every environment variable' : c.pos.some(secretish) && `printenv prints secret variable ${c.pos.find(secretish)}`
          case 'set':
            return c.t.length === 0 && 'set prints every shell variable'
          case 'export':
            return (c.t.length === 0 || (c.t.length === 1 && c.t[0] === '-p')) && 'export -p prints every exported variable'
          case 'declare':
          case 'typeset':
            return c.pos.length === 0 && c.t.some((x) => /^-[a-z]*[xp]/.test(x)) && `${c.name} prints shell variables`
          case 'Get-ChildItem':
            return c.pos.some((x) => /^env:/i.test(x))
          default:
            return false
        }
      },
      reason: 'prints the environment',
      examples: ['printenv', 'env', 'env -0', 'printenv AWS_SECRET_ACCESS_KEY', 'printenv GITHUB_TOKEN', 'export -p', 'set', 'declare -x', 'sudo env'],
      safeExamples: ['printenv PATH', 'printenv HOME', 'env NODE_ENV=test npm test', 'set -euo pipefail', 'export PATH=$PATH:/x', 'env -u FOO make'],
    },
    {
      id: 'sensitive.echo-secret-variable',
      category: 'sensitive',
      commands: [],
      reason: 'prints a secret-named variable',
      examples: ['echo $AWS_SECRET_ACCESS_KEY', 'echo "$GITHUB_TOKEN"', 'printf "%s" "$OPENAI_API_KEY"', 'echo ${DB_PASSWORD}', 'cat <<< "$NPM_TOKEN"'],
      safeExamples: ['echo $PATH', 'echo "$HOME"', "echo '$GITHUB_TOKEN'", 'echo $TOKEN_FILE', 'echo done'],
    },
    {
      id: 'sensitive.secret-commands',
      category: 'sensitive',
      commands: ['gh', 'glab', 'gcloud', 'aws', 'az', 'git', 'kubectl', 'oc', 'vault', 'op', 'pass', 'gopass', 'security', 'secret-tool', 'gpg', 'gpg2', 'lpass', 'bw', 'doppler', 'infisical', 'heroku', 'vercel', 'netlify', 'railway', 'terraform', 'tofu', 'sops', 'ansible-vault', 'keyring', 'kwallet-query', 'chamber', 'akeyless', 'conjur', 'ejson', 'age', 'aws-vault', 'docker', 'npm', 'firebase', 'cf', 'fly', 'flyctl', 'kubeseal', 'step', 'openssl', 'keytool', 'cmdkey', 'gsutil', 'pulumi', 'helm', 'argocd', 'gcloud-auth'],
      dryRun: false,
      when: (c) => {
        const p = c.pos
        const [a, b, d] = p
        const t = c.t
        switch (c.name) {
          case 'gh':
            return (a === 'auth' && (b === 'token' || (b === 'status' && c.has('-t', '--show-token')))) && `gh auth ${b} prints the GitHub token`
          case 'glab':
            return a === 'auth' && b === 'status' && c.has('-t', '--show-token')
          case 'gcloud':
            return (p.includes('print-access-token') || p.includes('print-identity-token') || p.includes('print-refresh-token') || (a === 'secrets' && b === 'versions' && d === 'access') || (a === 'auth' && b === 'application-default' && d?.startsWith('print'))) && `gcloud ${p.slice(0, 3).join(' ')} prints a credential`
          case 'aws': {
            if (a === 'configure' && b === 'get') return /secret|token|access_key/i.test(d ?? '') && `aws configure get ${d} prints a credential`
            if (a === 'configure' && b === 'export-credentials') return 'aws configure export-credentials prints credentials'
            if (a === 'ecr' && b === 'get-login-password') return 'aws ecr get-login-password prints a registry password'
            if (a === 'secretsmanager' && (b === 'get-secret-value' || b === 'batch-get-secret-value')) return 'aws secretsmanager get-secret-value prints a secret'
            if (a === 'ssm' && (b === 'get-parameter' || b === 'get-parameters' || b === 'get-parameters-by-path') && c.has('--with-decryption')) return 'aws ssm get-parameter --with-decryption prints a secret'
            if (a === 'sts' && (b === 'get-session-token' || b === 'assume-role' || b === 'get-federation-token')) return `aws sts ${b} prints temporary credentials`
            if (a === 'iam' && b === 'create-access-key') return 'aws iam create-access-key prints a new secret key'
            if (a === 'kms' && b === 'decrypt') return 'aws kms decrypt prints plaintext'
            return false
          }
          case 'az':
            return ((a === 'account' && b === 'get-access-token') || (a === 'keyvault' && b === 'secret' && (d === 'show' || d === 'download')) || (a === 'storage' && b === 'account' && d === 'keys') || (a === 'acr' && b === 'login' && c.has('--expose-token')) || (a === 'ad' && b === 'sp' && (d === 'create-for-rbac' || (d === 'credential' && p[3] === 'reset')))) && `az ${p.slice(0, 3).join(' ')} prints a credential`
          case 'git':
            return ((a === 'credential' && (b === 'fill' || b === 'get')) || /^credential-/.test(a ?? '')) && 'git credential fill prints stored credentials'
          case 'kubectl':
          case 'oc': {
            if (a === 'get' && /^(secrets?|secret\/.+|secrets\/.+)$/.test(b ?? '') && (c.has('-o', '--output') || t.some((x) => /^-o(yaml|json|jsonpath|go-template)/.test(x)))) return 'kubectl get secret -o prints secret values'
            if (a === 'config' && b === 'view' && c.has('--raw', '--flatten')) return 'kubectl config view --raw prints cluster credentials'
            if (a === 'create' && b === 'token') return 'kubectl create token prints a service account token'
            if (a === 'whoami' && c.has('--show-token')) return true
            if (c.name === 'oc' && a === 'whoami' && c.has('-t', '--show-token')) return 'oc whoami -t prints the token'
            return false
          }
          case 'vault':
            return ((a === 'kv' && b === 'get') || a === 'read' || (a === 'print' && b === 'token') || (a === 'token' && (b === 'create' || b === 'lookup')) || (a === 'login' && !c.has('-no-print')) || a === 'unwrap') && `vault ${p.slice(0, 2).join(' ')} prints secrets`
          case 'op':
            return (a === 'read' || (a === 'item' && b === 'get') || a === 'inject' || (a === 'document' && b === 'get') || (a === 'signin' && c.has('--raw'))) && `op ${p.slice(0, 2).join(' ')} prints secrets`
          case 'pass':
          case 'gopass':
            return (a === 'show' || (a !== undefined && !['ls', 'list', 'find', 'search', 'grep', 'insert', 'add', 'generate', 'edit', 'rm', 'mv', 'cp', 'git', 'init', 'help', 'version', 'sync', 'setup', 'otp', 'mounts', 'config', 'audit', 'fsck', 'recipients', 'templates'].includes(a)) || (a === 'otp')) && `${c.name} ${a} prints a stored password`
          case 'security':
            return ((a === 'find-generic-password' || a === 'find-internet-password' || a === 'find-certificate') && c.has('-w', '-g')) || a === 'dump-keychain' || a === 'export' ? `security ${a} prints keychain secrets` : false
          case 'secret-tool':
            return a === 'lookup' && 'secret-tool lookup prints a stored secret'
          case 'gpg':
          case 'gpg2':
            return (t.some((x) => /^--export-secret-(sub)?keys?$/.test(x)) && 'gpg --export-secret-keys prints private keys') || (c.has('-d', '--decrypt') && 'gpg --decrypt prints decrypted secrets')
          case 'lpass':
            return a === 'show' && 'lpass show prints a password'
          case 'bw':
            return (a === 'get' || a === 'export' || (a === 'list' && b === 'items') || a === 'unlock' && c.has('--raw')) && `bw ${a} prints vault secrets`
          case 'doppler':
          case 'infisical':
            return (a === 'secrets' && (b === undefined || ['get', 'download', 'list'].includes(b))) || a === 'export' ? `${c.name} secrets prints secrets` : false
          case 'heroku':
            return (a === 'config' || a === 'config:get' || a === 'auth:token' || a === 'pg:credentials:url' || a === 'redis:credentials') && `heroku ${a} prints config secrets`
          case 'vercel':
            return a === 'env' && b === 'pull' && 'vercel env pull writes the secrets to a local file'
          case 'netlify':
            return (a === 'env:list' && c.has('--plain', '--json')) || a === 'env:get'
          case 'railway':
            return a === 'variables'
          case 'terraform':
          case 'tofu':
            return ((a === 'state' && b === 'pull') || (a === 'output' && c.has('-raw', '-json') && !c.has('-no-color') ) || (a === 'show' && c.has('-json'))) && `${c.name} ${p.slice(0, 2).join(' ')} prints state (with secrets)`
          case 'pulumi':
            return ((a === 'stack' && b === 'output' && c.has('--show-secrets')) || (a === 'config' && c.has('--show-secrets')) || (a === 'stack' && b === 'export' && c.has('--show-secrets'))) && 'pulumi --show-secrets prints secrets'
          case 'sops':
            return (c.has('-d', '--decrypt') || a === 'decrypt' || (p.length === 1 && !c.has('-e', '--encrypt', '-i'))) && 'sops decrypts secrets'
          case 'ansible-vault':
            return (a === 'view' || a === 'decrypt') && `ansible-vault ${a} prints decrypted secrets`
          case 'keyring':
            return a === 'get'
          case 'kwallet-query':
            return c.has('-r', '--read-password')
          case 'chamber':
            return a === 'read' || a === 'export'
          case 'akeyless':
          case 'conjur':
            return (a === 'get-secret-value' || (a === 'variable' && b === 'get') || a === 'get-secret')
          case 'ejson':
            return a === 'decrypt'
          case 'age':
            return c.has('-d', '--decrypt')
          case 'aws-vault':
            return (a === 'exec' && c.t.includes('--') === false && p.length <= 1) || a === 'export' ? 'aws-vault prints credentials' : false
          case 'npm':
            return a === 'token' && b === 'create'
          case 'firebase':
            return a === 'login:ci' || (a === 'functions:config:get')
          case 'fly':
          case 'flyctl':
            return (a === 'auth' && b === 'token') || (a === 'tokens' && b === 'create') || (a === 'ssh' && b === 'issue')
          case 'step':
            return a === 'ca' && b === 'token'
          case 'openssl':
            return (/^(rsa|ec|pkey|pkcs12|pkcs8)$/.test(a ?? '') && (c.has('-nodes', '-noenc') || t.some((x) => /^-(in|passin)$/.test(x)) && !t.includes('-pubout') && !t.includes('-noout') && !t.includes('-check'))) && `openssl ${a} prints private key material`
          case 'keytool':
            return (t.includes('-exportcert') || t.includes('-importkeystore') || t.includes('-list')) && t.some((x) => /^-(storepass|keypass|srcstorepass)$/.test(x)) && 'keytool with a keystore password on the command line'
          case 'cmdkey':
            return t.some((x) => /^\/list$/i.test(x))
          case 'helm':
            return a === 'get' && (b === 'values' || b === 'all') && c.has('-a', '--all')
          case 'argocd':
            return a === 'admin' && b === 'initial-password'
          default:
            return false
        }
      },
      reason: 'prints a secret',
      examples: ['gh auth token', 'gh auth status --show-token', 'gcloud auth print-access-token', 'gcloud auth application-default print-access-token', 'gcloud secrets versions access latest --secret db', 'aws configure get aws_secret_access_key', 'aws configure get default.aws_access_key_id', 'aws configure export-credentials --format env', 'aws ecr get-login-password --region us-east-1', 'aws secretsmanager get-secret-value --secret-id prod/db', 'aws ssm get-parameter --name /x --with-decryption', 'az account get-access-token', 'az keyvault secret show --vault-name kv -n db', 'git credential fill', 'kubectl get secret db -o yaml', 'kubectl get secrets -o json', 'kubectl get secret x -o jsonpath="{.data.password}"', 'kubectl config view --raw', 'kubectl create token default', 'vault kv get secret/app', 'vault read database/creds/readonly', 'vault print token', 'op read "op://vault/item/password"', 'op item get GitHub --fields password', 'pass show email/gmail', 'pass github', 'security find-generic-password -s wifi -w', 'security dump-keychain -d', 'secret-tool lookup service x', 'gpg --export-secret-keys -a', 'gpg --decrypt secrets.gpg', 'lpass show --password x', 'bw get password github', 'doppler secrets', 'heroku config -a app', 'heroku config:get DATABASE_URL', 'vercel env pull', 'terraform state pull', 'terraform output -raw db_password', 'sops -d secrets.enc.yaml', 'sops --decrypt prod.yaml', 'ansible-vault view vault.yml', 'pulumi stack output --show-secrets', 'openssl rsa -in server.key -text'],
      safeExamples: ['gh auth status', 'gh auth login', 'gcloud auth list', 'aws configure get region', 'aws configure list', 'aws sts get-caller-identity', 'kubectl get secrets', 'kubectl describe secret db', 'kubectl config view', 'kubectl config get-contexts', 'vault status', 'op vault list', 'pass ls', 'pass insert x', 'security list-keychains', 'gpg --list-keys', 'gpg --export -a bob', 'heroku apps', 'terraform plan', 'terraform output', 'sops -e x.yaml', 'openssl rsa -in x.key -pubout', 'git config --list'],
    },
  ],
}

export function isSecretVarName(s: string): boolean {
  return secretish(s)
}

export function secretVarOf(c: Cmd): string | null {
  for (const x of c.t) for (const m of x.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (secretish(m[1]!)) return m[1]!
  return null
}

import { describe, expect, it } from 'vitest'
import { matchSensitivePath } from './sensitive.js'

describe('matchSensitivePath', () => {
  const yes = ['.env', '/a/b/.env.local', '.env.production', '~/.ssh', '/home/u/.ssh/config', 'id_rsa', 'keys/id_ed25519', 'server.pem', 'tls.key', 'cert.p12', 'a.pfx',
    '~/.aws/credentials', '/home/u/.docker/config.json', '.npmrc', '.pypirc', '.netrc', 'credentials.json', 'secrets.yaml', '.bash_history', '.zsh_history',
    '.psql_history', '.mysql_history', '/etc/shadow', '/etc/sudoers', '/etc/sudoers.d/90-users', '**/.env', '**/*.pem', 'C:\\Users\\u\\.ssh\\id_rsa']
  const no = ['.env.example', '.env.sample', '.env.template', '.env.dist', 'id_rsa.pub', 'src/env.ts', 'keyboard.ts', 'config.json', '/etc/passwd', '/etc/hosts',
    'secrets.example.yaml', 'credentials.sample.json', 'README.md', '', '.key', 'environment.ts']
  it.each(yes)('flags %s', (p) => expect(matchSensitivePath(p)).not.toBeNull())
  it.each(no)('does not flag %s', (p) => expect(matchSensitivePath(p)).toBeNull())
})

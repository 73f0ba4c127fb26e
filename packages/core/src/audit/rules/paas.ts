/** PaaS pack: destroying apps, databases and projects on hosted platforms. */
import type { Pack } from './types.js'

export const paas: Pack = {
  name: 'paas',
  description: 'heroku, fly, vercel, netlify, railway, render, firebase, supabase, wrangler, dokku, cf app/project/database destroys',
  valueFlags: {
    heroku: ['-a', '--app', '-r', '--remote', '--confirm'],
    fly: ['-a', '--app', '-c', '--config', '-o', '--org'],
    flyctl: ['-a', '--app', '-c', '--config', '-o', '--org'],
    vercel: ['--scope', '--token', '-t', '-S', '--cwd'],
    netlify: ['--site', '--auth'],
    firebase: ['--project', '-P', '--token'],
    supabase: ['--project-ref', '--workdir', '--db-url'],
    wrangler: ['--config', '-c', '--env', '-e', '--name'],
    railway: ['-s', '--service', '-e', '--environment'],
  },
  rules: [
    {
      id: 'paas.app-destroy',
      category: 'infrastructure',
      commands: ['heroku', 'fly', 'flyctl', 'vercel', 'vc', 'netlify', 'railway', 'render', 'firebase', 'wrangler', 'dokku', 'doctl-apps', 'platform', 'upsun', 'northflank', 'koyeb', 'porter', 'appwrite', 'convex', 'supabase', 'neonctl', 'pscale', 'turso', 'deta', 'surge'],
      when: (c) => {
        const p = c.pos
        const [a, b, d] = p
        switch (c.name) {
          case 'heroku':
            return /^(apps|addons|pg|redis|spaces|pipelines|domains|certs|config):(destroy|delete|unset|remove|reset|kill)$|^(destroy|apps:destroy)$/.test(a ?? '') && `heroku ${a}`
          case 'fly':
          case 'flyctl':
            return (a === 'destroy' || a === 'delete') || (['apps', 'app', 'volumes', 'volume', 'vol', 'machines', 'machine', 'm', 'postgres', 'pg', 'redis', 'storage', 'mpg', 'secrets', 'certs', 'ips', 'tigris', 'consul', 'extensions'].includes(a ?? '') && ['destroy', 'delete', 'remove', 'rm', 'unset', 'release'].includes(b ?? ''))
          case 'vercel':
          case 'vc':
            return ['rm', 'remove'].includes(a ?? '') || (['project', 'projects', 'domains', 'domain', 'dns', 'env', 'alias', 'certs', 'secrets', 'teams', 'blob'].includes(a ?? '') && ['rm', 'remove', 'delete', 'del'].includes(b ?? ''))
          case 'netlify':
            return /^(sites:delete|env:unset|env:delete|blobs:delete|functions:delete)$/.test(a ?? '')
          case 'railway':
            return a === 'delete' || a === 'down' || (a === 'volume' && b === 'delete') || (a === 'environment' && b === 'delete')
          case 'render':
            return ['delete', 'destroy'].includes(b ?? '') || a === 'delete'
          case 'firebase':
            return /^(projects:delete|firestore:delete|database:remove|hosting:disable|functions:delete|auth:delete|storage:delete|apps:delete|extensions:uninstall|remoteconfig:rollback|hosting:channel:delete|database:instances:delete)$/.test(a ?? '')
          case 'wrangler':
            return (a === 'delete') || (['d1', 'r2', 'kv', 'kv:namespace', 'kv:key', 'kv:bulk', 'queues', 'vectorize', 'hyperdrive', 'pages', 'secret', 'versions', 'workflows'].includes(a ?? '') && [b, d].some((x) => ['delete', 'remove', 'rm'].includes(x ?? '')))
          case 'dokku':
            return /^(apps:destroy|postgres:destroy|mysql:destroy|redis:destroy|mongo:destroy|storage:unmount|apps:purge)$/.test(a ?? '') || /:destroy$/.test(a ?? '')
          case 'supabase':
            return (['projects', 'branches', 'functions', 'secrets', 'storage', 'orgs'].includes(a ?? '') && ['delete', 'unset', 'rm'].includes(b ?? '')) || (a === 'stop' && c.has('--no-backup'))
          case 'neonctl':
          case 'pscale':
          case 'turso':
            return [a, b, d].some((x) => ['delete', 'destroy', 'rm'].includes(x ?? ''))
          case 'surge':
            return a === 'teardown'
          default:
            return [a, b].some((x) => ['delete', 'destroy', 'rm', 'remove'].includes(x ?? ''))
        }
      },
      reason: (c) => `${c.name} ${c.pos.slice(0, 2).join(' ')} deletes a hosted app, database or resource`,
      examples: ['heroku apps:destroy --app my-app --confirm my-app', 'heroku destroy -a x', 'heroku addons:destroy heroku-postgresql -a app', 'fly apps destroy my-app -y', 'flyctl volumes destroy vol_123', 'fly destroy my-app', 'fly machines destroy 148e --force', 'vercel rm my-app --yes', 'vercel project rm site', 'netlify sites:delete 123abc', 'railway delete', 'firebase projects:delete demo', 'firebase firestore:delete --all-collections -f', 'wrangler delete my-worker', 'wrangler d1 delete prod-db', 'wrangler r2 bucket delete assets', 'wrangler kv namespace delete --namespace-id abc', 'dokku apps:destroy web --force', 'supabase projects delete abcd', 'pscale database delete prod', 'turso db destroy main', 'neonctl branches delete dev'],
      safeExamples: ['heroku apps', 'heroku logs --tail -a x', 'fly deploy', 'fly apps list', 'vercel ls', 'vercel deploy --prod', 'netlify deploy', 'firebase deploy', 'wrangler deploy', 'wrangler d1 list', 'dokku apps:list', 'supabase projects list'],
    },
  ],
}

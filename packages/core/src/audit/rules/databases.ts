/** Databases pack: destructive SQL wherever it appears, ORM/framework resets, mongo, redis, elasticsearch, DB admin tools. */
import { httpMethod, urls } from './forges.js'
import type { Cmd, Pack } from './types.js'

/** The first destructive SQL statement in `sql`, or null. */
export function dangerousSql(sql: string): string | null {
  if (sql.length > 200_000) sql = sql.slice(0, 200_000)
  const clean = sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ')
  for (const raw of clean.split(';')) {
    const s = raw.trim().replace(/\s+/g, ' ').replace(/^(BEGIN|START TRANSACTION|EXPLAIN ANALYZE)\b\s*/i, '')
    if (s.length === 0) continue
    if (/^DROP (TABLE|DATABASE|SCHEMA|KEYSPACE|OWNED|COLLECTION|MATERIALIZED VIEW|TABLESPACE|USER|ROLE)\b/i.test(s)) return s
    if (/^TRUNCATE\b/i.test(s)) return s
    if (/^ALTER TABLE\b.*\bDROP\b\s+(COLUMN\b|PARTITION\b|CONSTRAINT\b|(?!DEFAULT|NOT|IDENTITY|EXPRESSION)\w+\s*(,|$))/i.test(s)) return s
    const del = /^(?:WITH\b.*?\)\s*)?DELETE\b(?:\s+\w+)?\s+FROM\b/i.test(s) || /^DELETE\s+(?!FROM)\w+\s*$/i.test(s)
    const upd = /^(?:WITH\b.*?\)\s*)?UPDATE\s+\S+(\s+(AS\s+)?\w+)?\s+SET\b/i.test(s)
    if (del || upd) {
      const where = /\bWHERE\b(.*)$/i.exec(s)
      if (!where) return s
      if (/^\s*(1\s*=\s*1|true|'1'\s*=\s*'1'|1|\w+\s+IS\s+NOT\s+NULL\s*OR\s+\w+\s+IS\s+NULL)\s*$/i.test(where[1]!)) return s
    }
    if (/^(DROP DATABASE|DROP SCHEMA)/i.test(s)) return s
  }
  return null
}

const SQL_VALUE = ['-c', '-e', '--command', '--execute', '--query', '-q', '-cmd', '-Q', '--sql', '-s']
const SQL_CLIENTS = ['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'cockroach', 'clickhouse-client', 'clickhouse', 'duckdb', 'sqlcmd', 'mysqlsh', 'usql', 'pgcli', 'mycli', 'litecli', 'cqlsh', 'snowsql', 'bq', 'trino', 'presto', 'spark-sql', 'hive', 'beeline', 'isql', 'sqlplus', 'db2', 'vsql', 'turso', 'bbl', 'd1', 'psql-dev', 'wrangler', 'supabase', 'prisma', 'neonctl', 'pscale', 'influx', 'surreal', 'edgedb', 'gel']

/** SQL texts of a database client: -c/-e/--query values, SQL-looking positionals, stdin. */
function sqlTexts(c: Cmd): string[] {
  const out: string[] = []
  const t = c.t
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!
    if (SQL_VALUE.includes(x)) {
      const v = t[i + 1]
      if (v !== undefined) out.push(v)
      i++
    } else if (/^--(command|execute|query|sql)=/.test(x)) out.push(x.slice(x.indexOf('=') + 1))
    else if (/^-e./.test(x) && (c.name === 'mysql' || c.name === 'mariadb')) out.push(x.slice(2))
    else if (!x.startsWith('-') && /\s/.test(x)) out.push(x)
  }
  if (c.stdin !== null) out.push(c.stdin)
  return out
}

const MONGO_DANGER = /\.(dropDatabase|drop|dropCollection|dropIndexes)\s*\(|\.(deleteMany|remove)\s*\(\s*(\{\s*\})?\s*[,)]|\.(updateMany)\s*\(\s*\{\s*\}|db\.runCommand\(\s*\{\s*drop(Database)?\s*:/

export const databases: Pack = {
  name: 'databases',
  description: 'destructive SQL (DROP, TRUNCATE, ALTER … DROP, DELETE/UPDATE without WHERE) in clients, heredocs, stdin and code; ORM resets; mongo, redis, elasticsearch',
  valueFlags: {
    psql: ['-d', '--dbname', '-h', '--host', '-p', '--port', '-U', '--username', '-f', '--file', '-v', '--set', '-o', '--output', '-P'],
    mysql: ['-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket'],
    mariadb: ['-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database'],
    mongosh: ['--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '-f', '--file'],
    mongo: ['--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase'],
    'redis-cli': ['-h', '-p', '-a', '-n', '-u', '--user', '--pass', '-s', '--tls-cert', '--cacert', '--key', '-r', '-i', '--pattern'],
    'valkey-cli': ['-h', '-p', '-a', '-n', '-u', '--user', '--pass'],
    mysqladmin: ['-u', '--user', '-h', '--host', '-P', '--port'],
    pg_restore: ['-d', '--dbname', '-h', '-p', '-U', '-n', '-t', '-j', '-f', '-F'],
    mongorestore: ['--uri', '--host', '--db', '-d', '--collection', '-c', '--nsInclude', '--archive'],
    rails: ['-e', '--environment'],
    rake: ['-f'],
    'manage.py': ['--settings', '--database'],
    artisan: ['--env', '--database'],
  },
  rules: [
    {
      id: 'databases.sql-client',
      category: 'database',
      commands: SQL_CLIENTS,
      dryRun: false,
      when: (c) => {
        if (c.name === 'wrangler' && !(c.pos[0] === 'd1' && c.pos[1] === 'execute')) return false
        if (c.name === 'supabase' && !(c.pos[0] === 'db' && ['execute', 'query'].includes(c.pos[1] ?? ''))) return false
        if (c.name === 'prisma' && !(c.pos[0] === 'db' && c.pos[1] === 'execute')) return false
        for (const s of sqlTexts(c)) {
          const hit = dangerousSql(s)
          if (hit) return `${c.name} runs \`${hit.slice(0, 120)}\``
        }
        return false
      },
      reason: 'runs destructive SQL',
      examples: ['psql -c "DROP TABLE users"', 'psql -d app -c "drop database app;"', 'mysql -e \'TRUNCATE TABLE logs\'', 'mysql -u root -e "DELETE FROM users"', 'sqlite3 app.db "DELETE FROM sessions;"', 'psql <<EOF\nBEGIN;\nDROP SCHEMA public CASCADE;\nEOF', 'echo "DROP DATABASE prod" | psql', 'psql -c "ALTER TABLE users DROP COLUMN email"', 'mysql -e "UPDATE users SET admin = 1"', 'psql -c "update accounts set balance=0"', 'duckdb local.db "DROP TABLE events"', 'bq query --use_legacy_sql=false "DELETE FROM ds.t WHERE true"', 'clickhouse-client --query "TRUNCATE TABLE hits"', 'cqlsh -e "DROP KEYSPACE prod"', 'wrangler d1 execute prod --command "DELETE FROM users"', 'sqlcmd -Q "DROP DATABASE Sales"', 'mysql app < <(echo "DROP TABLE t")'],
      safeExamples: ['psql -c "SELECT * FROM users"', 'psql -c "DELETE FROM users WHERE id = 5"', 'mysql -e "SHOW TABLES"', 'psql -c "UPDATE users SET active = false WHERE id = 3"', 'sqlite3 app.db ".tables"', 'psql -c "ALTER TABLE users ADD COLUMN age int"', 'psql -c "ALTER TABLE t ALTER COLUMN c DROP DEFAULT"', 'psql -c "ALTER TABLE t ALTER COLUMN c DROP NOT NULL"'],
    },
    {
      id: 'databases.sql-in-code',
      category: 'database',
      commands: [],
      reason: 'interpreter code runs destructive SQL',
      examples: ['python3 -c "import sqlite3; sqlite3.connect(\'a.db\').execute(\'DROP TABLE users\')"', 'node -e "db.query(\'TRUNCATE orders\')"'],
      safeExamples: ['python3 -c "print(\'DROP TABLE x\')"', 'node -e "db.query(\'SELECT 1\')"'],
    },
    {
      id: 'databases.drop-tools',
      category: 'database',
      commands: ['dropdb', 'mysqladmin', 'dropuser', 'pg_restore', 'mongorestore', 'pg_dropcluster', 'influx', 'cockroach'],
      when: (c) => {
        switch (c.name) {
          case 'dropdb':
          case 'pg_dropcluster':
            return true
          case 'dropuser':
            return true
          case 'mysqladmin':
            return (c.pos.includes('drop') || c.pos.includes('DROP')) && 'mysqladmin drop drops a database'
          case 'pg_restore':
            return c.has('-c', '--clean') && 'pg_restore --clean drops objects before recreating them'
          case 'mongorestore':
            return c.has('--drop') && 'mongorestore --drop drops collections before restoring'
          case 'influx':
            return ['bucket', 'org', 'database'].includes(c.pos[0] ?? '') && c.pos[1] === 'delete'
          default:
            return false
        }
      },
      reason: (c) => `${c.name} drops a database`,
      examples: ['dropdb production', 'dropdb -h db -U postgres app', 'mysqladmin -u root -p drop shop', 'mysqladmin drop -f test', 'pg_restore --clean -d app dump.sql', 'mongorestore --drop --db app dump/', 'influx bucket delete -n metrics'],
      safeExamples: ['createdb app', 'mysqladmin status', 'pg_restore -l dump.sql', 'mongorestore --db app dump/', 'pg_dump app > app.sql'],
    },
    {
      id: 'databases.orm-reset',
      category: 'database',
      commands: ['prisma', 'rails', 'rake', 'manage.py', 'django-admin', 'artisan', 'supabase', 'sequelize', 'sequelize-cli', 'typeorm', 'knex', 'mix', 'dotnet', 'alembic', 'flask', 'diesel', 'sqlx', 'goose', 'migrate', 'flyway', 'liquibase', 'atlas', 'dbmate', 'drizzle-kit', 'mikro-orm', 'rails-dev', 'bin/rails', 'payload', 'strapi', 'hasura', 'directus', 'medusa', 'ecto', 'sails', 'adonis', 'ace', 'node-pg-migrate', 'db-migrate', 'php', 'symfony', 'console'],
      dryRun: false,
      when: (c) => {
        const [a, b, d] = c.pos
        const t = c.t
        switch (c.name) {
          case 'prisma':
            if (a === 'migrate' && b === 'reset') return 'prisma migrate reset drops the database'
            if (a === 'db' && b === 'push' && c.has('--force-reset', '--accept-data-loss')) return `prisma db push ${c.has('--force-reset') ? '--force-reset drops the database' : '--accept-data-loss drops data'}`
            return false
          case 'rails':
          case 'rake':
          case 'bin/rails':
          case 'rails-dev':
            return c.pos.some((x) => /^db:(drop|reset|purge|truncate_all|schema:load|structure:load|migrate:reset|seed:replant|setup)(:\w+)?$/.test(x)) && `${c.name} ${c.pos.find((x) => x.startsWith('db:'))} deletes the database`
          case 'manage.py':
          case 'django-admin':
            if (a === 'flush' || a === 'reset_db' || a === 'reset_schema') return `manage.py ${a} deletes every row`
            return a === 'migrate' && c.pos[2] === 'zero' && 'manage.py migrate <app> zero unapplies every migration (drops its tables)'
          case 'artisan':
            return /^(migrate:fresh|migrate:reset|migrate:refresh|db:wipe|schema:drop)$/.test(a ?? '') && `artisan ${a} drops the database tables`
          case 'php':
          case 'symfony':
          case 'console':
            return t.some((x) => /^(doctrine:(database:drop|schema:drop|fixtures:load)|d:d:d|d:s:d)$/.test(x)) && (c.has('--force', '-f') || t.includes('doctrine:fixtures:load')) && 'doctrine drops the database or schema'
          case 'supabase':
            return a === 'db' && b === 'reset' && 'supabase db reset recreates the database'
          case 'sequelize':
          case 'sequelize-cli':
            return (a === 'db:drop' || a === 'db:migrate:undo:all' || a === 'db:seed:undo:all') && `sequelize ${a}`
          case 'typeorm':
            return a === 'schema:drop' && 'typeorm schema:drop drops every table'
          case 'knex':
            return a === 'migrate:rollback' && c.has('--all') && 'knex migrate:rollback --all'
          case 'mix':
            return /^ecto\.(drop|reset|rollback)$/.test(a ?? '') && (a !== 'ecto.rollback' || c.has('--all')) && `mix ${a}`
          case 'dotnet':
            return a === 'ef' && ((b === 'database' && d === 'drop') || (b === 'database' && d === 'update' && c.pos[3] === '0')) && 'dotnet ef database drop'
          case 'alembic':
            return a === 'downgrade' && b === 'base' && 'alembic downgrade base drops every migrated table'
          case 'flask':
            return a === 'db' && b === 'downgrade' && d === 'base' && 'flask db downgrade base'
          case 'diesel':
            return (a === 'database' && (b === 'reset' || b === 'drop')) && `diesel database ${b}`
          case 'sqlx':
            return (a === 'database' || a === 'db') && (b === 'drop' || b === 'reset') && `sqlx database ${b}`
          case 'goose':
            return c.pos.some((x) => x === 'reset') || (c.pos.includes('down-to') && c.pos[c.pos.indexOf('down-to') + 1] === '0')
          case 'migrate':
            return c.pos.includes('drop') && 'migrate drop drops everything in the database'
          case 'flyway':
            return c.pos.includes('clean') && !t.some((x) => /cleanDisabled=true/.test(x)) && 'flyway clean drops every object in the schemas'
          case 'liquibase':
            return c.pos.some((x) => /^drop-?all$/i.test(x)) && 'liquibase dropAll'
          case 'atlas':
            return a === 'schema' && b === 'clean' && 'atlas schema clean drops every object'
          case 'dbmate':
            return a === 'drop' && 'dbmate drop drops the database'
          case 'drizzle-kit':
            return a === 'push' && c.has('--force') && 'drizzle-kit push --force applies data-loss statements without asking'
          case 'mikro-orm':
            return /^(schema:drop|schema:fresh|migration:fresh)$/.test(a ?? '') && (c.has('--run', '-r') || a === 'migration:fresh') && `mikro-orm ${a}`
          case 'node-pg-migrate':
          case 'db-migrate':
            return (a === 'reset' || (a === 'down' && c.pos.includes('0'))) && `${c.name} ${a}`
          case 'hasura':
            return a === 'migrate' && b === 'delete' && c.has('--all')
          default:
            return false
        }
      },
      reason: (c) => `${c.name} resets or drops the database`,
      examples: ['npx prisma migrate reset --force', 'prisma db push --force-reset', 'pnpm exec prisma db push --accept-data-loss', 'rails db:drop', 'bin/rails db:reset', 'bundle exec rake db:drop db:create', 'RAILS_ENV=production rails db:schema:load', 'python manage.py flush --noinput', './manage.py flush', 'python3 manage.py migrate shop zero', 'django-admin reset_db', 'php artisan migrate:fresh --seed', 'php artisan db:wipe --force', 'supabase db reset', 'supabase db reset --linked', 'npx sequelize-cli db:drop', 'npx typeorm schema:drop', 'mix ecto.reset', 'dotnet ef database drop -f', 'alembic downgrade base', 'flyway -url=jdbc:x clean', 'dbmate drop', 'knex migrate:rollback --all', 'php bin/console doctrine:schema:drop --force', 'diesel database reset', 'sqlx database drop -y', 'drizzle-kit push --force', 'goose postgres "$DB" reset'],
      safeExamples: ['npx prisma migrate dev', 'prisma migrate deploy', 'prisma db push', 'prisma generate', 'rails db:migrate', 'rails db:seed', 'python manage.py migrate', 'python manage.py makemigrations', 'php artisan migrate', 'supabase start', 'mix ecto.migrate', 'alembic upgrade head', 'flyway migrate', 'dbmate up', 'rails console'],
    },
    {
      id: 'databases.mongo',
      category: 'database',
      commands: ['mongo', 'mongosh'],
      dryRun: false,
      when: (c) => [...c.t, c.stdin ?? ''].some((x) => MONGO_DANGER.test(x)),
      reason: 'mongo drop()/dropDatabase()/deleteMany({}) deletes data',
      examples: ['mongosh --eval "db.dropDatabase()"', 'mongo mydb --eval "db.users.drop()"', 'mongosh app --eval \'db.events.deleteMany({})\'', 'mongosh <<EOF\nuse app\ndb.sessions.remove({})\nEOF', 'mongosh "mongodb://h/app" --eval "db.getCollection(\'x\').drop()"'],
      safeExamples: ['mongosh --eval "db.users.find()"', 'mongosh --eval "db.users.deleteMany({ expired: true })"', 'mongosh --eval "db.stats()"'],
    },
    {
      id: 'databases.redis-flush',
      category: 'database',
      commands: ['redis-cli', 'valkey-cli', 'keydb-cli', 'memurai-cli', 'dragonfly-cli'],
      dryRun: false,
      when: (c) => {
        const cmdWord = c.pos.find((x) => /^flush(all|db)$/i.test(x))
        if (cmdWord) return `redis ${cmdWord.toUpperCase()} deletes every key`
        if (c.stdin && /(^|\n)\s*flush(all|db)\b/i.test(c.stdin)) return 'redis FLUSHALL/FLUSHDB fed on stdin'
        if (c.xargs && c.pos.some((x) => /^(del|unlink)$/i.test(x))) return 'redis DEL run by xargs over every listed key'
        if (c.pos[0] && /^(del|unlink)$/i.test(c.pos[0]) && c.t.some((x) => x.includes('$(') && /keys|scan/i.test(x))) return 'redis DEL of every matching key'
        return false
      },
      reason: 'redis FLUSHALL/FLUSHDB deletes every key',
      examples: ['redis-cli FLUSHALL', 'redis-cli -n 2 flushdb', 'redis-cli -h cache.internal -a pw flushall async', 'echo FLUSHALL | redis-cli', 'redis-cli --scan --pattern "sess:*" | xargs redis-cli del', 'valkey-cli flushdb'],
      safeExamples: ['redis-cli GET key', 'redis-cli KEYS "*"', 'redis-cli DEL one-key', 'redis-cli INFO', 'redis-cli --scan --pattern "sess:*"'],
    },
    {
      id: 'databases.search-delete',
      category: 'database',
      commands: ['curl', 'http', 'https', 'xh', 'curlie', 'wget', 'httpie'],
      dryRun: false,
      when: (c) => {
        const us = urls(c)
        const m = httpMethod(c)
        const es = us.find((u) => /:(9200|9243)\b|\/_all\b|_delete_by_query|\/_doc\/|elastic|opensearch|\/_cat\//.test(u))
        if (!es) return false
        if (us.some((u) => /_delete_by_query/.test(u)) && m !== 'GET') return 'elasticsearch _delete_by_query deletes matching documents'
        if (m === 'DELETE') return `elasticsearch DELETE ${es}`
        return false
      },
      reason: 'deletes elasticsearch/opensearch indices or documents',
      examples: ['curl -X DELETE "localhost:9200/_all"', 'curl -XDELETE http://es:9200/logs-2024*', 'curl -X POST "localhost:9200/orders/_delete_by_query" -H "Content-Type: application/json" -d \'{"query":{"match_all":{}}}\'', 'http DELETE :9200/index'],
      safeExamples: ['curl localhost:9200/_cat/indices', 'curl -X GET "localhost:9200/orders/_search"', 'curl -X PUT localhost:9200/new-index'],
    },
  ],
}

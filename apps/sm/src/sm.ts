import { me, status } from './commands/status.js'
import { fastCommand } from './fast-path.js'
import { wantsSessionStatus } from './in-session.js'
import { runCommand } from './run-command.js'

// The entry is a small CommonJS file: the commands agents run most (`status`, `ls`, `me`)
// start without the ESM loader or yargs; everything else loads the full CLI on demand.
const argv = process.argv.slice(2)
const parsed = fastCommand(argv)
// inside a managed session `sm status` is the session's view: the full CLI draws it
const fast = parsed && wantsSessionStatus(argv[0], parsed.all) ? null : parsed
declare const __SM_VERSION__: string

const done = !fast
  ? import('./cli.js').then((cli) => cli.main(argv))
  : fast.command === 'version'
    ? Promise.resolve(void process.stdout.write(`${__SM_VERSION__}\n`))
    : runCommand((conn) => (fast.command === 'me' ? me(conn, fast) : status(conn, fast)))
done.catch((error: unknown) => {
  process.stderr.write(`sm: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})

/**
 * The commands agents run most, recognised without loading the full parser: `status`/`ls`
 * (`--all`/`-a`, `--json`), `me` (`--json`) and `--version`. Anything else, `--help` included, returns null
 * and goes to yargs, so behaviour is the same either way; this only saves start-up time.
 */
export function fastCommand(argv: readonly string[]): null | { command: 'status' | 'me' | 'version'; all: boolean; json: boolean } {
  const [name, ...rest] = argv
  if ((name === '--version' || name === '-v') && rest.length === 0) return { command: 'version', all: false, json: false }
  if (name !== 'status' && name !== 'ls' && name !== 'me') return null
  let all = false
  let json = false
  for (const arg of rest) {
    if (arg === '--json') json = true
    else if ((arg === '--all' || arg === '-a') && name !== 'me') all = true
    else return null
  }
  return { command: name === 'me' ? 'me' : 'status', all, json }
}

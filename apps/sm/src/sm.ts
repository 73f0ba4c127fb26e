import { processIo } from './io.js'
import { runCli } from './run-cli.js'

// The entry is a small CommonJS file: the commands agents run most (`status`, `ls`, `me`)
// start without the ESM loader or yargs; everything else loads the full CLI on demand (run-cli.ts).
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code
})

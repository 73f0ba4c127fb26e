import { homedir } from 'node:os'
import { explainCommand, explainToolUse, type Explanation } from '@claude-sessions/core/audit'
import { CliError } from '../context.js'
import { printJson } from '../format.js'
import type { Io } from '../io.js'

export interface ExplainArgs {
  command?: string | undefined
  tool?: string | undefined
  input?: string | undefined
  json?: boolean | undefined
}

/** What the audit classifier says of a command or a tool call, and why. Runs locally: no server. */
export function explain(io: Io, argv: ExplainArgs): number {
  const context = { cwd: io.cwd, home: io.env.HOME ?? homedir() }
  let verdict: Explanation
  if (argv.tool !== undefined) {
    if (argv.command !== undefined) throw new CliError('give a command or --tool with --input, not both')
    let input: unknown = {}
    if (argv.input !== undefined) {
      try {
        input = JSON.parse(argv.input)
      } catch {
        throw new CliError(`--input is not valid JSON: ${argv.input.slice(0, 80)}`)
      }
    }
    verdict = explainToolUse(argv.tool, input, context)
  } else {
    if (argv.command === undefined || argv.command.trim() === '') throw new CliError('usage: sm explain "<command>" | sm explain --tool <Name> --input <json>')
    verdict = explainCommand(argv.command, context)
  }
  if (argv.json) {
    printJson(io.out, verdict)
    return 0
  }
  const flags = [
    verdict.destructive ? `destructive (${verdict.category})` : null,
    verdict.sensitive ? 'sensitive' : null,
  ].filter((f): f is string => f !== null)
  io.out.write(`${flags.length > 0 ? flags.join(', ') : 'nothing flagged'}${verdict.match ? `: ${verdict.match}` : ''}\n`)
  if (verdict.rule) io.out.write(`  rule: ${verdict.rule} (pack ${verdict.pack})\n`)
  for (const reason of verdict.reasons) io.out.write(`  - ${reason}\n`)
  return 0
}

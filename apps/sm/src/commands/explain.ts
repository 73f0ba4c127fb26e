import { homedir } from 'node:os'
import { classifyCommand, classifyToolUse, type Verdict } from '@claude-sessions/core'
import { CliError } from '../context.js'
import { printJson } from '../format.js'

export interface ExplainArgs {
  command?: string | undefined
  tool?: string | undefined
  input?: string | undefined
  json?: boolean | undefined
}

/** What the audit classifier says of a command or a tool call, and why. Runs locally: no server. */
export function explain(argv: ExplainArgs): number {
  const context = { cwd: process.cwd(), home: process.env.HOME ?? homedir() }
  let verdict: Verdict
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
    verdict = classifyToolUse(argv.tool, input, context)
  } else {
    if (argv.command === undefined || argv.command.trim() === '') throw new CliError('usage: sm explain "<command>" | sm explain --tool <Name> --input <json>')
    verdict = classifyCommand(argv.command, context)
  }
  if (argv.json) {
    printJson(verdict)
    return 0
  }
  const flags = [
    verdict.destructive ? `destructive (${verdict.category})` : null,
    verdict.sensitive ? 'sensitive' : null,
  ].filter((f): f is string => f !== null)
  process.stdout.write(`${flags.length > 0 ? flags.join(', ') : 'nothing flagged'}${verdict.match ? `: ${verdict.match}` : ''}\n`)
  for (const reason of verdict.reasons) process.stdout.write(`  - ${reason}\n`)
  return 0
}

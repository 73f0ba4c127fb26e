import type { SessionUsageDto, UsageTotals } from '@claude-sessions/api/client'
import type { ServerContext } from '../context.js'
import { printJson } from '../format.js'

export interface UsageArgs {
  session?: string | undefined
  since?: string | undefined
  json?: boolean | undefined
}

const dollars = (n: number): string => `$${n.toFixed(n >= 100 ? 0 : n >= 1 ? 2 : 4)}`
const tokens = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n))

function table(rows: { label: string; t: UsageTotals; tree?: UsageTotals }[]): string {
  const cells = [
    ['session', 'requests', 'input', 'output', 'cache read', 'cache write', 'cost', 'with subtree'],
    ...rows.map(({ label, t, tree }) => [label, String(t.requests), tokens(t.inputTokens), tokens(t.outputTokens), tokens(t.cacheReadTokens), tokens(t.cacheWriteTokens), dollars(t.costUsd), tree ? dollars(tree.costUsd) : '']),
  ]
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)))
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n')
}

const label = (s: SessionUsageDto): string => (s.name !== null ? `${s.name} (${s.id.slice(0, 8)})` : s.id.slice(0, 8))

/**
 * `sm usage [session] [--since]`: tokens and dollars as Claude Code priced them (its
 * OpenTelemetry `api_request` records). One session: it, and its subtree rolled up once.
 */
export async function usage({ io, client }: ServerContext, argv: UsageArgs): Promise<number> {
  const query = argv.since === undefined ? {} : { since: argv.since }
  if (argv.session !== undefined) {
    const one = await client.sessionUsage(argv.session, query)
    if (argv.json) printJson(io.out, one)
    else io.out.write(`${table([{ label: label(one), t: one.own, tree: one.tree }])}\n`)
    return 0
  }
  const all = await client.usage(query)
  if (argv.json) {
    printJson(io.out, all)
    return 0
  }
  const used = all.sessions.filter((s) => s.tree.requests > 0).sort((a, b) => b.tree.costUsd - a.tree.costUsd)
  const rows = [...used.map((s) => ({ label: label(s), t: s.own, tree: s.tree })), { label: 'total', t: all.total }]
  io.out.write(`${table(rows)}\n`)
  if (used.length === 0) io.err.write("sm usage: no usage recorded yet (managed sessions export Claude Code's own figures as they work)\n")
  return 0
}

/** A session command's own arguments (after the session, outside a topic): none, optional or required. */
export type ArgsRule = 'none' | 'optional' | 'required'

export interface SessionCommandSpec {
  /** For errors: `Can't <verb>: …`. */
  verb: string
  args: ArgsRule
  /** The own arguments as shown in usage lines (`[lines]`, `<name>`); empty when it takes none. */
  argsUsage: string
}

/** Commands that act on one session (the topic's, else the first word of the arguments). */
export const SESSION_COMMANDS: Readonly<Record<string, SessionCommandSpec>> = {
  status: { verb: 'show the status', args: 'none', argsUsage: '' },
  message: { verb: 'show the last message', args: 'none', argsUsage: '' },
  summary: { verb: 'summarize', args: 'none', argsUsage: '' },
  output: { verb: 'show the output', args: 'optional', argsUsage: '[lines]' },
  tools: { verb: 'show the tool calls', args: 'optional', argsUsage: '[count]' },
  important: { verb: 'send', args: 'required', argsUsage: '<text>' },
  force: { verb: 'send', args: 'required', argsUsage: '<text>' },
  interrupt: { verb: 'interrupt', args: 'none', argsUsage: '' },
  clear: { verb: 'clear', args: 'optional', argsUsage: '[prompt]' },
  kill: { verb: 'kill', args: 'none', argsUsage: '' },
  name: { verb: 'rename', args: 'required', argsUsage: '<name>' },
}

export const sessionSpec = (command: string): SessionCommandSpec | undefined =>
  Object.hasOwn(SESSION_COMMANDS, command) ? SESSION_COMMANDS[command] : undefined

/** A session button can run the command: it needs no text of its own. */
export const pressable = (command: string): boolean => {
  const spec = sessionSpec(command)
  return spec !== undefined && spec.args !== 'required'
}

interface CatalogEntry {
  command: string
  /** Arguments as shown by /help. */
  usage: string
  description: string
}

/** Every command the bot knows, in /help's order (`/pair`, `/follow`, `/unfollow` are answered before the router). */
export const CATALOG: readonly CatalogEntry[] = [
  { command: 'new', usage: '[project] [prompt]', description: 'start a session in a configured project' },
  { command: 'list', usage: '', description: 'live sessions, children under their parent' },
  { command: 'status', usage: '[session]', description: "a session's state, directory, tool, task and children" },
  { command: 'message', usage: '[session]', description: "the session's last reply" },
  { command: 'summary', usage: '[session]', description: 'a short summary of what the session did' },
  { command: 'output', usage: '[session] [lines]', description: 'the end of its terminal (30 lines; at most 200)' },
  { command: 'tools', usage: '[session] [count]', description: 'its last tool events (10; at most 50)' },
  { command: 'important', usage: '[session] <text>', description: 'send text as soon as possible (at its next tool call)' },
  { command: 'force', usage: '[session] <text>', description: 'interrupt the session, then type text' },
  { command: 'interrupt', usage: '[session]', description: 'press Escape: stop what it is doing' },
  { command: 'clear', usage: '[session] [prompt]', description: 'clear its conversation, then send prompt if given' },
  { command: 'kill', usage: '[session]', description: 'kill the session' },
  { command: 'name', usage: '[session] <name>', description: 'rename the session' },
  { command: 'follow', usage: '[session]', description: 'follow a session: its topic here, or its messages in a private chat' },
  { command: 'unfollow', usage: '[session]', description: 'stop following a session in a private chat' },
  { command: 'pair', usage: '<code>', description: 'get access with a pairing code' },
  { command: 'help', usage: '', description: 'this list' },
]

/** The command menu Telegram clients show (setMyCommands): every command, as /help lists them. */
export function menuCommands(): Array<{ command: string; description: string }> {
  return CATALOG.map((c) => ({ command: c.command, description: c.usage === '' ? c.description : `${c.usage} — ${c.description}` }))
}

/** The /help text: a line per command, then how the session is chosen. */
export function helpText(): string {
  const lines = CATALOG.map((c) => `/${c.command}${c.usage === '' ? '' : ` ${c.usage}`} — ${c.description}`)
  lines.push(
    '',
    "In a session's topic, leave out [session]: the command acts on that session. Elsewhere, give the session's id, id prefix or name first; without one, you get a button per live session.",
  )
  return lines.join('\n')
}

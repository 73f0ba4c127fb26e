import type { DeliveryMode, Session } from '@claude-sessions/core'
import type { BotReply, Project, SessionControl } from '../../control.js'
import { formatPlain, formatTitled } from '../format.js'
import { CATALOG, helpText, pressable, sessionSpec, type SessionCommandSpec } from './catalog.js'
import { buttonRows, firstWord, parseCount, parseProjectData, parseSessionData, projectData, sessionButtons } from './parse.js'
import { formatPre, label, listBody, statusBody, toolLine } from './render.js'

export interface CommandContext {
  /** The session of the topic the command was sent in; undefined outside a session topic. */
  sessionId?: string
}

export interface CommandRouterDeps {
  control: SessionControl
  now: () => number
  /** Time zone of the clock times in `/tools` (IANA name); the server's own when absent. */
  timeZone?: string
}

export const OUTPUT_LINES = { fallback: 30, max: 200 }
export const TOOL_EVENTS = { fallback: 10, max: 50 }

const SEND_MODES: Readonly<Record<string, DeliveryMode>> = { important: 'important', force: 'urgent' }

const plain = (text: string): BotReply => ({ messages: formatPlain(text) })

/** `Can't <verb>: <message>`: how a failure of the control (a `SessionsError`, or anything else) is shown. */
function failure(verb: string, err: unknown): BotReply {
  const message = err instanceof Error ? err.message : String(err)
  return plain(`Can't ${verb}: ${message}`)
}

/** `work()`'s reply, or `Can't <verb>: …` if it fails: never a rejection. */
async function guarded(verb: string, work: () => BotReply | Promise<BotReply>): Promise<BotReply> {
  try {
    return await work()
  } catch (err) {
    return failure(verb, err)
  }
}

/**
 * The bot's commands, independent of grammY: a command or a button press in, a reply out. A
 * session command acts on the topic's session (its arguments all its own), else on the session
 * named by the first word of its arguments; without one it answers with a button per live session.
 * `/pair`, `/follow` and `/unfollow` are answered by the caller before the router (here they are
 * unknown). Never throws: failures become a short reply.
 */
export class CommandRouter {
  /** Commands for setMyCommands: [{command, description}]. */
  static readonly commands: readonly { command: string; description: string }[] = CATALOG.map(({ command, description }) => ({ command, description }))

  constructor(private readonly deps: CommandRouterDeps) {}

  /** `/name args` typed by an allowed user (name without the slash, lower-case, any @botname suffix already removed). */
  run(command: string, args: string, context: CommandContext): Promise<BotReply> {
    const spec = sessionSpec(command)
    if (spec !== undefined) return guarded(spec.verb, () => this.onSession(command, spec, args, context))
    switch (command) {
      case 'help':
        return Promise.resolve({ messages: formatTitled('Commands', helpText()) })
      case 'list':
        return guarded('list the sessions', () => this.list())
      case 'new':
        return guarded('start a session', () => {
          const { word, rest } = firstWord(args)
          return this.start(word, rest)
        })
      default:
        return Promise.resolve(plain(`Unknown command /${command}. /help lists them.`))
    }
  }

  /** A press of a button this router made (its callback data); undefined if the data is not ours. */
  async press(data: string, _context: CommandContext): Promise<BotReply | undefined> {
    const project = parseProjectData(data)
    if (project !== undefined) return guarded('start a session', () => this.start(project, ''))
    const pressed = parseSessionData(data)
    if (pressed === undefined || !pressable(pressed.command)) return undefined
    return this.run(pressed.command, '', { sessionId: pressed.sessionId })
  }

  private async onSession(command: string, spec: SessionCommandSpec, args: string, context: CommandContext): Promise<BotReply> {
    const inTopic = context.sessionId !== undefined
    let ref: string
    let own: string
    if (inTopic) {
      ref = context.sessionId!
      own = args.trim()
    } else {
      const { word, rest } = firstWord(args)
      if (word === '') return spec.args === 'required' ? usage(command, spec, false) : this.chooseSession(command)
      ref = word
      own = rest
    }
    if (spec.args === 'none' && own !== '') {
      return plain(inTopic ? `In a session's topic, /${command} acts on that session and takes no arguments.` : `Usage: /${command} <session>`)
    }
    if (spec.args === 'required' && own === '') return usage(command, spec, inTopic)
    const session = this.deps.control.resolve(ref)
    return this.act(command, session, own)
  }

  private act(command: string, session: Session, own: string): Promise<BotReply> | BotReply {
    const { control } = this.deps
    switch (command) {
      case 'status':
        return { messages: formatTitled(label(session), statusBody(session, control.children(session.id), this.deps.now())) }
      case 'message':
        return session.lastMessage === null || session.lastMessage.trim() === ''
          ? plain(`${label(session)} has no last message yet.`)
          : { messages: formatTitled(`Last message of ${label(session)}`, session.lastMessage) }
      case 'summary':
        return this.summary(session)
      case 'output':
        return this.output(session, own)
      case 'tools':
        return this.tools(session, own)
      case 'interrupt':
        return control.interrupt(session.id).then(() => plain(`Interrupted ${label(session)} (Escape).`))
      case 'clear':
        return (own === '' ? control.clear(session.id) : control.clear(session.id, own)).then(() =>
          plain(own === '' ? `Cleared ${label(session)}.` : `Cleared ${label(session)} and sent the prompt.`),
        )
      case 'kill':
        return control.kill(session.id).then(() => plain(`Killed ${label(session)}.`))
      case 'name':
        return control.rename(session.id, own).then((renamed) => plain(`Renamed ${session.id} to ${renamed.name ?? own}.`))
      default:
        return this.send(session, own, SEND_MODES[command] ?? 'sequential')
    }
  }

  private async summary(session: Session): Promise<BotReply> {
    const text = await this.deps.control.summary(session.id)
    if (text.trim() === '') return plain(`Nothing to summarize for ${label(session)} yet.`)
    return { messages: formatTitled(`Summary of ${label(session)}`, text) }
  }

  private async output(session: Session, own: string): Promise<BotReply> {
    const { fallback, max } = OUTPUT_LINES
    const lines = parseCount(own, fallback, max)
    if (lines === undefined) return plain(`/output takes a number of lines from 1 to ${max} (default ${fallback}).`)
    const text = await this.deps.control.output(session.id, lines)
    const messages = formatPre(`Output of ${label(session)} (last ${lines} lines)`, text)
    return messages.length === 0 ? plain(`The terminal of ${label(session)} is empty.`) : { messages }
  }

  private tools(session: Session, own: string): BotReply {
    const { fallback, max } = TOOL_EVENTS
    const count = parseCount(own, fallback, max)
    if (count === undefined) return plain(`/tools takes a number of events from 1 to ${max} (default ${fallback}).`)
    const events = this.deps.control.tools(session.id, count).slice(-count)
    if (events.length === 0) return plain(`No tool events for ${label(session)} yet.`)
    const now = this.deps.now()
    const body = events.map((e) => toolLine(e, now, this.deps.timeZone)).join('\n')
    const title = `Last ${events.length} tool event${events.length === 1 ? '' : 's'} of ${label(session)}`
    return { messages: formatTitled(title, body) }
  }

  private async send(session: Session, text: string, mode: DeliveryMode): Promise<BotReply> {
    const { status } = await this.deps.control.send(session.id, text, mode)
    return plain(status === 'delivered' ? 'Delivered.' : `Queued: it goes in when ${session.name ?? session.id} is free.`)
  }

  private list(): BotReply {
    const sessions = this.deps.control.list()
    if (sessions.length === 0) return plain('No live sessions. /new starts one.')
    return { messages: formatTitled(`Live sessions (${sessions.length})`, listBody(sessions, this.deps.now())) }
  }

  /** Which session to run `command` on: a button per live session. */
  private chooseSession(command: string): BotReply {
    const sessions = this.deps.control.list()
    if (sessions.length === 0) return plain('No live sessions. /new starts one.')
    const buttons = sessionButtons(command, sessions)
    const more = buttons.length < sessions.length ? ` (${sessions.length - buttons.length} more not shown: /${command} <session>)` : ''
    return { messages: formatPlain(`/${command}: which session?${more}`), buttons }
  }

  /** `/new [project] [prompt]`: without a project, a button per project. */
  private async start(name: string, prompt: string): Promise<BotReply> {
    const { control } = this.deps
    const projects = control.projects()
    if (projects.length === 0) {
      return plain('No projects are configured for /new: set telegram.projects in the config (a name for each project directory).')
    }
    if (name === '') {
      const buttons = buttonRows(projects.map((p) => ({ text: p.name, data: projectData(p.name) })))
      return { messages: formatPlain('Start a session in which project? (or /new <project> [prompt])'), buttons }
    }
    const project = findProject(projects, name)
    if (project === undefined) return plain(`Unknown project ${name}. Known projects: ${projects.map((p) => p.name).join(', ')}.`)
    const session = await control.create(prompt === '' ? { workingDir: project.dir } : { workingDir: project.dir, prompt })
    return plain(`Started ${label(session)} in ${project.name} (${project.dir}).`)
  }
}

/** The project named `name`: exactly, else the one matching without regard to case. */
function findProject(projects: readonly Project[], name: string): Project | undefined {
  const exact = projects.find((p) => p.name === name)
  if (exact !== undefined) return exact
  const folded = projects.filter((p) => p.name.toLowerCase() === name.toLowerCase())
  return folded.length === 1 ? folded[0] : undefined
}

function usage(command: string, spec: SessionCommandSpec, inTopic: boolean): BotReply {
  const session = inTopic ? '' : ' <session>'
  return plain(`Usage: /${command}${session}${spec.argsUsage === '' ? '' : ` ${spec.argsUsage}`}`)
}

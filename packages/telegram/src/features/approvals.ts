import type { Button } from '../control.js'
import { escapeHtml, type FormattedMessage } from './format.js'
import { HeldRequests, type Held } from '../state/held-requests.js'

/** A PermissionRequest the person may answer with buttons. */
export interface ApprovalRequest {
  session: { id: string; name: string | null; workingDir: string }
  toolName: string
  toolInput: unknown
  /** Claude's `permission_suggestions`: what "Always allow" adds. */
  suggestions: readonly unknown[]
}

export type ApprovalChoice = 'allow' | 'always' | 'deny'

/** What a press decided: the PermissionRequest hook's reply. */
export interface ApprovalDecision {
  choice: ApprovalChoice
  by: string
  reply: Record<string, unknown>
}

export type { ApprovalLapse } from '../state/held-requests.js'

export interface ApprovalsDeps {
  /** How long a request waits for a press. */
  waitMs: number
  timer: (ms: number, work: () => void) => { cancel(): void }
  /**
   * Posts the request (with its buttons) in the session's topic; the message is known by `key`
   * afterwards. False when it is not shown now (turned off, quiet hours): nobody waits then.
   */
  post: (request: ApprovalRequest, message: FormattedMessage, buttons: Button[][], key: string) => boolean
  /** Replaces the request's message (by its key), buttons removed. */
  edit: (request: ApprovalRequest, key: string, message: FormattedMessage) => void
  /** Ids for callback data: short and unique in this process. */
  nextId: () => string
}

interface Pending extends Held<ApprovalDecision> {
  request: ApprovalRequest
  message: FormattedMessage
}

/** Callback data of the approval buttons: `p:<id>:<a|s|d>`. */
const DATA = /^p:([A-Za-z0-9]{1,40}):([asd])$/
const CHOICES: Record<string, ApprovalChoice> = { a: 'allow', s: 'always', d: 'deny' }
const INPUT_SHOWN = 1500

const decisionReply = (decision: Record<string, unknown>) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } })

/**
 * Permission approval from Telegram. `request` posts the tool and its input with Allow / Always
 * allow / Deny and resolves with the first press, or with null after `waitMs`, when the terminal
 * answered first, or when the hook gave up — then the reply adds nothing and the dialog stays for
 * the person at the keyboard. Whoever answers first wins; the message is edited to say who
 * decided what.
 */
export class Approvals extends HeldRequests<ApprovalDecision, Pending> {
  constructor(private readonly deps: ApprovalsDeps) {
    super(deps, DATA)
  }

  /** Posts the request and waits for the first answer (null: none from Telegram). */
  request(request: ApprovalRequest): { id: string; posted: boolean; decision: Promise<ApprovalDecision | null> } {
    const id = this.deps.nextId()
    const message = describeRequest(request)
    const buttons: Button[][] = [
      [
        { text: 'Allow', data: `p:${id}:a` },
        ...(request.suggestions.length > 0 ? [{ text: 'Always allow', data: `p:${id}:s` }] : []),
        { text: 'Deny', data: `p:${id}:d` },
      ],
    ]
    if (!this.deps.post(request, message, buttons, keyOf(id))) return { id, posted: false, decision: Promise.resolve(null) }
    return { id, posted: true, decision: this.hold({ id, request, message }) }
  }

  /** Whether `data` is an approval button's. */
  static owns(data: string): boolean {
    return data.startsWith('p:')
  }

  /** A press: Allow, Always allow or Deny settles the request. */
  protected pressed(p: Pending, m: RegExpExecArray, by: string): string {
    const choice = CHOICES[m[2]!]!
    const reply =
      choice === 'deny'
        ? decisionReply({ behavior: 'deny', message: `Denied from Telegram by ${by}` })
        : choice === 'always'
          ? decisionReply({ behavior: 'allow', updatedPermissions: p.request.suggestions })
          : decisionReply({ behavior: 'allow' })
    this.settle(p, { choice, by, reply }, `${VERDICT[choice]} by ${by}`)
    return VERDICT[choice]
  }

  protected finish(p: Pending, outcome: string): void {
    const text = `${p.message.text}\n\n${outcome}`
    const html = `${p.message.html}\n\n<i>${escapeHtml(outcome)}</i>`
    this.deps.edit(p.request, keyOf(p.id), { text, html })
  }
}

const keyOf = (id: string) => `perm:${id}`

const VERDICT: Record<ApprovalChoice, string> = { allow: 'Allowed', always: 'Always allowed', deny: 'Denied' }

/** "Permission: Bash" and what the tool would do: a command, a file, or the input as JSON. */
export function describeRequest(request: ApprovalRequest): FormattedMessage {
  const title = `Permission: ${request.toolName}`
  const input = request.toolInput as Record<string, unknown> | null
  const main =
    typeof input?.command === 'string'
      ? input.command
      : typeof input?.file_path === 'string'
        ? input.file_path
        : JSON.stringify(request.toolInput ?? {}, null, 1)
  const shown = main.length > INPUT_SHOWN ? `${main.slice(0, INPUT_SHOWN)}…` : main
  const note = typeof input?.description === 'string' ? `\n${input.description}` : ''
  return {
    text: `${title}\n${shown}${note}`,
    html: `<b>${escapeHtml(title)}</b>\n<pre>${escapeHtml(shown)}</pre>${escapeHtml(note)}`,
  }
}

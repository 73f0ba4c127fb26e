import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { SessionDto } from '@claude-sessions/api/client'
import { attachArgv } from '@claude-sessions/tmux'
import { CliError, type ServerContext } from '../context.js'
import { age, describeSession } from '../format.js'
import type { Io } from '../io.js'

/** Runs tmux attached to this terminal (the process's own stdio); resolves with tmux's exit code. */
export function attachTerminal(io: Io, socket: string, session: SessionDto): Promise<number> {
  if (session.tmuxSession === null) throw new CliError(`${describeSession(session)} is external: it has no terminal to attach`)
  const [cmd, ...args] = attachArgv(socket, session.tmuxSession)
  const env = { ...io.env }
  delete env.TMUX // attaching from inside another tmux
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: 'inherit', env, cwd: io.cwd })
    child.on('error', (error) => reject(new CliError(`can't run tmux: ${error.message}`)))
    child.on('exit', (code) => resolve(code ?? 1))
  })
}

async function choose(io: Io, sessions: SessionDto[]): Promise<SessionDto> {
  const lines = sessions.map(
    (s, i) => `${String(i + 1).padStart(2)}) ${(s.name ?? '-').padEnd(12)} ${s.id}  ${s.state.padEnd(18)} ${age(s.lastActivityAt).padStart(4)}  ${s.workingDir}`,
  )
  io.err.write(`${lines.join('\n')}\n`)
  const rl = createInterface({ input: io.stdin, terminal: false })
  io.err.write(`attach to [1-${sessions.length}]: `)
  const answer = await new Promise<string | null>((resolve) => {
    rl.once('line', resolve)
    rl.once('close', () => resolve(null))
  })
  rl.close()
  const n = Number(answer?.trim())
  if (answer === null || !Number.isInteger(n) || n < 1 || n > sessions.length) {
    throw new CliError(answer === null ? 'no choice made' : `not a choice: '${answer.trim()}'`)
  }
  return sessions[n - 1]!
}

/** `sm attach [session]`: the session, the only one, or a numbered menu. */
export async function attach({ io, client }: ServerContext, ref: string | undefined): Promise<number> {
  const [health, target] = await Promise.all([
    client.health(),
    ref !== undefined
      ? client.get(ref).then((r) => r.session)
      : client.list().then(async ({ sessions }) => {
          const managed = sessions.filter((s) => s.kind === 'managed')
          if (managed.length === 0) throw new CliError('no live sessions to attach to (sm new creates one)')
          return managed.length === 1 ? managed[0]! : choose(io, managed)
        }),
  ])
  if (target.state === 'stopped') throw new CliError(`${describeSession(target)} has stopped`)
  return attachTerminal(io, health.tmuxSocket, target)
}

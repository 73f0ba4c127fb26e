/**
 * Resolving what a simple command really runs: strips `VAR=x` assignments and the wrappers
 * `env`, `sudo`/`doas`, `command`, `builtin`, `exec`, `nice`, `ionice`, `nohup`, `timeout`,
 * `time`, `stdbuf`, `xargs` (the command it runs), and normalizes argv[0] (`/bin/rm` → `rm`).
 * `sh -c` / `bash -c` are left to the classifier, which re-parses their script.
 */
import type { Word } from './shell-lexer.js'

export interface ResolvedCommand {
  /** argv[0] is the bare program name; the rest are the words after the wrappers. */
  name: string
  args: Word[]
  /** The wrappers that were removed, in order (`sudo`, `env`, `xargs`, ...). */
  wrappers: string[]
  sudo: boolean
  /** The command was run by `xargs` (its input supplies more arguments). */
  xargs: boolean
  /** The words before the command (wrappers and their options: `docker run -v a:b img`). */
  prefix?: Word[]
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/
/** Words that may open a command in compound statements; they are skipped. */
const KEYWORDS = new Set(['{', '}', '!', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', 'done', 'fi', 'esac'])

export function programName(word: string): string {
  const slash = word.lastIndexOf('/')
  return slash >= 0 ? word.slice(slash + 1) : word
}

/** Flags (of a wrapper) that consume the next word. */
const SUDO_ARG_FLAGS = new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-R', '--user', '--group', '--host', '--prompt', '--chdir', '--role', '--type', '--other-user', '--close-from', '--command-timeout', '--chroot'])
const ENV_ARG_FLAGS = new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string'])
const XARGS_ARG_FLAGS = new Set(['-I', '-i', '-n', '-P', '-L', '-l', '-d', '-E', '-e', '-s', '-a', '--max-args', '--max-procs', '--max-lines', '--delimiter', '--eof', '--max-chars', '--arg-file', '--replace'])
const TIMEOUT_ARG_FLAGS = new Set(['-s', '-k', '--signal', '--kill-after'])
const NICE_ARG_FLAGS = new Set(['-n', '--adjustment'])
const IONICE_ARG_FLAGS = new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata'])
const STDBUF_ARG_FLAGS = new Set(['-i', '-o', '-e'])

function skipFlags(words: Word[], i: number, argFlags: Set<string>): number {
  while (i < words.length) {
    const t = words[i]!.text
    if (t === '--') return i + 1
    if (!t.startsWith('-') || t === '-') return i
    i += argFlags.has(t) ? 2 : 1
  }
  return i
}

/**
 * Unwraps wrappers. Returns null when nothing is executed (empty command, `command -v x`).
 * `env -S "..."` returns the split string as `envSplit` for re-parsing.
 */
export function resolveCommand(input: Word[]): ResolvedCommand | null {
  let words = input
  let i = 0
  const wrappers: string[] = []
  let sudo = false
  let xargs = false
  for (let guard = 0; guard < 32; guard++) {
    while (i < words.length && (ASSIGNMENT.test(words[i]!.text) || (KEYWORDS.has(words[i]!.text) && !words[i]!.quoted))) i++
    if (i >= words.length) return null
    const name = programName(words[i]!.text)
    const next = i + 1
    switch (name) {
      case 'sudo':
      case 'doas':
        sudo = true
        wrappers.push(name)
        i = skipFlags(words, next, SUDO_ARG_FLAGS)
        continue
      case 'env': {
        wrappers.push(name)
        let j = next
        while (j < words.length) {
          const t = words[j]!.text
          if (t === '-S' || t === '--split-string') {
            // env -S "cmd args": the string is split into words.
            const split = (words[j + 1]?.text ?? '').split(/\s+/).filter(Boolean)
            const splitWords = split.map((text) => ({ text, raw: text, quoted: false, subs: [] }))
            words = [...splitWords, ...words.slice(j + 2)]
            j = 0
            break
          }
          if (t === '--') {
            j++
            break
          }
          if (!t.startsWith('-') || t === '-') break
          j += ENV_ARG_FLAGS.has(t) ? 2 : 1
        }
        i = j
        continue
      }
      case 'command': {
        const flags = words.slice(next).filter((w) => w.text.startsWith('-')).map((w) => w.text)
        if (flags.some((f) => f.includes('v') || f.includes('V'))) return null
        wrappers.push(name)
        i = skipFlags(words, next, new Set())
        continue
      }
      case 'builtin':
      case 'busybox':
      case 'nohup':
        wrappers.push(name)
        i = skipFlags(words, next, new Set())
        continue
      case 'exec':
        wrappers.push(name)
        i = skipFlags(words, next, new Set(['-a']))
        continue
      case 'time':
        wrappers.push(name)
        i = skipFlags(words, next, new Set(['-f', '-o', '--format', '--output']))
        continue
      case 'nice':
        wrappers.push(name)
        i = skipFlags(words, next, NICE_ARG_FLAGS)
        continue
      case 'ionice':
        wrappers.push(name)
        i = skipFlags(words, next, IONICE_ARG_FLAGS)
        continue
      case 'stdbuf':
        wrappers.push(name)
        i = skipFlags(words, next, STDBUF_ARG_FLAGS)
        continue
      case 'timeout':
        wrappers.push(name)
        i = skipFlags(words, next, TIMEOUT_ARG_FLAGS)
        i++ // the duration
        continue
      case 'xargs':
      case 'parallel':
        wrappers.push(name)
        xargs = true
        i = skipFlags(words, next, XARGS_ARG_FLAGS)
        if (i >= words.length) return null
        continue
      default: {
        const inner = innerCommand(name, words, next)
        if (inner !== null) {
          wrappers.push(inner.wrapper)
          if (inner.sudo) sudo = true
          i = inner.index
          continue
        }
        return { name, args: words.slice(i + 1), wrappers, sudo, xargs, prefix: words.slice(0, i) }
      }
    }
  }
  return null
}

/** Runners that execute their arguments as a command: `npx x`, `bundle exec x`, `docker exec c x`, `kubectl exec p -- x`, … */
const RUNNER_FLAGS: Record<string, Set<string>> = {
  npx: new Set(['-p', '--package', '--node-options', '--cache', '--registry']),
  bunx: new Set(['-p', '--package']),
  pnpx: new Set(['-p', '--package']),
  uvx: new Set(['--from', '--with', '--python', '-p', '--with-requirements', '--index-url']),
  'pnpm exec': new Set(['-C', '--dir', '--filter', '-F', '--workspace-concurrency']),
  'pnpm dlx': new Set(['--package']),
  'yarn exec': new Set([]),
  'yarn dlx': new Set(['-p', '--package']),
  'npm exec': new Set(['-p', '--package', '-w', '--workspace', '-c', '--call']),
  'bun x': new Set(['-p', '--package']),
  'bundle exec': new Set(['--gemfile']),
  'poetry run': new Set(['-C', '--directory', '-P', '--project']),
  'pipenv run': new Set([]),
  'uv run': new Set(['--with', '--python', '-p', '--with-requirements', '--package', '--directory', '--project', '--env-file', '--extra', '--group', '--index-url', '--from']),
  'pdm run': new Set(['-p', '--project']),
  'hatch run': new Set(['-e', '--env']),
  'rye run': new Set([]),
  'pipx run': new Set(['--spec', '--python', '--index-url']),
  'conda run': new Set(['-n', '--name', '-p', '--prefix', '--cwd']),
  'mamba run': new Set(['-n', '--name', '-p', '--prefix']),
  'micromamba run': new Set(['-n', '--name', '-p', '--prefix']),
  'deno task': new Set([]),
  dotenv: new Set(['-e', '-c', '-v', '-f']),
  'doppler run': new Set(['-p', '--project', '-c', '--config', '--command', '--token']),
  'op run': new Set(['--env-file', '--account']),
  'infisical run': new Set(['--env', '--path', '--projectId', '--token', '--command']),
  chronic: new Set([]),
  setsid: new Set([]),
  unbuffer: new Set([]),
  caffeinate: new Set(['-t', '-w']),
  pkexec: new Set(['--user']),
  firejail: new Set([]),
  proxychains: new Set(['-f']),
  proxychains4: new Set(['-f']),
  torsocks: new Set([]),
  tsocks: new Set([]),
  strace: new Set(['-e', '-o', '-p', '-s', '-u', '-E']),
  ltrace: new Set(['-e', '-o', '-p', '-s', '-u']),
  faketime: new Set(['-f']),
  taskset: new Set(['-p']),
  numactl: new Set(['-C', '-N', '-m', '-p', '-i']),
  cpulimit: new Set(['-l', '-p', '-e']),
  trickle: new Set(['-u', '-d']),
  'systemd-run': new Set(['-u', '--unit', '-p', '--property', '--uid', '--gid', '-E', '--setenv', '--slice', '-M', '--machine', '--working-directory', '-D', '--description']),
  'systemd-inhibit': new Set(['--what', '--who', '--why', '--mode']),
  'run-one': new Set([]),
  'with-contenv': new Set([]),
  'aws-vault exec': new Set(['-d', '--duration', '-t', '--mfa-token', '--region']),
  'direnv exec': new Set([]),
}

/** Runners whose first positional is not the command: `gosu USER cmd`, `chroot DIR cmd`, `flock FILE cmd`. */
const FIRST_ARG_RUNNERS = new Set(['gosu', 'su-exec', 'chroot', 'flock', 'aws-vault exec', 'direnv exec', 'sg'])

const DOCKER_VALUE = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '--name', '--network', '--net', '--entrypoint', '-l', '--label', '--platform', '--add-host', '--cap-add', '--cap-drop', '--device', '--dns', '-h', '--hostname', '--memory', '-m', '--cpus', '--shm-size', '--ulimit', '--restart', '--log-driver', '--log-opt', '--pull', '--security-opt', '--tmpfs', '--gpus', '--ipc', '--pid', '--runtime', '--stop-signal', '--volumes-from', '--link', '--expose', '--health-cmd', '--label-file', '--detach-keys', '--cidfile', '--group-add', '--init-path', '--isolation', '--userns', '--uts', '--cgroupns', '-c', '--cpu-shares', '--index', '-f', '--file', '-p', '--project-name', '--profile', '--project-directory', '--context', '-H', '--host'])
const KUBECTL_VALUE = new Set(['-n', '--namespace', '-c', '--container', '--context', '--kubeconfig', '--cluster', '--user', '-f', '--filename', '--pod-running-timeout', '-s', '--server', '--token', '--as'])

function innerCommand(name: string, words: Word[], next: number): { wrapper: string; index: number; sudo?: boolean } | null {
  const t = (k: number): string => words[k]?.text ?? ''
  const after = (key: string, start: number): { wrapper: string; index: number } | null => {
    const flags = RUNNER_FLAGS[key] ?? new Set<string>()
    let k = skipFlags(words, start, flags)
    if (FIRST_ARG_RUNNERS.has(key)) k++
    if (key === 'flock') while (k < words.length && words[k]!.text.startsWith('-')) k++
    return k < words.length ? { wrapper: key, index: k } : null
  }
  if (RUNNER_FLAGS[name] !== undefined || FIRST_ARG_RUNNERS.has(name)) {
    if (name === 'pkexec' || name === 'gosu' || name === 'su-exec') {
      const r = after(name, next)
      return r ? { ...r, sudo: true } : null
    }
    return after(name, next)
  }
  const two = `${name} ${t(next)}`
  if (RUNNER_FLAGS[two] !== undefined) return after(two, next + 1)
  if (['docker', 'podman', 'nerdctl', 'finch'].includes(name)) {
    let k = skipFlags(words, next, DOCKER_VALUE)
    let kind = t(k)
    if (kind === 'container') kind = t(++k)
    const compose = kind === 'compose'
    if (compose) {
      k = skipFlags(words, k + 1, DOCKER_VALUE)
      kind = t(k)
    }
    if (kind !== 'exec' && kind !== 'run') return null
    k = skipFlags(words, k + 1, DOCKER_VALUE)
    k++ // the container, image or service
    return k < words.length ? { wrapper: `${name}${compose ? ' compose' : ''} ${kind}`, index: k } : null
  }
  if (name === 'docker-compose' || name === 'podman-compose') {
    let k = skipFlags(words, next, DOCKER_VALUE)
    if (t(k) !== 'exec' && t(k) !== 'run') return null
    k = skipFlags(words, k + 1, DOCKER_VALUE) + 1
    return k < words.length ? { wrapper: `${name} ${t(k - 1)}`, index: k } : null
  }
  if (name === 'kubectl' || name === 'oc') {
    const k = skipFlags(words, next, KUBECTL_VALUE)
    if (t(k) !== 'exec' && t(k) !== 'debug') return null
    const dd = words.findIndex((w, j) => j > k && w.text === '--')
    return dd > 0 && dd + 1 < words.length ? { wrapper: `${name} exec`, index: dd + 1 } : null
  }
  if (name === 'heroku' && t(next) === 'run') {
    const k = skipFlags(words, next + 1, new Set(['-a', '--app', '-r', '--remote', '-s', '--size', '-e', '--env']))
    return k < words.length ? { wrapper: 'heroku run', index: k } : null
  }
  return null
}

/** Splits `-rf` into `r`,`f`; long flags come back whole (`--force`, `--recursive=x` → `--recursive`). */
export function flagSet(args: Word[]): { short: Set<string>; long: Set<string>; positional: Word[] } {
  const short = new Set<string>()
  const long = new Set<string>()
  const positional: Word[] = []
  let ended = false
  for (const w of args) {
    const t = w.text
    if (!ended && t === '--') {
      ended = true
      continue
    }
    if (!ended && t.startsWith('--')) long.add(t.split('=')[0]!)
    else if (!ended && t.startsWith('-') && t.length > 1 && !/^-\d/.test(t)) for (const ch of t.slice(1)) short.add(ch)
    else positional.push(w)
  }
  return { short, long, positional }
}

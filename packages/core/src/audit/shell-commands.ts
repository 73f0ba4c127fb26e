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
      default:
        return { name, args: words.slice(i + 1), wrappers, sudo, xargs }
    }
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

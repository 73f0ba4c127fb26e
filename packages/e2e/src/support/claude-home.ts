/**
 * A throwaway HOME for the real Claude Code CLI (or the fake), and the environment that keeps it
 * offline and pointed at the local Messages API stub.
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Every hook event seen from Claude Code 2.1.330 (shared/claude-code/payloads). */
export const HOOK_EVENTS = [
  'SessionStart',
  'InstructionsLoaded',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'MessageDisplay',
  'PreToolUse',
  'PermissionRequest',
  'Notification',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'Stop',
  'StopFailure',
  'SubagentStart',
  'SubagentStop',
  'SessionEnd',
  'FileChanged',
  'CwdChanged',
  'ConfigChange',
  'PreCompact',
  'PostCompact',
  'PreModelSwitch',
  'PostModelSwitch',
] as const
export type HookEventName = (typeof HOOK_EVENTS)[number]

export interface CommandHook {
  type: 'command'
  command: string
  timeout?: number
}
export interface HttpHook {
  type: 'http'
  url: string
  timeout?: number
  headers?: Record<string, string>
  allowedEnvVars?: string[]
  onFailure?: 'continue' | 'block'
}
export interface HookMatcherGroup {
  matcher?: string
  hooks: Array<CommandHook | HttpHook>
}
/** The `settings.json` shape we write (only `hooks` is typed; anything else passes through). */
export interface ClaudeSettings {
  hooks?: Partial<Record<string, HookMatcherGroup[]>>
  [key: string]: unknown
}

/** One command for many events: `{ command }` in {@link prepareClaudeHome}. */
export interface HookCommandSpec {
  command: string
  /** Seconds (default 30). */
  timeout?: number
  /** Default: all of {@link HOOK_EVENTS}. */
  events?: readonly string[]
}

export interface PrepareClaudeHomeOptions {
  /** Absolute working directory the CLI will run in; marked as trusted. */
  workdir: string
  /** The API key the CLI will see; its last 20 chars are pre-approved. */
  apiKey: string
  /** Hooks to install in HOME/.claude/settings.json: one command on every event, or a whole settings object. */
  hooks?: HookCommandSpec | ClaudeSettings
  theme?: string
}

export interface ClaudeHome {
  home: string
  claudeJsonPath: string
  /** Present when hooks/settings were written. */
  settingsPath?: string
}

/** Settings running `command` (via `sh -c`) on every given event, matcher `*`. */
export function hookSettings(spec: HookCommandSpec): ClaudeSettings {
  const hooks: Record<string, HookMatcherGroup[]> = {}
  for (const event of spec.events ?? HOOK_EVENTS) {
    hooks[event] = [{ matcher: '*', hooks: [{ type: 'command', command: spec.command, timeout: spec.timeout ?? 30 }] }]
  }
  return { hooks }
}

/**
 * Write HOME/.claude.json so the interactive TUI opens straight to the input box (no onboarding,
 * theme picker, API-key question, bypass warning or trust dialog), and optionally
 * HOME/.claude/settings.json with hooks.
 */
export function prepareClaudeHome(dir: string, options: PrepareClaudeHomeOptions): ClaudeHome {
  const home = resolve(dir)
  mkdirSync(join(home, '.claude'), { recursive: true })
  const claudeJsonPath = join(home, '.claude.json')
  const claudeJson = {
    hasCompletedOnboarding: true,
    theme: options.theme ?? 'dark',
    customApiKeyResponses: { approved: [options.apiKey.slice(-20)], rejected: [] },
    bypassPermissionsModeAccepted: true,
    projects: {
      [resolve(options.workdir)]: {
        hasTrustDialogAccepted: true,
        allowedTools: [],
      },
    },
  }
  writeFileSync(claudeJsonPath, JSON.stringify(claudeJson, null, 2) + '\n')
  const result: ClaudeHome = { home, claudeJsonPath }
  if (options.hooks) {
    const settings = isHookCommandSpec(options.hooks) ? hookSettings(options.hooks) : options.hooks
    result.settingsPath = join(home, '.claude', 'settings.json')
    writeFileSync(result.settingsPath, JSON.stringify(settings, null, 2) + '\n')
  }
  return result
}

function isHookCommandSpec(value: HookCommandSpec | ClaudeSettings): value is HookCommandSpec {
  return typeof (value as HookCommandSpec).command === 'string'
}

export interface ClaudeEnvOptions {
  home: string
  stubUrl: string
  /** A private temp dir: CLAUDE_CODE_TMPDIR and XDG_RUNTIME_DIR go below it. */
  tmpdir: string
  /** Default: {@link DUMMY_API_KEY}. */
  apiKey?: string
}

/** A syntactically plausible key; the stub never checks it. */
export const DUMMY_API_KEY = 'sk-ant-api03-e2e-dummy-key-000000000000000000000000000000'

/**
 * The variables the CLI needs to run offline against the stub. Merge them over
 * {@link cleanBaseEnv} (or process.env) when spawning.
 */
export function claudeEnv(options: ClaudeEnvOptions): Record<string, string> {
  const claudeTmp = join(options.tmpdir, 'claude-tmp')
  const runtime = join(options.tmpdir, 'xdg-runtime')
  mkdirSync(claudeTmp, { recursive: true })
  mkdirSync(runtime, { recursive: true, mode: 0o700 })
  const env: Record<string, string> = {
    HOME: options.home,
    ANTHROPIC_BASE_URL: options.stubUrl,
    ANTHROPIC_API_KEY: options.apiKey ?? DUMMY_API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_TMPDIR: claudeTmp,
    XDG_RUNTIME_DIR: runtime,
  }
  if (typeof process.getuid === 'function' && process.getuid() === 0) env.IS_SANDBOX = '1'
  return env
}

/**
 * process.env without what would leak the outer world into a test agent: Anthropic/Claude
 * credentials and settings, the variables Claude Code sets for its own children (when the
 * tests themselves run inside Claude Code), and the outer tmux.
 */
export function cleanBaseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (/^(ANTHROPIC_|CLAUDE_|CLAUDECODE$|TMUX$|TMUX_PANE$|IS_SANDBOX$|DISABLE_AUTOUPDATER$|VITEST|NODE_OPTIONS$)/.test(key)) continue
    out[key] = value
  }
  return { ...out, ...extra }
}

let cachedBinary: string | undefined

/**
 * Absolute path of the real Claude Code executable installed as a devDependency of this package.
 * `@anthropic-ai/claude-code` ships a placeholder `bin/claude.exe` that its postinstall replaces
 * with the native binary from the platform package; if that did not happen, the platform package's
 * `claude` is used directly.
 */
export function claudeBinary(): string {
  if (cachedBinary) return cachedBinary
  const require = createRequire(import.meta.url)
  const pkgJson = require.resolve('@anthropic-ai/claude-code/package.json')
  const pkgDir = dirname(pkgJson)
  const wrapperBin = join(pkgDir, 'bin', 'claude.exe')
  if (isNativeExecutable(wrapperBin)) return (cachedBinary = wrapperBin)
  const musl = process.platform === 'linux' && !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime
  const platformPkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${musl ? '-musl' : ''}`
  const fromWrapper = createRequire(pkgJson)
  const platformDir = dirname(fromWrapper.resolve(`${platformPkg}/package.json`))
  const candidate = join(platformDir, process.platform === 'win32' ? 'claude.exe' : 'claude')
  if (!existsSync(candidate)) throw new Error(`Claude Code binary not found (looked at ${wrapperBin} and ${candidate})`)
  return (cachedBinary = candidate)
}

function isNativeExecutable(file: string): boolean {
  if (!existsSync(file)) return false
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(4)
    readSync(fd, head, 0, 4, 0)
    const elf = head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF'
    const macho = [0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca].includes(head.readUInt32BE(0))
    return elf || macho
  } finally {
    closeSync(fd)
  }
}

/** Absolute path of the scriptable fake Claude Code (`fake-claude.mjs`, executable, plain Node). */
export function fakeClaudeBinary(): string {
  return fileURLToPath(new URL('./fake-claude.mjs', import.meta.url))
}

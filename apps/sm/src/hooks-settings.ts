import { HOOK_EVENT_NAMES } from '@claude-sessions/core'

/** Events whose hook the server may hold on purpose (a phone approval). */
const HELD_EVENTS = new Set(['PermissionRequest'])

export type Transport = 'command' | 'http'

export interface HookPlan {
  transport: Transport
  /** Absolute path of hooks/sm-hook (command transport). */
  script: string
  /** Server URL (http transport). */
  url: string
  timeoutSeconds: number
  permissionTimeoutSeconds: number
}

interface HookHandler {
  type?: string
  command?: string
  url?: string
  headers?: Record<string, string>
  [key: string]: unknown
}
interface HookGroup {
  matcher?: string
  hooks?: HookHandler[]
  [key: string]: unknown
}
export type Settings = { hooks?: Record<string, HookGroup[]>; [key: string]: unknown }

const SESSION_HEADER = 'X-SM-Session'

/** Whether a handler is one of ours (either transport). */
export function isOurHandler(h: HookHandler): boolean {
  if (h.type === 'command' && typeof h.command === 'string') return /(^|\/)sm-hook'?(\s|$)/.test(h.command)
  if (h.type === 'http') return h.headers?.[SESSION_HEADER] === '$CLAUDE_SESSION_MANAGER_ID'
  return false
}

const quote = (path: string): string => (/^[A-Za-z0-9_./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`)

function handlerFor(event: string, plan: HookPlan): HookHandler {
  const held = HELD_EVENTS.has(event)
  if (plan.transport === 'http') {
    return {
      type: 'http',
      url: `${plan.url}/hooks/${event}`,
      headers: { [SESSION_HEADER]: '$CLAUDE_SESSION_MANAGER_ID', Authorization: 'Bearer $CLAUDE_SESSION_MANAGER_TOKEN' },
      allowedEnvVars: ['CLAUDE_SESSION_MANAGER_ID', 'CLAUDE_SESSION_MANAGER_TOKEN'],
      timeout: held ? plan.permissionTimeoutSeconds + 5 : plan.timeoutSeconds + 3,
    }
  }
  return {
    type: 'command',
    command: `${quote(plan.script)} ${event}`,
    timeout: held ? plan.permissionTimeoutSeconds + 10 : plan.timeoutSeconds + 8,
  }
}

/** Removes our handlers; drops groups and events left empty. Other entries stay as they are. */
export function withoutOurHooks(settings: Settings): Settings {
  if (settings.hooks === undefined) return settings
  const hooks: Record<string, HookGroup[]> = {}
  for (const [event, groups] of Object.entries(settings.hooks)) {
    if (!Array.isArray(groups)) {
      hooks[event] = groups
      continue
    }
    const kept = groups
      .map((g) => (Array.isArray(g.hooks) ? { ...g, hooks: g.hooks.filter((h) => !isOurHandler(h)) } : g))
      .filter((g) => !Array.isArray(g.hooks) || g.hooks.length > 0)
    if (kept.length > 0) hooks[event] = kept
  }
  const next: Settings = { ...settings, hooks }
  if (Object.keys(hooks).length === 0) delete next.hooks
  return next
}

/** Adds one handler of ours for every hook event, replacing earlier ones of ours. */
export function withOurHooks(settings: Settings, plan: HookPlan): Settings {
  const base = withoutOurHooks(settings)
  const hooks: Record<string, HookGroup[]> = { ...(base.hooks ?? {}) }
  for (const event of HOOK_EVENT_NAMES) {
    hooks[event] = [...(hooks[event] ?? []), { hooks: [handlerFor(event, plan)] }]
  }
  return { ...base, hooks }
}

export interface HookStatus {
  installed: string[]
  missing: string[]
  transport: Transport | 'mixed' | null
  /** Command paths our handlers point at. */
  targets: string[]
}

export function hookStatus(settings: Settings): HookStatus {
  const installed: string[] = []
  const transports = new Set<Transport>()
  const targets = new Set<string>()
  for (const event of HOOK_EVENT_NAMES) {
    const ours = (settings.hooks?.[event] ?? []).flatMap((g) => (Array.isArray(g.hooks) ? g.hooks : [])).filter(isOurHandler)
    if (ours.length === 0) continue
    installed.push(event)
    for (const h of ours) {
      transports.add(h.type === 'http' ? 'http' : 'command')
      targets.add(h.type === 'http' ? String(h.url).replace(/\/hooks\/\w+$/, '') : String(h.command).replace(/\s+\w+$/, ''))
    }
  }
  return {
    installed,
    missing: HOOK_EVENT_NAMES.filter((e) => !installed.includes(e)),
    transport: transports.size === 0 ? null : transports.size === 1 ? [...transports][0]! : 'mixed',
    targets: [...targets],
  }
}

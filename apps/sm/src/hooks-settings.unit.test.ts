import { HOOK_EVENT_NAMES } from '@claude-sessions/core'
import { describe, expect, it } from 'vitest'
import { hookStatus, withOurHooks, withoutOurHooks, type HookPlan, type Settings } from './hooks-settings.js'

const plan: HookPlan = {
  transport: 'command',
  script: '/opt/claude sessions/hooks/sm-hook',
  url: 'http://127.0.0.1:8420',
  timeoutSeconds: 2,
  permissionTimeoutSeconds: 170,
}

const theirs: Settings = {
  model: 'opus',
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/guard.sh' }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
  },
}

describe('hooks settings', () => {
  it('adds one handler for every hook event and keeps the user’s own entries', () => {
    const next = withOurHooks(theirs, plan)
    expect(next.model).toBe('opus')
    expect(Object.keys(next.hooks!).sort()).toEqual([...HOOK_EVENT_NAMES].sort())
    expect(next.hooks!.PreToolUse![0]).toEqual(theirs.hooks!.PreToolUse![0])
    expect(next.hooks!.PreToolUse![1]!.hooks![0]).toEqual({
      type: 'command',
      command: "'/opt/claude sessions/hooks/sm-hook' PreToolUse",
      timeout: 10,
    })
    expect(next.hooks!.PermissionRequest![0]!.hooks![0]!.timeout).toBe(180)
    expect(hookStatus(next)).toMatchObject({ missing: [], transport: 'command', targets: ["'/opt/claude sessions/hooks/sm-hook'"] })
  })

  it('is idempotent: installing twice equals installing once', () => {
    const once = withOurHooks(theirs, plan)
    expect(withOurHooks(once, plan)).toEqual(once)
  })

  it('switches transport by replacing our handlers', () => {
    const http = withOurHooks(withOurHooks(theirs, plan), { ...plan, transport: 'http' })
    const stop = http.hooks!.Stop!.flatMap((g) => g.hooks ?? [])
    expect(stop).toHaveLength(2)
    expect(stop[1]).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:8420/hooks/Stop',
      headers: { 'X-SM-Session': '$CLAUDE_SESSION_MANAGER_ID', Authorization: 'Bearer $CLAUDE_SESSION_MANAGER_TOKEN' },
      allowedEnvVars: ['CLAUDE_SESSION_MANAGER_ID', 'CLAUDE_SESSION_MANAGER_TOKEN'],
      timeout: 5,
    })
    expect(hookStatus(http).transport).toBe('http')
  })

  it('uninstall removes only ours and leaves the rest exactly as it was', () => {
    expect(withoutOurHooks(withOurHooks(theirs, plan))).toEqual(theirs)
    expect(withoutOurHooks(withOurHooks({}, plan))).toEqual({})
    expect(hookStatus(theirs)).toMatchObject({ installed: [], transport: null })
  })

  it('keeps a group that mixes our handler with someone else’s', () => {
    const mixed: Settings = {
      hooks: { Stop: [{ hooks: [{ type: 'command', command: '/x/hooks/sm-hook Stop' }, { type: 'command', command: 'echo hi' }] }] },
    }
    expect(withoutOurHooks(mixed)).toEqual({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'echo hi' }] }] } })
  })
})

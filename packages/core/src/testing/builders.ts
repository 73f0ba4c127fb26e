import type { HookEvent } from '../events/hook-event.js'
import type { Session } from '../session/session.js'

export function aSession(overrides: Partial<Session> = {}): Session {
  const id = overrides.id ?? 'a1b2c3d4'
  return {
    id,
    kind: 'managed',
    name: null,
    state: 'starting',
    workingDir: '/home/tester/project',
    tmuxSession: `claude-${id}`,
    claudeSessionId: null,
    model: null,
    parentId: null,
    createdAt: 1_700_000_000_000,
    lastActivityAt: 1_700_000_000_000,
    stoppedAt: null,
    lastTool: null,
    lastMessage: null,
    backgroundTasks: 0,
    lastEventAt: null,
    stateSince: 0,
    policy: null,
    spawnPrompt: null,
    currentTask: null,
    ...overrides,
  }
}

export function aHookEvent(event: string, overrides: Partial<HookEvent> = {}): HookEvent {
  return {
    kind: 'hook',
    event,
    claudeSessionId: '6bf01783-816d-49d3-a354-25f1341e986b',
    cwd: '/home/tester/project',
    transcriptPath: null,
    toolName: null,
    toolUseId: null,
    prompt: null,
    source: null,
    reason: null,
    model: null,
    notificationType: null,
    message: null,
    lastAssistantMessage: null,
    stopHookActive: false,
    backgroundRunning: 0,
    error: null,
    agentId: null,
    ...overrides,
  }
}

import type { ToolEvent } from '@claude-sessions/core'
import { aToolEvent, FakeControl } from './fake-control.js'
import { sessionControlContract } from './session-control-contract.js'

sessionControlContract('FakeControl', () => {
  const control = new FakeControl()
  control.projectList = [{ name: 'web', dir: '/home/tester/web' }]
  control.isDirectory = (path) => path.startsWith('/home/tester/')
  let n = 0
  const nextId = (prefix: string) => `${prefix}${String(++n).padStart(7, '0')}`
  return {
    control,
    projects: [{ name: 'web', dir: '/home/tester/web' }],
    dir: '/home/tester/project',
    notADirectory: '/etc/passwd',
    child: async (parentId) => control.add({ id: nextId('c'), parentId }),
    external: async () => control.add({ id: nextId('e'), kind: 'external', tmuxSession: null }),
    show: (id, text) => void control.outputs.set(id, text),
    summarizes: (id, text) => void control.summaries.set(id, text),
    toolCalls: (id, tools) => {
      const events: ToolEvent[] = control.toolEvents.get(id) ?? []
      for (const toolName of tools) events.push(aToolEvent({ id: ++n, sessionId: id, toolName, at: 1_700_000_000_000 + n }))
      control.toolEvents.set(id, events)
    },
  }
})

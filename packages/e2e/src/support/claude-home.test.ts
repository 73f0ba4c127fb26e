import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claudeEnv, cleanBaseEnv, fakeClaudeBinary, HOOK_EVENTS, hookSettings, prepareClaudeHome } from './claude-home.js'
import { makeTempDir, removeDir } from './tmux-harness.js'

describe('claude home', () => {
  let dir: string
  beforeAll(() => {
    dir = makeTempDir('sm-e2e-home-')
  })
  afterAll(() => removeDir(dir))

  it('writes .claude.json so the TUI skips onboarding, the key question, the bypass warning and the trust dialog', () => {
    const key = 'sk-ant-api03-0123456789-abcdefghijklmnopqrstuvwxyz'
    const home = prepareClaudeHome(join(dir, 'a'), { workdir: join(dir, 'work'), apiKey: key })
    const json = JSON.parse(readFileSync(home.claudeJsonPath, 'utf8')) as Record<string, unknown>
    expect(json).toMatchObject({
      hasCompletedOnboarding: true,
      theme: 'dark',
      customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
      bypassPermissionsModeAccepted: true,
      projects: { [join(dir, 'work')]: { hasTrustDialogAccepted: true } },
    })
    expect(home.settingsPath).toBeUndefined()
  })

  it('installs one hook command on every event, or a whole settings object as given', () => {
    const one = prepareClaudeHome(join(dir, 'b'), { workdir: dir, apiKey: 'k'.repeat(30), hooks: { command: 'cat > /dev/null', timeout: 5 } })
    const settings = JSON.parse(readFileSync(one.settingsPath!, 'utf8')) as ReturnType<typeof hookSettings>
    expect(Object.keys(settings.hooks!).sort()).toEqual([...HOOK_EVENTS].sort())
    expect(settings.hooks!.Stop).toEqual([{ matcher: '*', hooks: [{ type: 'command', command: 'cat > /dev/null', timeout: 5 }] }])

    const custom = { hooks: { Stop: [{ hooks: [{ type: 'http' as const, url: 'http://127.0.0.1:1/hooks/Stop' }] }] }, model: 'x' }
    const two = prepareClaudeHome(join(dir, 'c'), { workdir: dir, apiKey: 'k'.repeat(30), hooks: custom })
    expect(JSON.parse(readFileSync(two.settingsPath!, 'utf8'))).toEqual(custom)
  })

  it('claudeEnv points the CLI at the stub and keeps its temp and runtime dirs private', () => {
    const env = claudeEnv({ home: join(dir, 'h'), stubUrl: 'http://127.0.0.1:9', tmpdir: join(dir, 't') })
    expect(env).toMatchObject({
      HOME: join(dir, 'h'),
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_TMPDIR: join(dir, 't', 'claude-tmp'),
      XDG_RUNTIME_DIR: join(dir, 't', 'xdg-runtime'),
    })
    expect(env.ANTHROPIC_API_KEY).toMatch(/^sk-ant-/)
    expect(statSync(env.XDG_RUNTIME_DIR!).mode & 0o777).toBe(0o700)
    expect(env.IS_SANDBOX).toBe(process.getuid?.() === 0 ? '1' : undefined)
  })

  it('cleanBaseEnv drops outer Claude/Anthropic/tmux variables and keeps the rest', () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, { CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli', ANTHROPIC_AUTH_TOKEN: 'secret', TMUX: '/tmp/x,1,0', SM_KEEP: 'yes' })
      const env = cleanBaseEnv({ EXTRA: '1' })
      expect(env).toMatchObject({ SM_KEEP: 'yes', EXTRA: '1' })
      for (const gone of ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'ANTHROPIC_AUTH_TOKEN', 'TMUX']) expect(env).not.toHaveProperty(gone)
      expect(env.PATH).toBe(process.env.PATH)
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })

  it('fakeClaudeBinary is an executable file', () => {
    accessSync(fakeClaudeBinary(), constants.X_OK)
    expect(readFileSync(fakeClaudeBinary(), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })
})

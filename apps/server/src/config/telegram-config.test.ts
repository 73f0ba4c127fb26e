import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from './load.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const TOKEN = '123456:AAbbCCddEEffGGhh_secret-part'

/** loadConfig on a config.yaml holding `yaml`, with `env` added. */
function load(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sm-config-tg-'))
  dirs.push(dir)
  const file = join(dir, 'config.yaml')
  writeFileSync(file, yaml)
  return loadConfig({}, { HOME: dir, CLAUDE_SESSIONS_CONFIG: file, ...env })
}

const error = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('expected an error')
}

describe('config: telegram', () => {
  it('is off without a telegram section', () => {
    expect(load('log:\n  level: info\n').telegram).toBeNull()
  })

  it('a full section: bot settings, projects, notification filters and quiet hours', () => {
    const c = load(
      [
        'telegram:',
        `  token: "${TOKEN}"`,
        '  chat_id: -1001234',
        '  allowed_user_ids: [11, 22]',
        '  api_root: http://127.0.0.1:9999',
        '  topic_on_stop: delete',
        '  approval_wait_seconds: 60',
        '  projects:',
        '    api: /srv/api',
        '    home: ~/code/home',
        '  notify:',
        '    typed_prompt: false',
        '  quiet_hours: { start: "22:00", end: "07:30", time_zone: Europe/Berlin }',
      ].join('\n'),
      { HOME: '/home/me' },
    ).telegram!
    expect(c.bot).toMatchObject({ token: TOKEN, chatId: -1001234, allowedUserIds: [11, 22], apiRoot: 'http://127.0.0.1:9999', topicOnStop: 'delete', approvalWaitSeconds: 60 })
    expect(c.projects).toEqual([
      { name: 'api', dir: '/srv/api' },
      { name: 'home', dir: '/home/me/code/home' },
    ])
    expect(c.notify.enabled).toMatchObject({ typed_prompt: false, turn_ended: true, permission: true })
    expect(c.notify.quietHours).toEqual({ start: '22:00', end: '07:30', timeZone: 'Europe/Berlin', urgent: ['permission', 'question'] })
  })

  it('the token may come from CLAUDE_SESSIONS_TELEGRAM_TOKEN (which wins)', () => {
    const c = load('telegram:\n  chat_id: -100\n', { CLAUDE_SESSIONS_TELEGRAM_TOKEN: TOKEN })
    expect(c.telegram!.bot.token).toBe(TOKEN)
    expect(c.telegram!.bot.allowedUserIds).toEqual([])
  })

  it('bad input: every problem named, the token never quoted', () => {
    expect(error(() => load('telegram:\n  chat_id: -100\n'))).toContain('token is missing')
    const bad = error(() => load(`telegram:\n  token: "${TOKEN}x y"\n  chat_id: 0\n  colour: blue\n  quiet_hours: { start: "25:00", end: "07:00" }\n`))
    expect(bad).toContain('telegram.chat_id')
    expect(bad).toContain('telegram.colour: unknown key')
    expect(bad).toContain('telegram.quiet_hours.start')
    expect(bad).not.toContain('secret-part')
    expect(error(() => load(`telegram:\n  token: "not a token"\n  chat_id: -100\n`))).toContain('token is not a bot token')
    expect(error(() => load(`telegram:\n  token: "${TOKEN}"\n  chat_id: -100\n  approval_wait_seconds: 200\n`))).toContain('must be below hooks.permission_timeout_seconds (170)')
    expect(error(() => load(`telegram:\n  token: "${TOKEN}"\n  chat_id: -100\n  quiet_hours: { start: "22:00", end: "07:00", time_zone: Mars/Olympus }\n`))).toContain("unknown time zone 'Mars/Olympus'")
    expect(error(() => load(`telegram:\n  token: "${TOKEN}"\n  chat_id: -100\n  notify: { bogus: true }\n`))).toContain('telegram.notify')
  })
})

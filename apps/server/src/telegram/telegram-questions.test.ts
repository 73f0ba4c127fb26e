import { describe, expect, it } from 'vitest'
import { runHook, waitFor } from '../test-support.js'
import { ALICE, CHAT, cleanUpAfterEach, managed, payload, shown, start } from './server-test-support.js'

cleanUpAfterEach()

const DATABASE = { question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'Postgres', description: 'the server one' }, { label: 'SQLite', description: 'a file' }] }
const SIZES = { question: 'Which sizes?', header: 'Size', multiSelect: true, options: [{ label: 'S', description: '' }, { label: 'M', description: '' }, { label: 'L', description: '' }] }
const asking = (...questions: object[]) => payload({ tool_name: 'AskUserQuestion', tool_input: { questions } })
const buttonsOf = (m: { buttons?: Array<Array<{ text: string; data: string }>> | undefined }) => (m.buttons ?? []).flat()

describe('Telegram in the server: AskUserQuestion answered from Telegram', () => {
  it('a button per option, ticks and Done for multiple choice; the hook allows the tool with the answers', async () => {
    const { fake, config, server } = await start()
    const { env, thread } = await managed(fake, config, server)
    await runHook('PreToolUse', payload({ tool_name: 'AskUserQuestion', tool_input: { questions: [DATABASE, SIZES] }, tool_use_id: 'toolu_q' }), env)
    const hook = runHook('PermissionRequest', asking(DATABASE, SIZES), env)
    const ask = await waitFor(() => fake.botMessages().find((m) => m.threadId === thread && (m.buttons?.length ?? 0) > 0))
    expect(ask.shown).toBe(
      [
        'Questions (2)',
        '',
        'DB: Which database?',
        '1. Postgres — the server one',
        '2. SQLite — a file',
        '',
        'Size: Which sizes? (tick any)',
        '1. S',
        '2. M',
        '3. L',
        '',
        'Tap an answer, or write your own in this topic.',
      ].join('\n'),
    )
    expect(buttonsOf(ask).map((b) => b.text)).toEqual(['Postgres', 'SQLite'])
    const first = buttonsOf(ask)[0]!.data
    // the question is posted once: the PreToolUse before it posts nothing for a managed session
    expect(shown(fake, thread).filter((t) => t.includes('Which database?'))).toHaveLength(1)

    const press = async (text: string) => {
      const button = buttonsOf(fake.messages.get(ask.messageId)!).find((b) => b.text === text)!
      const answered = fake.callsTo('answerCallbackQuery').length
      fake.pressButton(ALICE, CHAT, ask.messageId, button.data)
      await waitFor(() => fake.callsTo('answerCallbackQuery').length > answered)
      return fake.callsTo('answerCallbackQuery').at(-1)!.params.text
    }
    expect(await press('SQLite')).toBe('Answered: SQLite')
    await waitFor(() => buttonsOf(fake.messages.get(ask.messageId)!).some((b) => b.text === 'Done'))
    expect(fake.messages.get(ask.messageId)!.shown).toContain('2. SQLite — a file\n→ SQLite')
    expect(await press('Done')).toBe('Tick at least one, or write your own answer.')
    expect(await press('☐ S')).toBe('Ticked S')
    await waitFor(() => buttonsOf(fake.messages.get(ask.messageId)!).some((b) => b.text === '☑ S'))
    expect(await press('☐ L')).toBe('Ticked L')
    await waitFor(() => buttonsOf(fake.messages.get(ask.messageId)!).some((b) => b.text === '☑ L'))
    expect(await press('Done')).toBe('Answered: S, L')

    const done = await hook
    expect(done.status).toBe(0)
    expect(JSON.parse(done.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PermissionRequest',
        decision: { behavior: 'allow', updatedInput: { questions: [DATABASE, SIZES], answers: { 'Which database?': 'SQLite', 'Which sizes?': 'S, L' } } },
      },
    })
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.endsWith('Answered by @alice'))
    expect(fake.messages.get(ask.messageId)!.buttons ?? []).toEqual([])
    expect(fake.messages.get(ask.messageId)!.shown).toContain('3. L\n→ S, L')
    // a late press changes nothing
    fake.pressButton(ALICE, CHAT, ask.messageId, first)
    await waitFor(() => fake.callsTo('answerCallbackQuery').at(-1)!.params.text === 'Already answered.')
  })

  it('text written in the topic answers the question in the person\'s own words', async () => {
    const { fake, config, server, client } = await start()
    const { session, env, thread } = await managed(fake, config, server)
    const hook = runHook('PermissionRequest', asking(DATABASE), env)
    const ask = await waitFor(() => fake.botMessages().find((m) => m.threadId === thread && (m.buttons?.length ?? 0) > 0))
    expect(ask.shown.startsWith('Question\n')).toBe(true)
    const update = fake.sendText(ALICE, CHAT, 'MariaDB, we have it already', thread)
    const done = await hook
    expect(JSON.parse(done.stdout).hookSpecificOutput.decision.updatedInput.answers).toEqual({ 'Which database?': 'MariaDB, we have it already' })
    await waitFor(() => fake.messages.get(fake.messageIdOf(update)!)!.reactions.includes('👍'))
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.endsWith('Answered by @alice'))
    // it answered the question: no message was queued for the session
    expect((await client.messages(session.id)).messages).toEqual([])
  })

  it('answered at the keyboard first: the hook reply adds nothing and the message says so', async () => {
    const { fake, config, server } = await start()
    const { env, thread } = await managed(fake, config, server)
    await runHook('PreToolUse', payload({ tool_name: 'AskUserQuestion', tool_input: { questions: [DATABASE] }, tool_use_id: 'toolu_q' }), env)
    const hook = runHook('PermissionRequest', asking(DATABASE), env)
    const ask = await waitFor(() => fake.botMessages().find((m) => m.threadId === thread && (m.buttons?.length ?? 0) > 0))
    await runHook('PostToolUse', payload({ tool_name: 'AskUserQuestion', tool_input: { questions: [DATABASE], answers: { 'Which database?': 'Postgres' } }, tool_use_id: 'toolu_q' }), env)
    expect(JSON.parse((await hook).stdout)).toEqual({})
    await waitFor(() => fake.messages.get(ask.messageId)!.shown.endsWith('Answered in the terminal.'))
  })

  it('questions it cannot show as buttons are posted as text and not held; an external session\'s question is posted from PreToolUse', async () => {
    const { fake, config, server } = await start()
    const { env, thread } = await managed(fake, config, server)
    const started = Date.now()
    const odd = await runHook('PermissionRequest', asking({ question: 'Anything to add?', header: 'Note', multiSelect: false, options: [] }), env)
    expect(JSON.parse(odd.stdout)).toEqual({})
    expect(Date.now() - started).toBeLessThan(5_000)
    await waitFor(() => shown(fake, thread).find((t) => t === 'Question\nAnything to add?'))

    const external = { CLAUDE_SESSIONS_URL: server.url, CLAUDE_SESSIONS_DATA_DIR: config.dataDir }
    await runHook('SessionStart', payload({ session_id: 'ext-q', source: 'startup' }), external)
    await runHook('PreToolUse', payload({ session_id: 'ext-q', tool_name: 'AskUserQuestion', tool_input: { questions: [DATABASE] }, tool_use_id: 'toolu_e' }), external)
    await waitFor(() => fake.botMessages().find((m) => m.shown.startsWith('Question') && m.shown.includes('Which database?\n1. Postgres\n2. SQLite')))
  })
})

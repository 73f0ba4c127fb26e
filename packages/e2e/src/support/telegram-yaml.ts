/** The `telegram:` config section the e2e servers use: the fake Bot API, fast polling, no throttling. */
export function telegramYaml(fake: { token: string; apiRoot: string }, chatId: number, allowedUserIds: readonly number[], more: readonly string[] = []): string {
  const q = (v: unknown) => JSON.stringify(v)
  return [
    'telegram:',
    `  token: ${q(fake.token)}`,
    `  chat_id: ${chatId}`,
    `  allowed_user_ids: [${allowedUserIds.join(', ')}]`,
    `  api_root: ${q(fake.apiRoot)}`,
    '  poll_timeout_seconds: 1',
    '  stall_seconds: 5',
    '  throttle: false',
    ...more.map((line) => `  ${line}`),
  ].join('\n')
}

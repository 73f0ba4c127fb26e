/**
 * Removes secrets from text before it is stored: API keys and tokens (Anthropic, OpenAI,
 * GitHub, Slack, AWS access keys, JWTs, bearer headers), passwords in URLs, private key blocks,
 * and `.env`-style `SECRET=...` values. Works on plain text and on JSON text (where newlines are
 * `\n` escapes). Pure; extra patterns come from config.
 */
export const REDACTED = '[REDACTED]'

interface Rule {
  name: string
  pattern: RegExp
  /** Builds the replacement from the match groups; default: the whole match becomes REDACTED. */
  keep?: (...groups: string[]) => string
}

const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Za-z0-9_]*`

const RULES: Rule[] = [
  {
    name: 'private key block',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g,
  },
  { name: 'anthropic key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { name: 'openai key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'github token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { name: 'slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'aws access key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: 'authorization header', pattern: /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keep: (_m, prefix) => `${prefix}${REDACTED}` },
  {
    name: 'password in url',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'\\]+:)[^\s@/"'\\]+(@)/gi,
    keep: (_m, head, at) => `${head}${REDACTED}${at}`,
  },
  {
    name: 'secret assignment',
    // NAME=value / NAME: value at a line start (also after a JSON `\n`), a space or a quote
    pattern: new RegExp(String.raw`(^|\\n|[\s"'{,;])((?:export\s+)?${SECRET_NAME}\s*[=:]\s*)(\\?["']?)(?!(?:Bearer|Basic|Token)\b|\[REDACTED\])([^\s"'\\,;}]{4,})`, 'gim'),
    keep: (_m, lead, assign, quote) => `${lead}${assign}${quote}${REDACTED}`,
  },
]

export interface RedactionResult {
  text: string
  /** How many secrets were replaced. */
  count: number
}

/**
 * Matches wherever any rule could: text without a match holds no built-in secret, and the rules
 * are skipped (most hook payloads hold none; this runs several times per hook event).
 */
const MAY_HOLD_SECRET = /sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|eyJ|bearer|basic|:\/\/|PRIVATE|SECRET|TOKEN|PASSW|API_?KEY|ACCESS_?KEY|CREDENTIAL/i

/** Replaces every secret found in `text`; `extra` patterns (global regexes) are redacted whole. */
export function redactSecrets(text: string, extra: readonly RegExp[] = []): RedactionResult {
  let count = 0
  let out = text
  const rules = MAY_HOLD_SECRET.test(text) ? RULES : []
  for (const rule of rules) {
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const groups = args.slice(0, -2).filter((g): g is string => typeof g === 'string' || g === undefined).map((g) => g ?? '')
      const whole = groups[0] ?? ''
      if (whole.includes(REDACTED)) return whole
      count++
      return rule.keep ? rule.keep(...groups) : REDACTED
    })
  }
  for (const pattern of extra) {
    const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`)
    out = out.replace(global, () => {
      count++
      return REDACTED
    })
  }
  return { text: out, count }
}

/** Secrets shorter than this are redacted whole even when they cross the cut (a 4096-bit PEM key is ~3.3 KB). */
const CUT_MARGIN = 16 * 1024

/** The first `cap` characters of `text`, redacted; a secret crossing the cut is redacted, not left half. */
export function redactedPrefix(text: string, cap: number, extra: readonly RegExp[] = []): string {
  if (text.length <= cap) return redactSecrets(text, extra).text
  return redactSecrets(text.slice(0, cap + CUT_MARGIN), extra).text.slice(0, cap)
}

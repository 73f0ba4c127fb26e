const MIN_LENGTH = 10
const MAX_LENGTH = 100

/**
 * The `status-left` value showing `label`: `[label] `, with `#` doubled so the label can't
 * inject tmux formats or styles (`#{...}`, `#[...]`, `#(cmd)`), and controls turned into spaces.
 */
export function statusLeftFor(label: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = label.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/#/g, '##')
  return `[${clean}] `
}

/** A `status-left-length` that fits `[label] ` (wide characters count two cells), within limits. */
export function statusLeftLengthFor(label: string): number {
  let width = 3
  for (const ch of label) width += ch.codePointAt(0)! >= 0x1100 ? 2 : 1
  return Math.min(MAX_LENGTH, Math.max(MIN_LENGTH, width))
}

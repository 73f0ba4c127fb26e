/** Keys a phone's keyboard lacks, as a terminal sends them. */
export const KEY_ROW: readonly { label: string; name: string; data: string }[] = [
  { label: 'Esc', name: 'Escape', data: '\x1b' },
  { label: '⇧Tab', name: 'Shift+Tab', data: '\x1b[Z' },
  { label: '^C', name: 'Ctrl+C', data: '\x03' },
  { label: '↑', name: 'Up', data: '\x1b[A' },
  { label: '↓', name: 'Down', data: '\x1b[B' },
  { label: '←', name: 'Left', data: '\x1b[D' },
  { label: '→', name: 'Right', data: '\x1b[C' },
  { label: '⏎', name: 'Enter', data: '\r' },
]

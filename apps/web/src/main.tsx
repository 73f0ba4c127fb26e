import { render } from 'preact'
import { App } from './app.js'
import { redeem, takeLoginCode, type LoginOutcome } from './login.js'

let shown = false

function show(outcome: LoginOutcome | null): void {
  const root = document.getElementById('app')!
  // the first time, the page's "Loading…" goes
  if (!shown) root.textContent = ''
  shown = true
  render(<App {...(outcome !== null && !outcome.ok ? { loginError: outcome.message } : {})} />, root)
}

async function main(): Promise<void> {
  const code = takeLoginCode()
  show(code === null ? null : await redeem(code))
}

// A new login link opened in a tab already on the page only changes the fragment (no new load):
// redeem it, then start the page afresh so its push channel begins with the new cookie.
window.addEventListener('hashchange', () => {
  const code = takeLoginCode()
  if (code === null) return
  void redeem(code).then((outcome) => (outcome.ok ? window.location.reload() : show(outcome)))
})

void main()

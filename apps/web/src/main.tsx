import { render } from 'preact'
import { App } from './app.js'
import { redeem, takeLoginCode } from './login.js'

async function main(): Promise<void> {
  const code = takeLoginCode()
  const outcome = code === null ? null : await redeem(code)
  const root = document.getElementById('app')!
  root.textContent = ''
  render(<App {...(outcome !== null && !outcome.ok ? { loginError: outcome.message } : {})} />, root)
}

void main()

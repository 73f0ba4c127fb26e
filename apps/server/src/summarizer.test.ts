import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CommandSummarizer } from './summarizer.js'
import { alive, pidsIn } from './summary-test-support.js'
import { FAKE_SUMMARIZER as FAKE, waitFor } from './test-support.js'

const dirs: string[] = []
const tempDir = () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'sm-summarizer-')))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})


const fake = (dir: string, ...args: string[]) => new CommandSummarizer({ command: [process.execPath, FAKE, ...args], cwd: dir, killGraceMs: 300 })

describe('CommandSummarizer', () => {
  it('sends the prompt on stdin and returns stdout; runs in the given directory without CLAUDECODE', async () => {
    const dir = tempDir()
    const promptFile = join(dir, 'prompt.txt')
    const summarizer = new CommandSummarizer({
      command: [process.execPath, FAKE, 'echo', promptFile, 'needle'],
      cwd: dir,
      env: { ...process.env, CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli' },
    })
    const prompt = `Session: worker (a1b2c3d4)\nthe needle: it's "quoted"; $(not run) ünïcödé\n`
    const out = await summarizer.summarize(prompt, { timeoutMs: 10_000 })
    expect(readFileSync(promptFile, 'utf8')).toBe(prompt)
    expect(out).toContain('Summary of worker (a1b2c3d4)')
    expect(out).toContain(`Found: the needle: it's "quoted"; $(not run) ünïcödé`)
    expect(out).toContain(`CLAUDECODE unset, cwd ${dir}`)
  })

  it('timeout: stops the command and what it started, then says so', async () => {
    const dir = tempDir()
    const pidFile = join(dir, 'pids')
    const summarizer = fake(dir, 'sleep', pidFile)
    const started = summarizer.summarize('hello', { timeoutMs: 1000 })
    const pids = await pidsIn(pidFile)
    expect(pids).toHaveLength(2)
    await expect(started).rejects.toMatchObject({ code: 'unavailable', message: 'summarizer timed out after 1 s' })
    await waitFor(() => pids.every((pid) => !alive(pid)))
  })

  it('timeout: a command that ignores SIGTERM is killed', async () => {
    const dir = tempDir()
    const pidFile = join(dir, 'pid')
    const started = fake(dir, 'stubborn', pidFile).summarize('hello', { timeoutMs: 500 })
    const [pid] = await pidsIn(pidFile)
    await expect(started).rejects.toMatchObject({ message: 'summarizer timed out after 0.5 s' })
    await waitFor(() => !alive(pid!))
  })

  it('a non-zero exit is unavailable with the first line of stderr', async () => {
    await expect(fake(tempDir(), 'fail').summarize('x', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'unavailable',
      message: 'summarizer failed (exit 1): API Error: 529 overloaded',
    })
    const silent = new CommandSummarizer({ command: ['sh', '-c', 'exit 3'], cwd: tempDir() })
    await expect(silent.summarize('x', { timeoutMs: 10_000 })).rejects.toMatchObject({ message: 'summarizer failed (exit 3) with no error output' })
  })

  it('a missing command names summarizer.command; an empty answer is returned as is', async () => {
    const missing = new CommandSummarizer({ command: ['/nonexistent/claude', '-p'], cwd: tempDir() })
    await expect(missing.summarize('x', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'unavailable',
      message: "summarizer command '/nonexistent/claude' not found; set summarizer.command in the config",
    })
    expect(await fake(tempDir(), 'empty').summarize('x', { timeoutMs: 10_000 })).toBe('')
    expect(() => new CommandSummarizer({ command: [], cwd: '/' })).toThrow(/summarizer.command is empty/)
  })

  it('close stops summarizers still running', async () => {
    const dir = tempDir()
    const pidFile = join(dir, 'pids')
    const summarizer = fake(dir, 'sleep', pidFile)
    const started = summarizer.summarize('hello', { timeoutMs: 60_000 })
    const pids = await pidsIn(pidFile)
    summarizer.close()
    await expect(started).rejects.toMatchObject({ code: 'unavailable', message: 'summarizer failed (killed by SIGKILL) with no error output' })
    await waitFor(() => pids.every((pid) => !alive(pid)))
  })
})

import { FakeMultiplexer } from './fake-multiplexer.js'
import { multiplexerContract } from './multiplexer-contract.js'

const DIR = '/home/tester/project'
const FILE = '/home/tester/project/README.md'

multiplexerContract('fake multiplexer', () => {
  // core does no I/O: the fake is told which paths are directories
  const mux = new FakeMultiplexer({ isDirectory: (path) => path === DIR })
  const terminal = (name: string) => mux.terminals.get(name)
  return {
    mux,
    dir: DIR,
    file: FILE,
    program: () => ['claude'],
    started: async () => {},
    received: async (name) => terminal(name)?.received ?? '',
    label: async (name) => terminal(name)?.label ?? null,
  }
})

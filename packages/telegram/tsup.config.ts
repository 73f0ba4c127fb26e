import { library } from '../../tooling/tsup/library.js'

// `testing`: the fake Bot API server, for the server's and the e2e tests (no vitest in it: a plain
// node process may load it); `testing/contract`: the SessionControl contract (vitest stays the caller's).
export default library(
  { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'testing/contract': 'src/testing/contract.ts' },
  { external: ['vitest'] },
)

import { library } from '../../tooling/tsup/library.js'

// `testing`: the fake Bot API server, for the server's and the e2e tests, and the SessionControl
// contract (vitest stays the caller's).
export default library({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' }, { external: ['vitest'] })

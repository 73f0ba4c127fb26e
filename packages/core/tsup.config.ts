import { library } from '../../tooling/tsup/library.js'

// `testing` holds the fakes and the store contract; vitest stays the caller's.
export default library({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' }, { external: ['vitest'] })

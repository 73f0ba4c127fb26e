import { library } from '../../tooling/tsup/library.js'

// One entry per subpath export; the testing ones hold fakes and contracts, and vitest stays the caller's.
export default library(
  {
    index: 'src/index.ts',
    'audit/index': 'src/audit/index.ts',
    services: 'src/services.ts',
    telegram: 'src/telegram.ts',
    'testing/index': 'src/testing/index.ts',
    'telegram-testing': 'src/telegram-testing.ts',
  },
  { external: ['vitest'] },
)

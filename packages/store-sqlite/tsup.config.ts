import { library } from '../../tooling/tsup/library.js'

export default library(['src/index.ts', 'src/schema.ts'])

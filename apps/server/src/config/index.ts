export { loadConfig, parseConfigText } from './load.js'
export type { ConfigOverrides } from './load.js'
export { dataFiles, defaultConfigPath, defaultDataDir } from './paths.js'
export type { Config } from './schema.js'

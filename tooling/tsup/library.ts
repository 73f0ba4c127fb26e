import { defineConfig, type Options } from 'tsup'

/** The build of every workspace library: ESM + .d.ts for Node 20, one entry per public path. */
export const library = (entry: Options['entry'], extra: Options = {}) =>
  defineConfig({ entry, format: ['esm'], dts: true, clean: true, target: 'node20', ...extra })

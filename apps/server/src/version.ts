/** Set at build time from package.json; `dev` when run from source. */
declare const __SM_VERSION__: string | undefined
export const VERSION: string = typeof __SM_VERSION__ === 'string' ? __SM_VERSION__ : '0.1.0'

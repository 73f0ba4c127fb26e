/** Nesting kept by `safeJsonStringify` when the plain serialisation fails; deeper values become a mark. */
export const SAFE_JSON_DEPTH = 64

const TOO_DEEP = '[too deep]'
const CIRCULAR = '[circular]'
const UNSERIALISABLE = '"[unserialisable]"'

/**
 * JSON text of an untrusted value that never throws: `JSON.stringify` as is, and when that
 * fails (a cycle, a BigInt, nesting past the stack, a throwing `toJSON` or getter) a second
 * pass that writes BigInts as strings, cycles as "[circular]" and anything nested deeper than
 * `maxDepth` as "[too deep]". Returns undefined where `JSON.stringify` does (undefined, a
 * function, a symbol). Pure.
 */
export function safeJsonStringify(value: unknown, maxDepth: number = SAFE_JSON_DEPTH): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    // the careful pass below
  }
  try {
    return JSON.stringify(value, boundedReplacer(maxDepth))
  } catch {
    return UNSERIALISABLE
  }
}

/**
 * A replacer that knows each object's depth and holder: JSON.stringify calls it with the holder
 * as `this`, parents before children, so the depth of a value is its holder's plus one.
 */
function boundedReplacer(maxDepth: number): (this: unknown, key: string, value: unknown) => unknown {
  const depths = new WeakMap<object, number>()
  const holders = new WeakMap<object, object>()
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString()
    if (value === null || typeof value !== 'object') return value
    const holder = this as object
    const depth = (depths.get(holder) ?? 0) + 1
    if (depth > maxDepth) return TOO_DEEP
    // a cycle: the value is the holder or one of its ancestors (at most maxDepth steps up; the
    // bound also ends the walk should a value met twice have left a stale holder behind)
    let up: object | undefined = holder
    for (let steps = 0; up !== undefined && steps <= maxDepth; steps++, up = holders.get(up)) if (up === value) return CIRCULAR
    depths.set(value, depth)
    holders.set(value, holder)
    return value
  }
}

// core is built without platform types; tests run where timers exist
declare function setTimeout(callback: () => void, ms: number): unknown

/** Polls `check` until it returns something truthy; rejects after `timeoutMs`. For tests against real processes. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise<void>((resolve) => setTimeout(() => resolve(), intervalMs))
  }
}

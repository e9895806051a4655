/**
 * A small promise pool: at most `concurrency` calls of `fn` in flight, results
 * in input order. No module-level state, so pools nest and run side by side.
 */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted()
      const index = next++
      results[index] = await fn(items[index] as T, index)
    }
  }
  const size = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length))
  await Promise.all(Array.from({ length: size }, worker))
  return results
}

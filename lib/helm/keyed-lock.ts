/**
 * Runs tasks one at a time per key, in arrival order; different keys run in parallel.
 * Keys are forgotten once their queue drains, so the map stays as small as the work in flight.
 */
export type KeyedLock = {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys that have a task running or waiting (for diagnostics and tests). */
  activeKeys(): string[];
};

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task);
      // The queue continues whether the task succeeded or not; its error goes to its caller.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    activeKeys: () => [...tails.keys()],
  };
}

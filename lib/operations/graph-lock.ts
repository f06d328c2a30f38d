/**
 * In-process serialisation of operations on one graph: a second operation waits for the first.
 * Keyed by database and instance id, because two contexts with different instance ids stand for
 * two processes (they must meet the database guard, not wait for each other). Across processes
 * the partial unique index `operations_one_active_per_graph` refuses the second one.
 */
import type { OperationContext } from "./types";

const tailsByDatabase = new WeakMap<object, Map<string, Promise<void>>>();

export type ReleaseGraphLock = () => void;

/** Waits for the graph's earlier operations in this process; with `wait: false`, returns undefined instead of waiting. */
export async function acquireGraphLock(ctx: OperationContext, graphName: string | null | undefined): Promise<ReleaseGraphLock>;
export async function acquireGraphLock(ctx: OperationContext, graphName: string | null | undefined, options: { wait: boolean }): Promise<ReleaseGraphLock | undefined>;
export async function acquireGraphLock(ctx: OperationContext, graphName: string | null | undefined, options = { wait: true }): Promise<ReleaseGraphLock | undefined> {
  if (!graphName) return () => undefined;
  let tails = tailsByDatabase.get(ctx.db);
  if (!tails) {
    tails = new Map();
    tailsByDatabase.set(ctx.db, tails);
  }
  const key = `${ctx.config.instanceId}\u0000${graphName}`;
  if (!options.wait && tails.has(key)) return undefined;
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => held);
  tails.set(key, tail);
  await previous;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
    if (tails.get(key) === tail) tails.delete(key);
  };
}

/** An abortable pause for polling loops (live views, watchers). */
import { setTimeout as sleep } from "node:timers/promises";

/** Waits `ms`; false when the signal ended the wait (or had already ended). */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}

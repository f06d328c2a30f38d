/** Shared by the subscription procedures. */

/** The signal that ends a subscription: tRPC's (the client went away), or one that never fires for in-process callers. */
export function streamSignal(signal: AbortSignal | undefined): AbortSignal {
  return signal ?? new AbortController().signal;
}

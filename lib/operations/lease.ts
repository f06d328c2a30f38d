import { and, eq } from "drizzle-orm";
import { operations } from "../../db/schema";
import type { OperationContext, OperationOptions } from "./types";

/** A process that stops renewing loses its running operations to recovery after this long. */
export const DEFAULT_LEASE_MS = 30_000;

export function leaseDurationMs(options: OperationOptions | undefined): number {
  const leaseMs = options?.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new RangeError(`leaseMs must be a positive number of milliseconds, got ${leaseMs}`);
  return leaseMs;
}

export function leaseExpiry(ctx: OperationContext, leaseMs: number): Date {
  return new Date(ctx.clock().getTime() + leaseMs);
}

/** Extends this process's lease; false when the operation is no longer running under it. */
export async function renewLease(ctx: OperationContext, operationId: string, leaseMs: number): Promise<boolean> {
  const renewed = await ctx.db
    .update(operations)
    .set({ leaseExpiresAt: leaseExpiry(ctx, leaseMs) })
    .where(and(eq(operations.id, operationId), eq(operations.leaseOwner, ctx.config.instanceId), eq(operations.status, "running")))
    .returning({ id: operations.id });
  return renewed.length === 1;
}

export type Heartbeat = { stop: () => Promise<void> };

/** Renews the lease on a real timer while the executor runs (unref'd, so it never keeps a process alive). */
export function startHeartbeat(ctx: OperationContext, operationId: string, leaseMs: number, options: OperationOptions | undefined, onLost: () => void): Heartbeat {
  const intervalMs = options?.heartbeatMs ?? Math.max(Math.floor(leaseMs / 3), 10);
  let inFlight: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = renewLease(ctx, operationId, leaseMs)
      .then((held) => {
        if (!held) {
          ctx.logger.warn({ operation: operationId }, "operation lease lost: another process claimed it");
          onLost();
        }
      })
      .catch((error: unknown) => ctx.logger.warn({ operation: operationId, err: error }, "renewing the operation lease failed; will try again"))
      .finally(() => (inFlight = undefined));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

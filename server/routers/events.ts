/** The event log (what happened to graphs, services and clusters): newest first, or followed live. */
import { tracked } from "@trpc/server";
import { z } from "zod";
import { listEvents, tailEvents } from "../../lib/events";
import { router, viewerProcedure } from "../trpc";
import { streamSignal } from "./live";

const SEVERITIES = ["info", "warning", "error"] as const;

export const eventsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          graphName: z.string().min(1).optional(),
          clusterName: z.string().min(1).optional(),
          kind: z.string().min(1).optional(),
          severity: z.enum(SEVERITIES).optional(),
          afterId: z.number().int().nonnegative().optional(),
          beforeId: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(1_000).optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => listEvents(await ctx.core(), input)),

  /**
   * The events recorded from now on (or after `lastEventId`), oldest first, each as
   * `tracked(id, event)` with the shape of `list`'s items: a client reconnecting sends the last id
   * it received (httpSubscriptionLink and EventSource do so by themselves) and misses nothing.
   */
  live: viewerProcedure
    .input(
      z
        .object({
          graphName: z.string().min(1).optional(),
          clusterName: z.string().min(1).optional(),
          kind: z.string().min(1).optional(),
          severity: z.enum(SEVERITIES).optional(),
          lastEventId: z.string().regex(/^\d{1,15}$/, "must be the id of an event").nullish(),
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const { lastEventId, ...filters } = input;
      const afterId = lastEventId ? Number(lastEventId) : undefined;
      for await (const event of tailEvents(await ctx.core(), { ...filters, afterId }, { signal: streamSignal(signal) })) {
        yield tracked(String(event.id), event);
      }
    }),
});

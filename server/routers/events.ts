/** The event log (what happened to graphs, services and clusters), newest first. */
import { z } from "zod";
import { listEvents } from "../../lib/events";
import { router, viewerProcedure } from "../trpc";

export const eventsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          graphName: z.string().min(1).optional(),
          clusterName: z.string().min(1).optional(),
          kind: z.string().min(1).optional(),
          severity: z.enum(["info", "warning", "error"]).optional(),
          afterId: z.number().int().nonnegative().optional(),
          beforeId: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(1_000).optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => listEvents(await ctx.core(), input)),
});

/** The federation's member clusters (SPEC §6): reads for everyone, sync for operators, attributes for admins. */
import { z } from "zod";
import { federationSummary, getCluster, listClusters, syncClusters, updateClusterAttributes } from "../../lib/clusters";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

export const clustersRouter = router({
  list: viewerProcedure.query(async ({ ctx }) => listClusters(await ctx.core())),

  get: viewerProcedure.input(z.object({ name: z.string().min(1).max(253) })).query(async ({ ctx, input }) => getCluster(await ctx.core(), input.name)),

  summary: viewerProcedure.query(async ({ ctx }) => federationSummary(await ctx.core())),

  /** Reads the clusters from Karmada now (a short operation: listing and storing). */
  sync: operatorProcedure.mutation(async ({ ctx }) => syncClusters(await ctx.core())),

  updateAttributes: adminProcedure
    .input(
      z.object({
        name: z.string().min(1).max(253),
        version: z.number().int().min(1),
        // Ranges and characters are checked by the core, which names the field in its error.
        location: z.string().nullish(),
        carbonIntensity: z.number().nullish(),
      }),
    )
    .mutation(async ({ ctx, input }) => updateClusterAttributes(await ctx.core(), input)),
});

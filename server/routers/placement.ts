/**
 * Placement comparison (SPEC §4): a descriptor placed over the federation as it is now by each
 * algorithm, side by side. A dry run: nothing is stored and nothing is deployed.
 */
import { z } from "zod";
import { placementClusters } from "../../lib/clusters";
import { parseHdag } from "../../lib/hdag/parse";
import { placementInputFromHdag, planPlacement, PLACEMENT_ALGORITHMS, type PlacementAlgorithm } from "../../lib/placement";
import { router, viewerProcedure } from "../trpc";
import { algorithmSchema, weightsSchema } from "./graphs";

/** A viewer's comparison must not hold a solver (and a core of a small server) for long. */
const COMPARE_TIME_LIMIT_SECONDS = 10;

export const placementRouter = router({
  compare: viewerProcedure
    .input(z.object({ text: z.string().min(1), algorithms: z.array(algorithmSchema).min(1).max(3).optional(), weights: weightsSchema.optional() }))
    .query(async ({ ctx, input }) => {
      const hdag = parseHdag(input.text);
      const core = await ctx.core();
      const clusters = await placementClusters(core);
      const placementInput = placementInputFromHdag(hdag, clusters, { weights: input.weights });
      const algorithms: PlacementAlgorithm[] = [...new Set(input.algorithms ?? PLACEMENT_ALGORITHMS)];
      const timeLimitSeconds = Math.min(core.config.placement.timeLimitSeconds, COMPARE_TIME_LIMIT_SECONDS);
      // One after another: the optimal run already uses the whole time limit, and HiGHS is one runtime per process.
      const results = [];
      for (const algorithm of algorithms) results.push(await planPlacement(placementInput, { algorithm, timeLimitSeconds }));
      return { graphId: hdag.id, clusters: clusters.map((cluster) => cluster.name), weights: placementInput.weights, results };
    }),
});

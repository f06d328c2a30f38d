/** Scaling (SPEC §5): each service's policy, edited by operators, and the loop's decisions. */
import { z } from "zod";
import { getScalingPolicies, listScalingDecisions, ScalingPolicyInput, upsertScalingPolicy } from "../../lib/scaling";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const graphNameInput = z.object({ graphName: z.string().min(1).max(253) });

export const scalingRouter = router({
  policies: viewerProcedure.input(graphNameInput).query(async ({ ctx, input }) => getScalingPolicies(await ctx.core(), input.graphName)),

  /** Creates a policy (no `version`) or replaces the version read; the core checks the rules between fields. */
  upsertPolicy: operatorProcedure.input(ScalingPolicyInput).mutation(async ({ ctx, input }) => upsertScalingPolicy(await ctx.core(), input)),

  decisions: viewerProcedure
    .input(graphNameInput.extend({ limit: z.number().int().min(1).max(500).optional() }))
    .query(async ({ ctx, input }) => listScalingDecisions(await ctx.core(), input)),
});

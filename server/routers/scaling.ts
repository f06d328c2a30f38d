/** Scaling (SPEC §5): each service's policy, edited by operators, and the loop's decisions. */
import { z } from "zod";
import { nameSchema } from "../../lib/names";
import { getScalingPolicies, listScalingDecisions, runThresholdStep, ScalingPolicyInput, upsertScalingPolicy } from "../../lib/scaling";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const graphNameInput = z.object({ graphName: z.string().min(1).max(253) });

export const scalingRouter = router({
  policies: viewerProcedure.input(graphNameInput).query(async ({ ctx, input }) => getScalingPolicies(await ctx.core(), input.graphName)),

  /** Creates a policy (no `version`) or replaces the version read; the core checks the rules between fields. */
  upsertPolicy: operatorProcedure.input(ScalingPolicyInput).mutation(async ({ ctx, input }) => upsertScalingPolicy(await ctx.core(), input)),

  /**
   * One poll of the threshold scaler for `smo scaler run` (the client keeps the interval and the
   * cooldown): reads the rate and replicas, scales when a threshold is crossed, records the decision.
   */
  thresholdStep: operatorProcedure
    .input(
      z
        .object({
          graphName: nameSchema(),
          serviceName: nameSchema(),
          upThreshold: z.number().finite().nonnegative(),
          downThreshold: z.number().finite().nonnegative(),
          upReplicas: z.number().int().min(1).max(1_000),
          downReplicas: z.number().int().min(1).max(1_000),
        })
        .refine((input) => input.downThreshold <= input.upThreshold, { path: ["downThreshold"], message: "must not exceed upThreshold" }),
    )
    .mutation(async ({ ctx, input }) => runThresholdStep(await ctx.core(), input)),

  decisions: viewerProcedure
    .input(graphNameInput.extend({ limit: z.number().int().min(1).max(500).optional() }))
    .query(async ({ ctx, input }) => listScalingDecisions(await ctx.core(), input)),
});

/**
 * The sandbox's scenario controls (SPEC §10, sandbox mode): make a member cluster go offline or
 * come back, steer a service's request load, fire an event-triggered service's alert — what a real
 * federation does by itself, on demand, to show failover, scaling and conditional deployment.
 * Outside sandbox mode there is nothing to steer: `status` says so and the actions are refused.
 */
import { z } from "zod";
import { fireServiceAlert } from "../../lib/alerts/simulate";
import { PreconditionFailedError } from "../../lib/errors";
import type { ServerDeps } from "../deps";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const name = z.string().min(1).max(253);

function controlsOf(deps: ServerDeps): NonNullable<ServerDeps["sandboxControls"]> {
  if (!deps.sandboxControls) throw new PreconditionFailedError("not a sandbox: this console drives a real federation, whose clusters, load and alerts are not simulated");
  return deps.sandboxControls;
}

export const sandboxRouter = router({
  /** Whether this console runs the sandbox, its members' readiness and each service's request load now. */
  status: viewerProcedure.query(({ ctx }) => {
    const controls = ctx.deps.sandboxControls;
    if (!controls) return { enabled: false, clusters: [], loads: [] };
    return { enabled: true, clusters: controls.clusters(), loads: controls.loads() };
  }),

  /** A steady request load on a service from now on (what its pods report; the scaler reads it). */
  setLoad: operatorProcedure
    .input(z.object({ service: name, requestsPerSecond: z.number().finite().min(0).max(1_000_000) }))
    .mutation(({ ctx, input }) => {
      controlsOf(ctx.deps).setLoad(input.service, { kind: "steady", rps: input.requestsPerSecond });
      return { service: input.service, requestsPerSecond: input.requestsPerSecond };
    }),

  /** Marks a member cluster Ready or NotReady, as Karmada would; a cluster sync then sees it. */
  setClusterReady: operatorProcedure.input(z.object({ name, ready: z.boolean() })).mutation(({ ctx, input }) => {
    controlsOf(ctx.deps).setClusterReady(input.name, input.ready);
    return { name: input.name, ready: input.ready };
  }),

  /**
   * Fires the alert of an event-triggered service as Alertmanager would deliver it (same handler as
   * POST /api/v1/alerts): a Pending service of a Running graph gets deployed; the answer says what
   * was done and names the deploy operation to follow.
   */
  fireAlert: operatorProcedure
    .input(z.object({ graphName: name, service: name, alertName: z.string().min(1).max(253).optional() }))
    .mutation(async ({ ctx, input }) => {
      controlsOf(ctx.deps);
      return fireServiceAlert(await ctx.core(), input);
    }),
});

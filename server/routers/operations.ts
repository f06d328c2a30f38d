/** Durable operations (deploy, stop, sync, scale, …) and their steps, for following an action to its end. */
import { z } from "zod";
import { NotFoundError } from "../../lib/errors";
import { getOperation, listOperations } from "../../lib/operations";
import { router, viewerProcedure } from "../trpc";

const OPERATION_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;

export const operationsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          graphName: z.string().min(1).optional(),
          status: z.union([z.enum(OPERATION_STATUSES), z.array(z.enum(OPERATION_STATUSES)).min(1)]).optional(),
          limit: z.number().int().min(1).max(500).optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => listOperations(await ctx.core(), input)),

  /** The operation with its steps in execution order. */
  get: viewerProcedure.input(z.object({ id: z.string().min(1) })).query(async ({ ctx, input }) => {
    const operation = await getOperation(await ctx.core(), input.id);
    if (!operation) throw new NotFoundError("operation", input.id);
    return operation;
  }),
});

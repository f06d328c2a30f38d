/** Helpers every graph executor uses: finding its graph, reading its input, and batching service steps. */
import type { CoreContext } from "../context";
import { NotFoundError } from "../errors";
import type { OperationHandle, StepLog, StepSpec } from "../operations";
import { findGraphById, type GraphRow } from "./records";

export type BatchedStep = { spec: StepSpec; run: (log: StepLog) => Promise<unknown> };

/**
 * The operation's graph, by id. Graph operations are always created with the id; the database
 * clears it when the graph is deleted, and the name may by then belong to a new graph, which an
 * old operation must never act on.
 */
export async function findGraphOfOperation(ctx: Pick<CoreContext, "db">, op: OperationHandle): Promise<GraphRow | undefined> {
  return op.record.graphId === null ? undefined : findGraphById(ctx.db, op.record.graphId);
}

export async function requireGraphOfOperation(ctx: Pick<CoreContext, "db">, op: OperationHandle): Promise<GraphRow> {
  const graph = await findGraphOfOperation(ctx, op);
  if (!graph) throw new NotFoundError("graph", op.record.graphName ?? String(op.record.graphId));
  return graph;
}

export function serviceConcurrency(ctx: Pick<CoreContext, "config">): number {
  const configured = ctx.config.deploy.serviceConcurrency;
  return Number.isInteger(configured) && configured >= 1 ? configured : 1;
}

/** Runs the steps (installs first, they take longest) and returns the error of the batch instead of throwing it. */
export async function runStepBatch(ctx: Pick<CoreContext, "config">, op: OperationHandle, batch: BatchedStep[]): Promise<unknown> {
  if (batch.length === 0) return undefined;
  try {
    await op.steps(batch, serviceConcurrency(ctx));
    return undefined;
  } catch (error) {
    return error;
  }
}

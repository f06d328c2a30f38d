import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { operations, operationSteps } from "../../db/schema";
import type { OperationContext, OperationKind, OperationRecord, OperationStatus, OperationWithSteps } from "./types";

/** The operation with its steps in execution order, or undefined. */
export async function getOperation(ctx: Pick<OperationContext, "db">, id: string): Promise<OperationWithSteps | undefined> {
  const [operation] = await ctx.db.select().from(operations).where(eq(operations.id, id));
  if (!operation) return undefined;
  const steps = await ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, id)).orderBy(asc(operationSteps.seq));
  return { ...operation, steps };
}

export type ListOperationsInput = {
  graphName?: string;
  status?: OperationStatus | OperationStatus[];
  kind?: OperationKind;
  project?: string;
  /** Default 50, at most 500. */
  limit?: number;
};

/** Newest first. */
export async function listOperations(ctx: Pick<OperationContext, "db">, input: ListOperationsInput = {}): Promise<OperationRecord[]> {
  const filters: SQL[] = [];
  if (input.graphName) filters.push(eq(operations.graphName, input.graphName));
  if (input.kind) filters.push(eq(operations.kind, input.kind));
  if (input.project) filters.push(eq(operations.project, input.project));
  if (input.status !== undefined) {
    const statuses = Array.isArray(input.status) ? input.status : [input.status];
    filters.push(inArray(operations.status, statuses));
  }
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 50), 1), 500);
  return ctx.db
    .select()
    .from(operations)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(operations.createdAt), desc(operations.id))
    .limit(limit);
}

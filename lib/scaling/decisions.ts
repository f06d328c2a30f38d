/** Reading the scaling loop's decisions of a graph, newest first, for the console and the CLI. */
import { desc, eq } from "drizzle-orm";
import { scalingDecisions } from "../../db/schema";
import type { CoreContext } from "../context";
import type { ScalingDecisionRecord } from "./loop";

export type ListScalingDecisionsInput = {
  graphName: string;
  /** Default 50, at most 500. */
  limit?: number;
};

/** The graph's decisions, newest first (an unknown graph has none). */
export async function listScalingDecisions(ctx: Pick<CoreContext, "db">, input: ListScalingDecisionsInput): Promise<ScalingDecisionRecord[]> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 50), 1), 500);
  return ctx.db
    .select()
    .from(scalingDecisions)
    .where(eq(scalingDecisions.graphName, input.graphName))
    .orderBy(desc(scalingDecisions.at), desc(scalingDecisions.id))
    .limit(limit);
}

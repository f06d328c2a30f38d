import { asc } from "drizzle-orm";
import { clusters } from "../../db/schema";
import type { CoreContext } from "../context";
import type { ClusterRecord } from "./types";

/** Every stored cluster, by name (the order Karmada lists them in, which first-fit placement follows). */
export async function listClusters(ctx: Pick<CoreContext, "db">): Promise<ClusterRecord[]> {
  return ctx.db.select().from(clusters).orderBy(asc(clusters.name));
}

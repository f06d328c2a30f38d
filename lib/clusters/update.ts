import { and, eq } from "drizzle-orm";
import { clusters } from "../../db/schema";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from "../errors";
import { recordEvent } from "../events";
import type { ClusterRecord, UpdateClusterAttributesInput } from "./types";

export const LOCATION_MAX_LENGTH = 100;
/** gCO2/kWh; the dirtiest grids stay well below (lignite ≈ 1,100). */
export const CARBON_INTENSITY_MAX = 2000;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Sets the operator attributes (location, carbon intensity) of a cluster. The write succeeds only
 * when the row is still at `version` (optimistic concurrency) and bumps it; syncs keep these values.
 */
export async function updateClusterAttributes(ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">, input: UpdateClusterAttributesInput): Promise<ClusterRecord> {
  const changes = validateAttributes(input);
  return ctx.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(clusters)
      .set({ ...changes, version: input.version + 1, updatedAt: ctx.clock() })
      .where(and(eq(clusters.name, input.name), eq(clusters.version, input.version)))
      .returning();
    if (!updated) {
      const [current] = await tx.select({ version: clusters.version }).from(clusters).where(eq(clusters.name, input.name));
      if (!current) throw new NotFoundError("cluster", input.name);
      throw new ConflictError(`cluster ${input.name} was changed by someone else (version ${current.version} is current)`);
    }
    const described = [
      changes.location !== undefined ? `location ${changes.location === null ? "cleared" : `"${changes.location}"`}` : undefined,
      changes.carbonIntensity !== undefined ? `carbon intensity ${changes.carbonIntensity === null ? "cleared" : `${changes.carbonIntensity} gCO2/kWh`}` : undefined,
    ].filter((part) => part !== undefined);
    await recordEvent(
      { ...ctx, db: tx },
      {
        kind: "cluster.attributes-updated",
        clusterName: input.name,
        message: `${ctx.actor.name} set ${described.join(" and ")} on cluster ${input.name} (version ${updated.version})`,
        detail: { ...changes, version: updated.version },
      },
    );
    return updated;
  });
}

type AttributeChanges = { location?: string | null; carbonIntensity?: number | null };

/** Checks every field and reports all problems at once, each with its path. */
function validateAttributes(input: UpdateClusterAttributesInput): AttributeChanges {
  const issues: ValidationIssue[] = [];
  const changes: AttributeChanges = {};
  if (typeof input.name !== "string" || input.name === "") issues.push({ path: "name", message: "must name a cluster" });
  if (!Number.isInteger(input.version) || input.version < 1) issues.push({ path: "version", message: `must be the row version you read (an integer ≥ 1), got ${String(input.version)}` });

  if (input.location === null) changes.location = null;
  else if (input.location !== undefined) {
    if (typeof input.location !== "string") issues.push({ path: "location", message: "must be text or null" });
    else {
      const location = input.location.trim();
      if (location.length > LOCATION_MAX_LENGTH) issues.push({ path: "location", message: `must be at most ${LOCATION_MAX_LENGTH} characters, got ${location.length}` });
      else if (CONTROL_CHARACTERS.test(location)) issues.push({ path: "location", message: "must not contain control characters (line breaks, tabs, …)" });
      else changes.location = location === "" ? null : location;
    }
  }

  if (input.carbonIntensity === null) changes.carbonIntensity = null;
  else if (input.carbonIntensity !== undefined) {
    const value = input.carbonIntensity;
    if (typeof value !== "number" || !Number.isFinite(value)) issues.push({ path: "carbonIntensity", message: `must be a finite number of gCO2/kWh or null, got ${String(value)}` });
    else if (value < 0 || value > CARBON_INTENSITY_MAX) issues.push({ path: "carbonIntensity", message: `must be between 0 and ${CARBON_INTENSITY_MAX} gCO2/kWh, got ${value}` });
    else changes.carbonIntensity = value;
  }

  if (input.location === undefined && input.carbonIntensity === undefined) issues.push({ path: "", message: "give location and/or carbonIntensity to change" });
  if (issues.length) throw new ValidationError(issues);
  return changes;
}

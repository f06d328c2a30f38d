/**
 * Replica scenario files (JSON or YAML): one cluster and the services scaled on it, with CPU as
 * a Kubernetes quantity ("500m") or a number of cores. The file's shape is checked here; the
 * ranges (alpha > 0, maxReplicas ≥ 1, …) by `validateReplicaProblem`, so both report by path.
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import { tryParseQuantity } from "../quantity";
import { validateReplicaProblem, type ReplicaProblem } from "./replicas";

const cpuQuantity = z.union([z.number(), z.string()]).transform((value, context) => {
  const cores = tryParseQuantity(value);
  if (cores === undefined) {
    context.addIssue({ code: "custom", message: `must be a CPU quantity (cores, e.g. 2 or "500m"), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return cores;
});

export const ReplicaScenario = z.strictObject({
  cluster: z.strictObject({ cpu: cpuQuantity, gpu: z.boolean().default(false) }),
  services: z.array(
    z.strictObject({
      id: z.string(),
      cpu: cpuQuantity,
      alpha: z.number(),
      beta: z.number(),
      requestRate: z.number(),
      previous: z.number(),
      maxReplicas: z.number(),
      gpu: z.boolean().default(false),
    }),
  ),
});
export type ReplicaScenario = z.input<typeof ReplicaScenario>;

/** The replica problem a parsed scenario file describes; every problem is a ValidationError naming its path. */
export function parseReplicaScenario(data: unknown): ReplicaProblem {
  const parsed = ReplicaScenario.safeParse(data);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  validateReplicaProblem(parsed.data);
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`), "");
}

/**
 * Placement scenario files (JSON): clusters, services and weights as people write them, with
 * Kubernetes quantities ("4Gi", "500m") or plain numbers, and defaults for what they omit.
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import { tryParseQuantity } from "../quantity";
import { buildPlacementProblem } from "./problem";
import { DEFAULT_PLACEMENT_WEIGHTS, type PlacementInput } from "./types";

const quantity = (what: "cpu" | "memory") =>
  z.union([z.number(), z.string()]).transform((value, context) => {
    const parsed = tryParseQuantity(value);
    if (parsed === undefined || parsed < 0) {
      context.addIssue({ code: "custom", message: `must be a ${what === "cpu" ? "CPU quantity (cores, e.g. 2 or \"500m\")" : "memory quantity (bytes, e.g. 4294967296 or \"4Gi\")"} ≥ 0, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

const name = z.string().min(1, "must be a non-empty string");
const qos = z.enum(["ultralow", "low", "best-effort"]);

const clusterSchema = z.strictObject({
  name,
  cpu: quantity("cpu"),
  memory: quantity("memory"),
  gpu: z.boolean().default(false),
  ready: z.boolean().default(true),
  carbon: z.number().nonnegative().default(0),
});

const serviceSchema = z.strictObject({
  id: name,
  cpu: quantity("cpu"),
  memory: quantity("memory"),
  replicas: z.number().int().nonnegative().default(1),
  gpu: z.boolean().default(false),
  connectionPoints: z.array(name).default([]),
  latencies: z.record(z.string(), qos).default({}),
  coLocation: z.array(name).default([]),
  spread: z.number().int().positive().default(1),
  current: z.array(name).default([]),
});

const weightsSchema = z.strictObject({
  migration: z.number().nonnegative().default(DEFAULT_PLACEMENT_WEIGHTS.migration),
  carbon: z.number().nonnegative().default(DEFAULT_PLACEMENT_WEIGHTS.carbon),
  communication: z.number().nonnegative().default(DEFAULT_PLACEMENT_WEIGHTS.communication),
  balance: z.number().nonnegative().default(DEFAULT_PLACEMENT_WEIGHTS.balance),
});

export const PlacementScenario = z.strictObject({
  clusters: z.array(clusterSchema),
  services: z.array(serviceSchema),
  weights: weightsSchema.default({ ...DEFAULT_PLACEMENT_WEIGHTS }),
});
export type PlacementScenario = z.input<typeof PlacementScenario>;

/**
 * Validates a parsed scenario file and returns the placement input it describes. Every problem
 * (shape, quantities, references between services) is reported by its path in a ValidationError.
 */
export function parsePlacementScenario(data: unknown): PlacementInput {
  const parsed = PlacementScenario.safeParse(data);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  const input: PlacementInput = parsed.data;
  buildPlacementProblem(input); // cross-references: duplicate names, unknown services
  return input;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`), "");
}

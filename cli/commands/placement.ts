/**
 * `smo placement solve FILE`: places a scenario's services with first-fit, green-best-fit or the
 * optimal MILP, offline. Exit 0 with a placement, 1 when the file is rejected or no placement exists.
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../lib/errors";
import { PLACEMENT_ALGORITHMS, parsePlacementScenario, planPlacement, type PlacementAlgorithm, type PlacementInput, type PlacementResult } from "../../lib/placement";
import { EXIT_FAILED, EXIT_OK, UsageError, formatTable, type CliCommand, type CliIo, readInputFile } from "../io";

async function runPlacementSolve(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { algorithm: { type: "string", default: "optimal" }, "time-limit": { type: "string" }, json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError("missing the scenario FILE");
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const algorithm = parsed.values.algorithm as PlacementAlgorithm;
  if (!PLACEMENT_ALGORITHMS.includes(algorithm)) throw new UsageError(`--algorithm must be one of ${PLACEMENT_ALGORITHMS.join(", ")} (got "${algorithm}")`);
  let timeLimitSeconds: number | undefined;
  if (parsed.values["time-limit"] !== undefined) {
    timeLimitSeconds = Number(parsed.values["time-limit"]);
    if (!Number.isFinite(timeLimitSeconds) || timeLimitSeconds <= 0) throw new UsageError(`--time-limit must be a number of seconds > 0 (got "${parsed.values["time-limit"]}")`);
  }

  const text = await readInputFile(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let input: PlacementInput;
  try {
    input = parsePlacementScenario(data);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.stderr(`smo placement solve: ${file} is not a valid placement scenario:\n${error.issues.map((issue) => `  ${issue.path || "(root)"}: ${issue.message}\n`).join("")}`);
    return EXIT_FAILED;
  }

  const result = await planPlacement(input, { algorithm, timeLimitSeconds });
  const placed = result.status === "optimal" || result.status === "feasible";
  if (parsed.values.json) {
    const output = {
      status: result.status,
      placement: result.placement,
      objective: result.objective,
      terms: result.terms,
      gap: result.gap ?? null,
      solveMs: result.solveMs,
      explanations: result.explanations,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } else if (placed) {
    io.stdout(describeResult(result));
  }
  if (!placed) io.stderr(`${result.status}: ${result.infeasibility?.message ?? "no placement"}\n`);
  return placed ? EXIT_OK : EXIT_FAILED;
}

function describeResult(result: PlacementResult): string {
  const rows = result.explanations.map((explanation) => [explanation.service, explanation.clusters.join(", "), explanation.summary]);
  const terms = Object.entries(result.terms)
    .map(([name, value]) => `${name} ${round(value)}`)
    .join(", ");
  const gap = result.gap === undefined ? "" : `  gap: ${Number.isFinite(result.gap) ? `${round(result.gap * 100)}%` : "unknown"}`;
  return (
    formatTable(["SERVICE", "CLUSTERS", "WHY"], rows) +
    `\nstatus: ${result.status} (${result.algorithm})  objective: ${round(result.objective)}  terms: ${terms}${gap}  time: ${Math.round(result.solveMs)} ms\n`
  );
}

function round(value: number): string {
  return String(Number(value.toFixed(4)));
}

export const placementCommands: CliCommand[] = [
  {
    name: "placement solve",
    usage: "placement solve FILE [--algorithm first-fit|green-best-fit|optimal] [--time-limit S] [--json]",
    summary: "Place a scenario's services on clusters (first-fit, green-best-fit or the optimal MILP; scenario file, offline)",
    run: runPlacementSolve,
  },
];

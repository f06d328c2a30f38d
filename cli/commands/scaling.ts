/**
 * `smo scaling solve FILE`: the original SMO replica model on a scenario file, offline.
 * Exit 0 with replicas, 1 when the file is rejected or no replicas fit (the reason says why).
 */
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { ValidationError } from "../../lib/errors";
import { solveReplicas, type ReplicaProblem, type ReplicaResult } from "../../lib/scaling/replicas";
import { parseReplicaScenario } from "../../lib/scaling/scenario";
import { EXIT_FAILED, EXIT_OK, UsageError, formatTable, type CliCommand, type CliIo, readInputFile } from "../io";

async function runScalingSolve(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError("missing the scenario FILE");
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);

  const text = await readInputFile(file);
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`${file} is not valid YAML or JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let problem: ReplicaProblem;
  try {
    problem = parseReplicaScenario(data);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.stderr(`smo scaling solve: ${file} is not a valid replica scenario:\n${error.issues.map((issue) => `  ${issue.path || "(root)"}: ${issue.message}\n`).join("")}`);
    return EXIT_FAILED;
  }

  const result = await solveReplicas(problem);
  if (parsed.values.json) {
    const output: Record<string, unknown> = { status: result.status, replicas: result.replicas, objective: result.status === "optimal" ? result.objective : null };
    if (result.reason !== undefined) output.reason = result.reason;
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } else if (result.status === "infeasible") {
    io.stderr(`infeasible: ${result.reason}\n`);
  } else {
    io.stdout(describeResult(problem, result));
  }
  return result.status === "optimal" ? EXIT_OK : EXIT_FAILED;
}

function describeResult(problem: ReplicaProblem, result: ReplicaResult): string {
  let usedCpu = 0;
  const rows = problem.services.map((service) => {
    const replicas = result.replicas[service.id]!;
    usedCpu += replicas * service.cpu;
    const capacity = service.alpha * replicas + service.beta;
    return [service.id, `${service.previous} → ${replicas}`, `${round(capacity)} ≥ ${round(service.requestRate)}`, round(replicas * service.cpu, 3)];
  });
  return (
    formatTable(["SERVICE", "REPLICAS", "CAPACITY ≥ RATE (req/s)", "CPU (cores)"], rows) +
    `\ncluster CPU: ${round(usedCpu, 3)} of ${round(problem.cluster.cpu, 3)} cores\nobjective: ${round(result.objective, 6)}\n`
  );
}

function round(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}

export const scalingCommands: CliCommand[] = [
  {
    name: "scaling solve",
    usage: "scaling solve FILE [--json]",
    summary: "Choose replicas for one cluster's services with the original SMO replica model (scenario file, offline)",
    run: runScalingSolve,
  },
];

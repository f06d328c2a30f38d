/**
 * `smo graph …` and `smo placement preview`: deploy, inspect and drive graphs on a console.
 * Actions answer once their operation runs; --wait follows it to its end (exit 1 when it fails).
 * Stopping, removing and re-placing ask first on a terminal; scripts pass --yes.
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm } from "../../lib/placement/types";
import { callConsole, connectConsole, formatInstant, parseCommandArgs, printJson, type ConsoleClient } from "../client";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, formatTable, type CliCommand, type CliIo } from "../io";

const POLL_INTERVAL_MS = 500;
/** Graphs per graphs.list call (the console's maximum page). */
const GRAPH_LIST_PAGE = 500;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

type Operation = { id: string; kind: string; status: string; error: string | null };

function parseAlgorithm(value: string | undefined): PlacementAlgorithm | undefined {
  if (value === undefined) return undefined;
  if (!PLACEMENT_ALGORITHMS.includes(value as PlacementAlgorithm)) throw new UsageError(`--algorithm must be one of ${PLACEMENT_ALGORITHMS.join(", ")} (got "${value}")`);
  return value as PlacementAlgorithm;
}

/** The descriptor source the console understands: oci:// and http(s):// are fetched by the console, files are sent as text. */
async function readDescriptorSource(source: string): Promise<{ text: string } | { url: string } | { artifact: string }> {
  if (source.startsWith("oci://")) return { artifact: source };
  if (/^https?:\/\//i.test(source)) return { url: source };
  try {
    return { text: await readFile(source, "utf8") };
  } catch (error) {
    throw new Error(`cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Polls the operation until it ends (or Ctrl-C); returns the exit code and says how it ended. */
async function followOperation(client: ConsoleClient, io: CliIo, started: Operation, what: string): Promise<number> {
  let operation = started;
  while (!FINISHED.has(operation.status)) {
    try {
      await sleep(POLL_INTERVAL_MS, undefined, { signal: io.signal });
    } catch (error) {
      if (!io.signal?.aborted) throw error;
      io.stderr(`stopped waiting; operation ${operation.id} is still ${operation.status} (see smo events)\n`);
      return EXIT_FAILED;
    }
    operation = await callConsole("read operations", () => client.operations.get.query({ id: operation.id }));
  }
  if (operation.status === "succeeded") {
    io.stdout(`${what}: operation ${operation.id} succeeded\n`);
    return EXIT_OK;
  }
  io.stderr(`${what}: operation ${operation.id} ${operation.status}${operation.error ? `: ${operation.error}` : ""}\n`);
  return EXIT_FAILED;
}

/** Whether to go ahead: --yes, or "y" on a terminal. Undefined means "refused for lack of a terminal" (exit 2). */
async function confirm(io: CliIo, yes: boolean, question: string): Promise<boolean | undefined> {
  if (yes) return true;
  if (!io.isTTY || !io.ask) return undefined;
  const answer = await io.ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

async function runGraphDeploy(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { project: { type: "string" }, algorithm: { type: "string" }, wait: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
    { min: 1, max: 1, names: "the descriptor FILE, URL or oci:// reference" },
  );
  if (values.project === undefined) throw new UsageError("missing --project P");
  const algorithm = parseAlgorithm(values.algorithm);
  const descriptor = await readDescriptorSource(positionals[0]!);
  const client = await connectConsole();
  const started = await callConsole("deploy graphs", () => client.graphs.deploy.mutate({ project: values.project!, descriptor, algorithm }));
  const name = started.graph?.graph.name ?? started.operation.graphName ?? positionals[0]!;
  if (values.json) printJson(io, started);
  else io.stdout(`deploying graph ${name} in project ${values.project} (operation ${started.operation.id})\n`);
  return values.wait ? followOperation(client, io, started.operation, `graph ${name} deployed`) : EXIT_OK;
}

async function runGraphList(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { project: { type: "string" }, json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "" });
  const client = await connectConsole();
  // Page after page: the table and --json list every graph.
  const graphs = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof client.graphs.list.query>> = await callConsole("list graphs", () => client.graphs.list.query({ project: values.project, limit: GRAPH_LIST_PAGE, cursor }));
    graphs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  if (values.json) printJson(io, graphs);
  else {
    const rows = graphs.map((graph) => [graph.name, graph.project, graph.status, `${graph.deployed}/${graph.services}`, graph.placementAlgorithm ?? "-", formatInstant(graph.updatedAt)]);
    io.stdout(formatTable(["NAME", "PROJECT", "STATUS", "DEPLOYED", "PLACEMENT", "UPDATED"], rows));
  }
  return EXIT_OK;
}

async function runGraphDescribe(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean", default: false } }, { min: 1, max: 1, names: "the graph NAME" });
  const client = await connectConsole();
  const detail = await callConsole("read graphs", () => client.graphs.get.query({ name: positionals[0]! }));
  if (values.json) {
    printJson(io, detail);
    return EXIT_OK;
  }
  const { graph, services, placement, operations } = detail;
  const lastOperation = operations[0];
  io.stdout(
    `graph ${graph.name}  project ${graph.project}  status ${graph.status}\n` +
      (placement ? `placement #${placement.id} (${placement.algorithm}, ${placement.status})\n` : "") +
      (lastOperation ? `last operation ${lastOperation.kind} ${lastOperation.status} (${lastOperation.id})${lastOperation.error ? `: ${lastOperation.error}` : ""}\n` : "") +
      "\n" +
      formatTable(
        ["SERVICE", "STATUS", "CLUSTERS", "REPLICAS"],
        services.map((service) => [service.name, service.status, service.clusters.join(", ") || "-", service.replicas]),
      ),
  );
  return EXIT_OK;
}

type Action = "start" | "stop" | "remove";

function graphAction(action: Action, asksFirst: boolean): CliCommand["run"] {
  return async (args, io) => {
    const { values, positionals } = parseCommandArgs(
      args,
      { yes: { type: "boolean", short: "y", default: false }, wait: { type: "boolean", default: false } },
      { min: 1, max: 1, names: "the graph NAME" },
    );
    const name = positionals[0]!;
    if (asksFirst) {
      const go = await confirm(io, values.yes, `${action} graph ${name}?`);
      if (go === undefined) return refuseWithoutTerminal(io, action, name);
      if (!go) {
        io.stderr(`not ${action === "stop" ? "stopped" : "removed"}\n`);
        return EXIT_FAILED;
      }
    }
    const client = await connectConsole();
    const started = await callConsole(`${action} graphs`, () => client.graphs[action].mutate({ name }));
    io.stdout(`${action === "stop" ? "stopping" : action === "start" ? "starting" : "removing"} graph ${name} (operation ${started.operation.id})\n`);
    const done = action === "stop" ? "stopped" : action === "start" ? "started" : "removed";
    return values.wait ? followOperation(client, io, started.operation, `graph ${name} ${done}`) : EXIT_OK;
  };
}

function refuseWithoutTerminal(io: CliIo, action: string, name: string): number {
  io.stderr(`smo graph ${action}: refusing to ${action} graph ${name} without confirmation; pass --yes (no terminal to ask on)\n`);
  return EXIT_USAGE;
}

type Preview = Awaited<ReturnType<ConsoleClient["graphs"]["previewReplacement"]["mutate"]>>;

function describePreview(preview: Preview): string {
  const moves = preview.moves.length
    ? formatTable(["SERVICE", "FROM", "TO"], preview.moves.map((move) => [move.service, move.from.join(", ") || "-", move.to.join(", ") || "-"]))
    : "no service moves\n";
  const termNames = Object.keys(preview.before.terms) as (keyof Preview["before"]["terms"])[];
  const number = (value: number | undefined) => (value === undefined ? "-" : String(Number(value.toFixed(4))));
  const terms = formatTable(
    ["TERM", "BEFORE", "AFTER"],
    [
      ...termNames.map((term) => [term, number(preview.before.terms[term]), number(preview.after?.terms[term])]),
      ["objective", number(preview.before.objective), number(preview.after?.objective)],
    ],
  );
  const notes = [...preview.notes, ...(preview.infeasibility ? [`infeasible: ${preview.infeasibility}`] : [])].map((note) => `note: ${note}\n`).join("");
  return `re-placement preview #${preview.placementId} of ${preview.graphName} (${preview.algorithm}, ${preview.status})\n\n${moves}\n${terms}${notes}`;
}

const isPlaced = (preview: Preview) => preview.status === "optimal" || preview.status === "feasible";

async function runPlacementPreview(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { algorithm: { type: "string" }, json: { type: "boolean", default: false } }, { min: 1, max: 1, names: "the graph NAME" });
  const algorithm = parseAlgorithm(values.algorithm);
  const client = await connectConsole();
  const preview = await callConsole("preview placements", () => client.graphs.previewReplacement.mutate({ name: positionals[0]!, algorithm }));
  if (values.json) printJson(io, preview);
  else io.stdout(describePreview(preview));
  return isPlaced(preview) ? EXIT_OK : EXIT_FAILED;
}

async function runGraphReplace(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { algorithm: { type: "string" }, yes: { type: "boolean", short: "y", default: false }, wait: { type: "boolean", default: false } },
    { min: 1, max: 1, names: "the graph NAME" },
  );
  const name = positionals[0]!;
  const algorithm = parseAlgorithm(values.algorithm);
  if (!values.yes && !(io.isTTY && io.ask)) return refuseWithoutTerminal(io, "re-place", name);
  const client = await connectConsole();
  const preview = await callConsole("re-place graphs", () => client.graphs.previewReplacement.mutate({ name, algorithm }));
  io.stdout(describePreview(preview));
  if (!isPlaced(preview)) {
    io.stderr(`graph ${name} cannot be re-placed: ${preview.infeasibility ?? preview.status}\n`);
    return EXIT_FAILED;
  }
  if (!(await confirm(io, values.yes, `apply preview #${preview.placementId} to graph ${name}?`))) {
    io.stderr("not re-placed\n");
    return EXIT_FAILED;
  }
  const started = await callConsole("re-place graphs", () => client.graphs.replace.mutate({ name, placementId: preview.placementId }));
  io.stdout(`re-placing graph ${name} (operation ${started.operation.id})\n`);
  return values.wait ? followOperation(client, io, started.operation, `graph ${name} re-placed`) : EXIT_OK;
}

export const graphCommands: CliCommand[] = [
  {
    name: "graph deploy",
    usage: "graph deploy FILE|URL|oci://REF --project P [--algorithm A] [--wait] [--json]",
    summary: "Deploy an HDAG descriptor on the console; --wait follows the operation to its end",
    run: runGraphDeploy,
  },
  { name: "graph list", usage: "graph list [--project P] [--json]", summary: "List the console's graphs", run: runGraphList },
  { name: "graph describe", usage: "graph describe NAME [--json]", summary: "A graph with its services, clusters and replicas", run: runGraphDescribe },
  { name: "graph start", usage: "graph start NAME [--wait]", summary: "Start a stopped graph", run: graphAction("start", false) },
  { name: "graph stop", usage: "graph stop NAME [--yes] [--wait]", summary: "Stop a graph (asks first unless --yes)", run: graphAction("stop", true) },
  { name: "graph remove", usage: "graph remove NAME [--yes] [--wait]", summary: "Remove a graph and its releases (asks first unless --yes)", run: graphAction("remove", true) },
  {
    name: "graph re-place",
    usage: "graph re-place NAME [--algorithm A] [--yes] [--wait]",
    summary: "Compute a new placement, show the moves and apply it (asks first unless --yes)",
    run: runGraphReplace,
  },
  { name: "placement preview", usage: "placement preview NAME [--algorithm A] [--json]", summary: "What re-placing a graph would move, with the objective's terms before and after", run: runPlacementPreview },
];

/** `smo cluster sync|list`: the federation's member clusters as the console stores them. */
import { formatBytes, formatCpu } from "../../lib/quantity";
import { callConsole, connectConsole, formatInstant, parseCommandArgs, printJson } from "../client";
import { EXIT_OK, formatTable, type CliCommand, type CliIo } from "../io";

type ClusterRow = {
  name: string;
  ready: boolean;
  stale: boolean;
  availableCpu: number;
  allocatableCpu: number;
  availableMemory: number;
  allocatableMemory: number;
  availableGpus: number;
  gpus: number;
  location: string | null;
  carbonIntensity: number | null;
  lastSyncedAt: Date | null;
};

function clusterTable(clusters: ClusterRow[]): string {
  const rows = clusters.map((cluster) => [
    cluster.name,
    cluster.ready ? "Ready" : cluster.stale ? "NotReady (stale)" : "NotReady",
    `${formatCpu(cluster.availableCpu)}/${formatCpu(cluster.allocatableCpu)}`,
    `${formatBytes(cluster.availableMemory)}/${formatBytes(cluster.allocatableMemory)}`,
    `${cluster.availableGpus}/${cluster.gpus}`,
    cluster.location ?? "-",
    cluster.carbonIntensity ?? "-",
    formatInstant(cluster.lastSyncedAt),
  ]);
  return formatTable(["NAME", "STATUS", "CPU FREE", "MEMORY FREE", "GPU FREE", "LOCATION", "gCO2/kWh", "SYNCED"], rows);
}

async function runClusterSync(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "" });
  const client = await connectConsole();
  const result = await callConsole("sync clusters", () => client.clusters.sync.mutate());
  if (values.json) printJson(io, result);
  else {
    const list = (names: string[]) => (names.length ? names.join(", ") : "none");
    io.stdout(`${clusterTable(result.clusters)}\nsynced ${result.clusters.length} clusters: added ${list(result.added)}; changed ${list(result.changed)}; removed ${list(result.removed)}\n`);
  }
  return EXIT_OK;
}

async function runClusterList(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "" });
  const client = await connectConsole();
  const clusters = await callConsole("list clusters", () => client.clusters.list.query());
  if (values.json) printJson(io, clusters);
  else io.stdout(clusterTable(clusters));
  return EXIT_OK;
}

export const clusterCommands: CliCommand[] = [
  { name: "cluster sync", usage: "cluster sync [--json]", summary: "Read the member clusters from Karmada now", run: runClusterSync },
  { name: "cluster list", usage: "cluster list [--json]", summary: "List the member clusters with their free capacity", run: runClusterList },
];

/**
 * API load: `graphs.list` over tRPC (real HTTP, Bearer token, superjson, 1,000 graphs in the
 * database) against a bare node:http server answering the same JSON bytes, in the same run,
 * 50 concurrent keep-alive clients each, for the default page (100 graphs) and the largest (500).
 * The clients run in a worker thread so that they do not share the servers' event loop.
 * BENCH_LOAD_SECONDS overrides the 20 s per target; BENCH_DATABASE_URL (a PostgreSQL server URL)
 * runs it on a throwaway database there instead of the embedded PGlite.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { createDb, type DatabaseHandle } from "../db";
import { graphs, projects, services } from "../db/schema";
import { createThrowawayDatabase } from "../db/testing";
import { createApiToken } from "../lib/auth";
import { GRAPH_PAGE_SIZE } from "../lib/graphs";
import { handleTrpcRequest } from "../server/http";
import { addUser, createTestDeps, serveFetchHandler } from "../server/testing";
import { printTable, type Benchmark } from "./table";

const GRAPH_COUNT = 1_000;
const CLIENTS = 50;

type LoadResult = { requests: number; errors: number; seconds: number; latenciesMs: number[] };

// Each client awaits its previous response before sending the next, like a user-facing caller.
const LOAD_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, headers, clients, seconds } = workerData;
const latencies = [];
let requests = 0, errors = 0;
const deadline = performance.now() + seconds * 1000;
async function client() {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.ok) { requests++; latencies.push(performance.now() - started); } else errors++;
    } catch { errors++; }
  }
}
const begun = performance.now();
Promise.all(Array.from({ length: clients }, client)).then(() => {
  parentPort.postMessage({ requests, errors, seconds: (performance.now() - begun) / 1000, latenciesMs: latencies });
});
`;

function runLoad(url: string, headers: Record<string, string>, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, headers, clients: CLIENTS, seconds } });
    worker.once("message", (result: LoadResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once("error", reject);
  });
}

function percentile(sorted: number[], share: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]! : NaN;
}

async function seedGraphs(db: DatabaseHandle["db"]): Promise<void> {
  await db.insert(projects).values({ name: "load" });
  const descriptor = { hdaGraph: { id: "g", services: [] } };
  for (let start = 0; start < GRAPH_COUNT; start += 200) {
    const rows = await db
      .insert(graphs)
      .values(
        Array.from({ length: 200 }, (_, offset) => ({
          name: `graph-${String(start + offset).padStart(4, "0")}`,
          project: "load",
          status: "Running" as const,
          descriptor,
          descriptorText: "hdaGraph: {}",
        })),
      )
      .returning({ id: graphs.id });
    await db.insert(services).values(
      rows.flatMap((row) =>
        ["web", "api", "db"].map((name) => ({ graphId: row.id, name, status: "Deployed" as const, cpu: 1, memory: 2 ** 30, artifactRef: `oci://127.0.0.1:5000/load/${name}`, clusters: ["paris"] })),
      ),
    );
  }
}

/** PGlite in memory, or a throwaway database on BENCH_DATABASE_URL's server (dropped afterwards). */
async function openBenchDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) return createDb({ dataDir: "memory://" });
  const throwaway = await createThrowawayDatabase(serverUrl, "smo_bench");
  const handle = await createDb({ url: throwaway.url });
  return { ...handle, close: () => handle.close().finally(throwaway.drop) };
}

type Row = (string | number)[];

function resultRow(name: string, result: LoadResult): Row {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return [name, result.requests, result.errors, result.requests / result.seconds, percentile(sorted, 0.5), percentile(sorted, 0.99)];
}

export const apiLoadBenchmark: Benchmark = {
  name: "api-load",
  summary: `graphs.list over tRPC with ${GRAPH_COUNT} graphs, ${CLIENTS} concurrent clients, against a bare node:http server returning the same JSON`,
  run: async () => {
    const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
    const database = await openBenchDatabase();
    const { deps, close } = await createTestDeps({ database });
    try {
      await seedGraphs(database.db);
      const admin = await addUser(deps, "bench-admin", "admin");
      const { token } = await createApiToken({ db: database.db, clock: deps.clock, logger: deps.logger }, { userId: admin.id, role: "admin" }, { name: "bench", role: "viewer" });
      const trpc = await serveFetchHandler((request) => handleTrpcRequest(request, deps));
      const headers = { authorization: `Bearer ${token}` };
      const rows: Row[] = [];
      const ratios: string[] = [];
      for (const limit of [GRAPH_PAGE_SIZE.default, GRAPH_PAGE_SIZE.max]) {
        const path = `/api/trpc/graphs.list?input=${encodeURIComponent(JSON.stringify({ json: { limit } }))}`;
        const sample = await fetch(trpc.url + path, { headers });
        const body = Buffer.from(await sample.arrayBuffer());
        if (!sample.ok) throw new Error(`graphs.list answered ${sample.status}: ${body.toString("utf8").slice(0, 300)}`);
        const { json } = JSON.parse(body.toString("utf8")).result.data as { json: { items: unknown[]; total: number } };
        if (json.items.length !== limit || json.total !== GRAPH_COUNT) throw new Error(`graphs.list answered ${json.items.length} of ${json.total} graphs, not ${limit} of ${GRAPH_COUNT}`);

        const bare = createServer((_request, response) => {
          response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
          response.end(body);
        });
        await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
        const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;
        const bareResult = resultRow(`bare node:http, same JSON (${limit} graphs, ${(body.length / 1024).toFixed(0)} KiB)`, await runLoad(bareUrl, headers, seconds));
        await new Promise<void>((resolve) => bare.close(() => resolve()));
        const trpcResult = resultRow(`tRPC graphs.list limit ${limit} (auth, DB, superjson)`, await runLoad(trpc.url + path, headers, seconds));
        rows.push(bareResult, trpcResult);
        ratios.push(`page of ${limit}: ${((bareResult[3] as number) / (trpcResult[3] as number)).toFixed(1)}×`);
      }
      await trpc.close();
      printTable(`graphs.list, ${GRAPH_COUNT} graphs on ${database.kind}, ${CLIENTS} clients × ${seconds} s each`, ["server", "requests", "errors", "req/s", "p50 ms", "p99 ms"], rows);
      console.log(`\nbare / tRPC throughput ratio: ${ratios.join(", ")}`);
    } finally {
      await close();
      await database.close();
    }
  },
};

/**
 * Cost of the sandbox's Prometheus and Grafana emulators as the console uses them: the scaler's
 * instant query, a service chart (1 h range), a cluster chart (6 h), and a d-solo panel page,
 * for federations of growing size, through real HTTP with the production clients.
 */

import { createGrafanaClient } from "../lib/grafana/client";
import { buildServiceDashboard, SERVICE_PANEL_IDS } from "../lib/grafana/dashboards";
import { panelEmbedUrl } from "../lib/grafana/names";
import { createPrometheusClient } from "../lib/prometheus/client";
import { clusterCpuPercentQuery, requestRateQuery, serviceCpuPercentQuery } from "../lib/prometheus/queries";
import { startGrafanaEmulator } from "../sim/grafana/emulator";
import { startPrometheusEmulator } from "../sim/prometheus/emulator";
import type { SimClusterInfo, SimWorkload } from "../sim/types";
import { printTable, type Benchmark } from "./table";

const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / 15_000) * 15_000;

async function medianMs(times: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function measure(services: number, backfillHours: number): Promise<(string | number)[]> {
  const clusters: SimClusterInfo[] = ["member1", "member2", "member3"].map((name) => ({
    name,
    ready: true,
    cpu: 64,
    memory: 256 * 2 ** 30,
    allocatedCpu: 0,
    allocatedMemory: 0,
    gpus: 0,
  }));
  const workloads: SimWorkload[] = Array.from({ length: services }, (_, index) => ({
    namespace: "bench",
    name: `svc-${index}`,
    service: `svc-${index}`,
    placements: [{ cluster: clusters[index % 3]!.name, replicas: 3 }],
    replicas: 3,
    availableReplicas: 3,
    cpuRequest: 0.5,
    cpuLimit: 1,
    memoryRequest: 2 ** 28,
  }));
  const federation = { listClusters: () => clusters, listWorkloads: () => workloads };
  const prometheus = await startPrometheusEmulator({ federation, now: () => NOW, backfillMs: backfillHours * HOUR });
  const client = createPrometheusClient({ url: prometheus.url });
  const grafana = await startGrafanaEmulator({ prometheus: client });
  try {
    const seconds = NOW / 1000;
    const scalerCold = await medianMs(1, () => client.query(requestRateQuery({ service: "svc-0", window: "1m" }), { time: seconds }));
    const scaler = await medianMs(9, () => client.query(requestRateQuery({ service: "svc-1", window: "1m" }), { time: seconds }));
    const serviceChart = await medianMs(5, () =>
      client.queryRange(serviceCpuPercentQuery({ service: "svc-2", namespace: "bench" }), { start: seconds - 3600, end: seconds, step: 15 }),
    );
    const clusterChart = await medianMs(3, () => client.queryRange(clusterCpuPercentQuery("member1"), { start: seconds - 6 * 3600, end: seconds, step: 60 }));
    const published = await createGrafanaClient({ url: grafana.url, auth: { kind: "basic", user: "admin", password: "admin" } }).publishDashboard(
      buildServiceDashboard({ graph: "bench", project: "bench", service: "svc-3" }),
    );
    const url = panelEmbedUrl({ grafanaUrl: grafana.url, uid: published.uid, slug: published.slug, panelId: SERVICE_PANEL_IDS.requestRate, from: NOW - HOUR, to: NOW, theme: "dark" });
    const panel = await medianMs(5, () => fetch(url).then((r) => r.text()));
    return [services, services * 3, `${backfillHours} h`, scalerCold, scaler, serviceChart, clusterChart, panel];
  } finally {
    await grafana.close();
    await prometheus.close();
  }
}

export const metricsEmulatorsBenchmark: Benchmark = {
  name: "metrics-emulators",
  summary: "sandbox Prometheus/Grafana emulators: query and panel latency by federation size and history",
  async run() {
    const rows: (string | number)[][] = [];
    for (const [services, backfill] of [
      [10, 6],
      [50, 6],
      [200, 6],
      [50, 72],
    ] as const) {
      rows.push(await measure(services, backfill));
    }
    printTable(
      "Median latency in ms over loopback HTTP (first scaler query pays the counter history; later ones use hourly checkpoints)",
      ["services", "pods", "history", "scaler 1st", "scaler", "service 1h/15s", "cluster 6h/60s", "d-solo panel 1h"],
      rows,
    );
  },
};

/**
 * The Prometheus client against the REAL Prometheus (Debian's /usr/bin/prometheus), started on a
 * loopback port for this file: proves the client speaks the real protocol, and, side by side with
 * the emulator, that the emulator answers what Prometheus answers (errors and encodings).
 * Skipped, with the reason printed, only when the binary is missing.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../../lib/errors";
import { createPrometheusClient, type PrometheusClient } from "../../lib/prometheus/client";
import { selector } from "../../lib/prometheus/promql";
import {
  clusterCpuPercentQuery,
  clusterMemoryPercentQuery,
  requestRateQuery,
  serviceCpuPercentQuery,
  serviceCpuThrottlingQuery,
  serviceMemoryQuery,
  serviceReadyReplicasQuery,
} from "../../lib/prometheus/queries";
import { startPrometheusEmulator, type PrometheusEmulator } from "./emulator";
import { createFakeFederation, workload } from "./testdata/fake-federation";
import { RECORDED_PARSE_ERRORS } from "./testdata/recorded-parse-errors";

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
const available = existsSync(PROMETHEUS_BIN);
if (!available) console.warn(`real-prometheus.test.ts skipped: ${PROMETHEUS_BIN} is not installed (Debian package "prometheus")`);

type RealPrometheus = { url: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts Prometheus on a free loopback port. By default it scrapes itself every second; with
 * `directory` it serves the TSDB blocks already there and scrapes nothing.
 */
async function startRealPrometheus(lifecycle: boolean, existingDirectory?: string): Promise<RealPrometheus> {
  const scrapeSelf = existingDirectory === undefined;
  const directory = existingDirectory ?? (await mkdtemp(join(tmpdir(), "smo-prometheus-")));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  await writeFile(
    join(directory, "prometheus.yml"),
    scrapeSelf
      ? `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["${address}"]\n`
      : "scrape_configs: []\n",
  );
  const args = [
    `--config.file=${join(directory, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(directory, "data")}`,
    `--web.listen-address=${address}`,
    ...(lifecycle ? ["--web.enable-lifecycle"] : []),
  ];
  const child: ChildProcess = spawn(PROMETHEUS_BIN, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const stop = async () => {
    if (running) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };

  const url = `http://${address}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (!running) {
      await stop();
      throw new Error(`prometheus exited during start-up:\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`prometheus did not become ready within 20 s:\n${log}`);
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe.skipIf(!available)("the client against a real Prometheus", () => {
  let real: RealPrometheus;
  let client: PrometheusClient;
  let emulator: PrometheusEmulator;

  beforeAll(async () => {
    real = await startRealPrometheus(true);
    client = createPrometheusClient({ url: real.url });
    emulator = await startPrometheusEmulator({ federation: createFakeFederation([], []) });
  });
  afterAll(async () => {
    await real?.stop();
    await emulator?.close();
  });

  it("reads an instant vector once Prometheus has scraped itself", async () => {
    let result = await client.query('up{job="prometheus"}');
    for (let attempt = 0; attempt < 100 && result.resultType === "vector" && result.result.length === 0; attempt++) {
      await sleep(100);
      result = await client.query('up{job="prometheus"}');
    }
    expect(result.resultType).toBe("vector");
    if (result.resultType !== "vector") return;
    expect(result.result).toHaveLength(1);
    expect(result.result[0]!.metric).toMatchObject({ __name__: "up", job: "prometheus" });
    expect(result.result[0]!.sample.value).toBe(1);
  });

  it("reads a range query as a matrix", async () => {
    const end = Date.now() / 1000;
    const matrix = await client.queryRange('up{job="prometheus"}', { start: end - 30, end, step: 1 });
    expect(matrix.result).toHaveLength(1);
    const samples = matrix.result[0]!.samples;
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.time).toBeGreaterThanOrEqual(end - 30);
      expect(sample.time).toBeLessThanOrEqual(end);
      expect(sample.value).toBe(1);
    }
  });

  it("reads scalars, strings, NaN and infinities", async () => {
    expect((await client.query("1 + 1")).result).toMatchObject({ value: 2 });
    expect(await client.query('"hello"')).toMatchObject({ resultType: "string", result: { value: "hello" } });
    const nan = await client.query("0 / 0");
    expect(nan.resultType === "scalar" && Number.isNaN(nan.result.value)).toBe(true);
    expect((await client.query("1 / 0")).result).toMatchObject({ value: Number.POSITIVE_INFINITY });
    expect((await client.query("-1 / 0")).result).toMatchObject({ value: Number.NEGATIVE_INFINITY });
  });

  it("carries Prometheus's own error text and type", async () => {
    const error = await rejection(client.query("sum(rate(x[5m])"));
    expect(error.details).toMatchObject({ status: 400, reason: "bad_data" });
    expect(error.message).toBe('prometheus: invalid parameter "query": 1:16: parse error: unclosed left parenthesis');
    const tooMany = await rejection(client.queryRange("up", { start: 0, end: 11_001, step: 1 }));
    expect(tooMany.message).toBe("prometheus: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
  });

  it("reloads through the lifecycle API", async () => {
    await expect(client.reload()).resolves.toBeUndefined();
    const reloaded = await client.query("prometheus_config_last_reload_successful");
    expect(reloaded.resultType === "vector" && reloaded.result[0]?.sample.value).toBe(1);
  });

  it("reports the 403 of a Prometheus started without --web.enable-lifecycle", async () => {
    const locked = await startRealPrometheus(false);
    try {
      const error = await rejection(createPrometheusClient({ url: locked.url }).reload());
      expect(error.details).toMatchObject({ status: 403, reason: "lifecycle_disabled" });
      expect(error.message).toContain("Lifecycle API is not enabled.");
    } finally {
      await locked.stop();
    }
  });

  it("keeps hostile label values inside one matcher, as the real parser reads them", async () => {
    const hostile = ['" or vector(1) or "', 'x"} or vector(1) #', '\\"} or vector(1) #', "\n}", "\\", "é€😀", "\r\t\u0000"];
    for (const value of hostile) {
      const echoed = await client.query(`absent(${selector("smo_injection_probe", { probe: value })})`);
      expect(echoed.resultType === "vector" && echoed.result.map((s) => s.metric)).toEqual([{ probe: value }]);
      const rate = await client.query(requestRateQuery({ service: value, namespace: value }));
      expect(rate.resultType === "vector" && rate.result).toEqual([]);
    }
  });

  describe("the emulator answers as the real Prometheus does", () => {
    const rawQuery = (base: string, form: Record<string, string>, path = "/api/v1/query") =>
      fetch(`${base}${path}`, { method: "POST", body: new URLSearchParams(form) }).then(async (r) => `${r.status} ${await r.text()}`);

    it.each(RECORDED_PARSE_ERRORS)("parse error for %j", async (query, message) => {
      const realAnswer = await rawQuery(real.url, { query, time: "10" });
      expect(realAnswer.slice(0, 4)).toBe("400 ");
      expect(JSON.parse(realAnswer.slice(4))).toEqual({ status: "error", errorType: "bad_data", error: `invalid parameter "query": ${message}` });
      expect(await rawQuery(emulator.url, { query, time: "10" })).toBe(realAnswer);
    });

    it.each([
      ["1+1", "1700000000.5"],
      ["vector(1)", "1700000000.5"],
      ['"a"', "1700000000.5"],
      ["vector(1e-7)", "10"],
      ["vector(1e-7) * 2^70", "10"],
      ["2^70", "10"],
      ["vector(-0)", "10"],
      ["0.1+0.2", "10"],
      ["-1/0", "10"],
      ["sum(vector(1)) by (x)", "10"],
      ['absent(nope{a="b\\"c", d=~"e"})', "10"],
      ["nope", "10"],
    ])("instant query %j", async (query, time) => {
      expect(await rawQuery(emulator.url, { query, time })).toBe(await rawQuery(real.url, { query, time }));
    });

    it.each([
      [{ query: "1", start: "1700000000.5", end: "1700000001", step: "0.25" }],
      [{ query: "vector(2) * 3", start: "0", end: "60", step: "15s" }],
      [{ query: "up", start: "100", end: "50", step: "1" }],
      [{ query: "up", start: "0", end: "50000", step: "1" }],
      [{ query: "up", start: "0", end: "50", step: "0" }],
      [{ query: "up", start: "0", end: "50", step: "abc" }],
      [{ query: '"s"', start: "0", end: "50", step: "10" }],
      [{ query: "up", start: "abc", end: "50", step: "10" }],
    ])("range query %j", async (form) => {
      expect(await rawQuery(emulator.url, form, "/api/v1/query_range")).toBe(await rawQuery(real.url, form, "/api/v1/query_range"));
    });
  });
});

const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? "/usr/bin/promtool";
const promtoolAvailable = existsSync(PROMTOOL_BIN);
if (available && !promtoolAvailable) console.warn(`engine comparison skipped: ${PROMTOOL_BIN} is not installed`);

/**
 * The emulator's synthetic samples are exported (a range-vector instant query returns raw
 * samples), loaded into a real Prometheus with `promtool tsdb create-blocks-from openmetrics`,
 * and the same range queries are run on both engines. Query times sit 7 s off the scrape grid,
 * where Prometheus 2.x's closed range windows and 3.x's left-open ones agree.
 */
describe.skipIf(!available || !promtoolAvailable)("the emulator's PromQL engine agrees with Prometheus on the same samples", () => {
  const HOUR = 3_600_000;
  // A whole hour in the recent past (inside the default 15 d retention), on the 15 s grid.
  const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  let clock = end - 2 * HOUR;
  let emulator: PrometheusEmulator;
  let real: RealPrometheus;
  let emulated: PrometheusClient;
  let reference: PrometheusClient;

  beforeAll(async () => {
    const federation = createFakeFederation(
      [
        { name: "member1", ready: true, cpu: 16, memory: 64 * 2 ** 30, allocatedCpu: 0, allocatedMemory: 0, gpus: 0 },
        { name: "member2", ready: true, cpu: 8, memory: 32 * 2 ** 30, allocatedCpu: 0, allocatedMemory: 0, gpus: 2 },
      ],
      [
        workload("web", { member1: 2, member2: 1 }, { cpuLimit: 0.3 }),
        workload("api", { member2: 2 }),
        workload("db", { member1: 1 }, { cpuLimit: 0 }),
      ],
    );
    emulator = await startPrometheusEmulator({ federation, now: () => clock, backfillMs: HOUR });
    emulator.setLoad("web", { kind: "ramp", fromRps: 1, toRps: 30, durationSeconds: 3_600 });
    emulator.setLoad("api", { kind: "burst", baseRps: 4, burstRps: 40, periodSeconds: 600, burstSeconds: 150 });
    clock = end;
    emulated = createPrometheusClient({ url: emulator.url });

    const exported = await emulated.query('{__name__=~".+"}[3h]', { time: end / 1000 });
    if (exported.resultType !== "matrix") throw new Error(`export answered ${exported.resultType}`);
    const lines: string[] = [];
    for (const series of exported.result) {
      const { __name__: name, ...labels } = series.metric;
      const labelText = Object.entries(labels)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(",");
      for (const sample of series.samples) lines.push(`${name}{${labelText}} ${sample.value} ${sample.time}`);
    }
    lines.push("# EOF", "");
    const directory = await mkdtemp(join(tmpdir(), "smo-prometheus-blocks-"));
    await writeFile(join(directory, "samples.om"), lines.join("\n"));
    await new Promise<void>((resolve, reject) => {
      const promtool = spawn(PROMTOOL_BIN, ["tsdb", "create-blocks-from", "openmetrics", "--quiet", join(directory, "samples.om"), join(directory, "data")], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let log = "";
      promtool.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
      promtool.once("error", reject);
      promtool.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`promtool exited with ${code}: ${log}`))));
    });
    real = await startRealPrometheus(false, directory);
    reference = createPrometheusClient({ url: real.url });
  });
  afterAll(async () => {
    await real?.stop();
    await emulator?.close();
  });

  it.each([
    requestRateQuery({ service: "web", window: "1m" }),
    requestRateQuery({ service: "api", namespace: "demo", window: "5m" }),
    serviceCpuPercentQuery({ service: "web", namespace: "demo", window: "1m" }),
    serviceCpuThrottlingQuery({ service: "web", window: "2m" }),
    serviceMemoryQuery({ service: "api", namespace: "demo" }),
    serviceReadyReplicasQuery({ service: "web", namespace: "demo" }),
    clusterCpuPercentQuery("member1", "5m"),
    clusterMemoryPercentQuery("member2"),
    "sum by (cluster) (rate(flask_http_request_total[2m]))",
    'irate(container_cpu_usage_seconds_total{pod=~"web-.*"}[1m])',
    "increase(flask_http_request_total[5m])",
    "delta(container_memory_working_set_bytes[5m])",
    "avg by (namespace) (container_memory_working_set_bytes)",
    "max without (pod) (kube_pod_container_resource_requests)",
    "min by (resource) (kube_node_status_allocatable)",
    "count by (job) (up)",
    "topk(1, sum by (service) (rate(flask_http_request_total[1m])))",
    "sum by (cluster) (rate(container_cpu_usage_seconds_total[1m])) / on (cluster) group_left sum by (cluster) (kube_node_status_allocatable{resource=\"cpu\"})",
    "kube_pod_container_resource_requests * on (pod) group_left (service) max by (pod, service) (flask_http_request_total)",
    "kube_pod_container_resource_limits > 0.5",
    "kube_pod_container_resource_limits > bool 0.5",
    "2 * kube_deployment_spec_replicas - 1",
    "sum(rate(flask_http_request_total[1m])) > 20 or vector(0)",
    "container_memory_working_set_bytes and on (pod) kube_pod_container_resource_limits",
    "container_memory_working_set_bytes unless on (pod) kube_pod_container_resource_limits",
    'absent(nonexistent{a="b"})',
    'absent(kube_node_status_allocatable{resource="tpu", cluster="member1", node=~".+"})',
    "round(sum by (service) (rate(flask_http_request_total[1m])), 0.5)",
    "clamp_max(sum by (service) (rate(flask_http_request_total[1m])), 10)",
    "quantile(0.9, rate(flask_http_request_total[1m]))",
    "stddev(rate(flask_http_request_total[1m]))",
    "sum by (service) (rate(flask_http_request_total[1m] offset 5m))",
    "avg_over_time(container_memory_working_set_bytes[5m])",
    "max_over_time(container_memory_working_set_bytes[10m])",
    "-sum(rate(flask_http_request_total[1m]))",
    "scalar(sum(kube_deployment_spec_replicas)) * 2",
    "count_values(\"replicas\", kube_deployment_spec_replicas)",
  ])("%s", async (query) => {
    const range = { start: (end - 100 * 60_000 + 7_000) / 1000, end: (end - 60_000 + 7_000) / 1000, step: 60 };
    const [ours, theirs] = await Promise.all([emulated.queryRange(query, range), reference.queryRange(query, range)]);
    const key = (metric: Record<string, string>) => JSON.stringify(Object.entries(metric).sort());
    const expected = new Map(theirs.result.map((s) => [key(s.metric), s.samples]));
    expect(ours.result.map((s) => key(s.metric)).sort()).toEqual([...expected.keys()].sort());
    expect(theirs.result.length).toBeGreaterThan(0);
    for (const series of ours.result) {
      const reference = expected.get(key(series.metric))!;
      expect(series.samples.map((s) => s.time)).toEqual(reference.map((s) => s.time));
      series.samples.forEach((sample, index) => {
        const other = reference[index]!.value;
        if (Number.isNaN(other)) expect(sample.value).toBeNaN();
        else expect(Math.abs(sample.value - other)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(other)));
      });
    }
  });
});


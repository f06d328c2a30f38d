/**
 * The Prometheus client (lib/prometheus) against the Prometheus emulator, over real HTTP.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError, ValidationError } from "../../lib/errors";
import { createPrometheusClient, type PrometheusClient, type QueryResult } from "../../lib/prometheus/client";
import { escapeRegex, selector } from "../../lib/prometheus/promql";
import {
  clusterCpuCapacityQuery,
  clusterCpuPercentQuery,
  clusterCpuUsageQuery,
  clusterMemoryCapacityQuery,
  requestRateQuery,
  serviceCpuThrottlingQuery,
  serviceCpuUsageQuery,
  serviceMemoryQuery,
} from "../../lib/prometheus/queries";
import { startPrometheusEmulator, type PrometheusEmulator } from "./emulator";
import { parsePromql, type Expr, type VectorSelector } from "./promql-parser";
import { cluster, createFakeFederation, workload, type FakeFederation } from "./testdata/fake-federation";

/** A time on the 15 s scrape grid, so that rate windows hold whole scrapes. */
const T0 = 1_800_000_000_000;
const SCRAPE_SECONDS = 15;
const seconds = (ms: number) => ms / 1000;

function vectorOf(result: QueryResult) {
  if (result.resultType !== "vector") throw new Error(`expected a vector, got ${result.resultType}`);
  return result.result;
}

function singleValue(result: QueryResult): number {
  const vector = vectorOf(result);
  expect(vector).toHaveLength(1);
  return vector[0]!.sample.value;
}

/** Collects the vector selectors of a parsed query. */
function selectorsOf(expr: Expr): VectorSelector[] {
  switch (expr.type) {
    case "vectorSelector":
      return [expr];
    case "matrixSelector":
      return [expr.selector];
    case "call":
      return expr.args.flatMap(selectorsOf);
    case "aggregate":
      return selectorsOf(expr.expr);
    case "binary":
      return [...selectorsOf(expr.lhs), ...selectorsOf(expr.rhs)];
    case "unary":
    case "paren":
      return selectorsOf(expr.expr);
    default:
      return [];
  }
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("Prometheus client against the emulator", () => {
  let federation: FakeFederation;
  let emulator: PrometheusEmulator;
  let client: PrometheusClient;

  beforeAll(async () => {
    federation = createFakeFederation([cluster("member1"), cluster("member2")], [workload("web", { member1: 2, member2: 1 }), workload("db", { member2: 1 })]);
    emulator = await startPrometheusEmulator({ federation, now: () => T0 });
    client = createPrometheusClient({ url: emulator.url });
  });
  afterAll(() => emulator.close());

  it("answers an instant vector with labels, the evaluation time and parsed values", async () => {
    const result = await client.query("up", { time: seconds(T0) });
    const vector = vectorOf(result);
    expect(vector.map((s) => `${s.metric.job}/${s.metric.cluster ?? "-"}`).sort()).toEqual([
      "kube-state-metrics/member1",
      "kube-state-metrics/member2",
      "kubelet/member1",
      "kubelet/member2",
      "prometheus/-",
    ]);
    for (const series of vector) expect(series.sample).toEqual({ time: seconds(T0), value: 1 });
    expect(result.warnings).toEqual([]);
  });

  it("answers a range query as a matrix with one point per step", async () => {
    const matrix = await client.queryRange('kube_deployment_spec_replicas{deployment="web"}', {
      start: new Date(T0 - 600_000),
      end: new Date(T0),
      step: "1m",
    });
    expect(matrix.resultType).toBe("matrix");
    const byCluster = Object.fromEntries(matrix.result.map((s) => [s.metric.cluster, s.samples]));
    expect(Object.keys(byCluster).sort()).toEqual(["member1", "member2"]);
    const expectedTimes = Array.from({ length: 11 }, (_, i) => seconds(T0 - 600_000) + i * 60);
    expect(byCluster.member1!.map((p) => p.time)).toEqual(expectedTimes);
    expect(byCluster.member1!.every((p) => p.value === 2)).toBe(true);
    expect(byCluster.member2!.every((p) => p.value === 1)).toBe(true);
  });

  it("answers scalars and strings", async () => {
    expect((await client.query("1 + 2 * 3", { time: seconds(T0) })).result).toEqual({ time: seconds(T0), value: 7 });
    expect(await client.query('"hello"', { time: seconds(T0) })).toMatchObject({ resultType: "string", result: { value: "hello" } });
  });

  it("parses NaN and infinities from Prometheus's sample strings", async () => {
    const nan = await client.query("0 / 0");
    expect(nan.resultType === "scalar" && Number.isNaN(nan.result.value)).toBe(true);
    expect((await client.query("1 / 0")).result).toMatchObject({ value: Number.POSITIVE_INFINITY });
    expect((await client.query("-1 / 0")).result).toMatchObject({ value: Number.NEGATIVE_INFINITY });
    expect(Number.isNaN(singleValue(await client.query("vector(0) / 0")))).toBe(true);
  });

  it("answers an empty vector for an unknown metric", async () => {
    expect(vectorOf(await client.query('no_such_metric{service="web"}'))).toEqual([]);
    expect(vectorOf(await client.query(requestRateQuery({ service: "not-deployed" })))).toEqual([]);
  });

  it("turns a parse error into an UpstreamError carrying Prometheus's bad_data text", async () => {
    const error = await rejection(client.query("sum(rate(x[5m])"));
    expect(error.system).toBe("prometheus");
    expect(error.details).toMatchObject({ status: 400, reason: "bad_data" });
    expect(error.message).toBe('prometheus: invalid parameter "query": 1:16: parse error: unclosed left parenthesis');
  });

  it("refuses ranges of more than 11,000 points and ends before starts, as Prometheus does", async () => {
    const tooMany = await rejection(client.queryRange("up", { start: 0, end: 11_001, step: 1 }));
    expect(tooMany.details).toMatchObject({ status: 400, reason: "bad_data" });
    expect(tooMany.message).toBe("prometheus: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    const backwards = await rejection(client.queryRange("up", { start: 100, end: 50, step: 1 }));
    expect(backwards.message).toBe('prometheus: invalid parameter "end": end timestamp must not be before start time');
  });

  it("checks step and time parameters with Prometheus's messages", async () => {
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${emulator.url}${path}`, { method: "POST", body: new URLSearchParams(form) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post("/api/v1/query_range", { query: "up", start: "0", end: "50", step: "0" })).toEqual({
      status: 400,
      body: {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      },
    });
    expect((await post("/api/v1/query_range", { query: "up", start: "0", end: "50", step: "abc" })).body.error).toBe(
      'invalid parameter "step": cannot parse "abc" to a valid duration',
    );
    expect((await post("/api/v1/query_range", { query: '"s"', start: "0", end: "50", step: "10" })).body.error).toBe(
      'invalid expression type "string" for range query, must be Scalar or instant Vector',
    );
    expect((await post("/api/v1/query", { query: "up", time: "abc" })).body.error).toBe(
      'invalid parameter "time": Invalid time value for \'time\': cannot parse "abc" to a valid timestamp',
    );
    // The client never sends a step Prometheus would refuse.
    await expect(client.queryRange("up", { start: 0, end: 50, step: 0 })).rejects.toThrow(ValidationError);
  });

  it("encodes bodies byte for byte as Prometheus 2.x does", async () => {
    // Expected texts recorded from the real Prometheus 2.42 for the same requests.
    const raw = async (query: string, time: string) => {
      const response = await fetch(`${emulator.url}/api/v1/query?${new URLSearchParams({ query, time })}`);
      expect(response.headers.get("content-type")).toBe("application/json");
      return response.text();
    };
    expect(await raw("1+1", "1700000000.5")).toBe('{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"2"]}}');
    expect(await raw("vector(1)", "1700000000.5")).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.500,"1"]}]}}');
    expect(await raw('"a"', "1700000000.5")).toBe('{"status":"success","data":{"resultType":"string","result":[1700000000.5,"a"]}}');
    expect(await raw("vector(1e-7)", "10")).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[10,"1e-07"]}]}}');
    expect(await raw("vector(1e-7) * 2^70", "10")).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[10,"118059162071741.12"]}]}}');
    expect(await raw("2^70", "10")).toBe('{"status":"success","data":{"resultType":"scalar","result":[10,"1180591620717411300000"]}}');
    expect(await raw("vector(-0)", "10")).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[10,"-0"]}]}}');
    expect(await raw("0.1+0.2", "10")).toBe('{"status":"success","data":{"resultType":"scalar","result":[10,"0.30000000000000004"]}}');
    const range = await fetch(`${emulator.url}/api/v1/query_range`, {
      method: "POST",
      body: new URLSearchParams({ query: "1", start: "1700000000.5", end: "1700000001", step: "0.25" }),
    });
    expect(await range.text()).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000.500,"1"],[1700000000.750,"1"],[1700000001,"1"]]}]}}',
    );
  });

  it("reloads through the lifecycle API and counts reloads", async () => {
    await client.reload();
    await client.reload();
    expect(emulator.reloadCount()).toBe(2);
    const get = await fetch(`${emulator.url}/-/reload`);
    expect(get.status).toBe(405);
    expect(await get.text()).toBe("Only POST or PUT requests allowed");
    expect(emulator.reloadCount()).toBe(2);
  });

  it("pings through buildinfo", async () => {
    expect((await client.ping()).version).toMatch(/sandbox/);
  });
});

describe("Prometheus client failures", () => {
  let plain: Server;
  let plainUrl: string;

  beforeAll(async () => {
    // A proxy answering HTML, and one never answering: real servers on loopback.
    plain = createServer((request, response) => {
      if (request.url?.startsWith("/slow")) return;
      response.writeHead(502, { "content-type": "text/html" }).end("<html><body>Bad Gateway</body></html>");
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    plain.closeAllConnections();
    await new Promise((resolve) => plain.close(resolve));
  });

  it("reports a 403 reload refusal clearly", async () => {
    const emulator = await startPrometheusEmulator({ federation: createFakeFederation([], []), lifecycle: false });
    try {
      const error = await rejection(createPrometheusClient({ url: emulator.url }).reload());
      expect(error.details).toMatchObject({ status: 403, reason: "lifecycle_disabled" });
      expect(error.message).toContain("Lifecycle API is not enabled.");
      expect(error.message).toContain("--web.enable-lifecycle");
      expect(emulator.reloadCount()).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it("names the URL when Prometheus cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(createPrometheusClient({ url }).query("up"));
    expect(error.message).toContain(`${url}/api/v1/query`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.details.reason).toBe("unreachable");
  });

  it("reports a non-JSON answer with its status and a preview", async () => {
    const error = await rejection(createPrometheusClient({ url: plainUrl }).query("up"));
    expect(error.details).toMatchObject({ status: 502, reason: "invalid_response" });
    expect(error.message).toContain("non-JSON body: <html><body>Bad Gateway</body></html>");
  });

  it("gives up after the deadline", async () => {
    const error = await rejection(createPrometheusClient({ url: `${plainUrl}/slow`, timeoutMs: 150 }).query("up"));
    expect(error.details.reason).toBe("timeout");
    expect(error.message).toContain("no answer within 150 ms");
  });

  it("moves URL credentials into a Basic header, since fetch refuses them", async () => {
    let seen: string | undefined;
    const recorder = createServer((request, response) => {
      seen = request.headers.authorization;
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}');
    });
    await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
    try {
      const port = (recorder.address() as AddressInfo).port;
      await createPrometheusClient({ url: `http://smo:s%3Acret@127.0.0.1:${port}/prefix/` }).query("1");
      expect(seen).toBe(`Basic ${Buffer.from("smo:s:cret").toString("base64")}`);
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });
});

describe("queries SMO builds cannot be injected", () => {
  const hostile = [
    '"',
    "}",
    "\\",
    "\n",
    '" or vector(1) or "',
    'x"} or vector(1) #',
    '\\"} or vector(1) #',
    "\\\\\"})) or vector(1) or up{a=\"",
    "a'b`c",
    "\r\t\u0000\u007f",
    "é€😀",
    "$service",
  ];
  let emulator: PrometheusEmulator;
  let client: PrometheusClient;

  beforeAll(async () => {
    emulator = await startPrometheusEmulator({ federation: createFakeFederation([cluster("member1")], [workload("web", { member1: 1 })]) });
    client = createPrometheusClient({ url: emulator.url });
  });
  afterAll(() => emulator.close());

  it.each(hostile)("%j stays one label value, through the parser and back from absent()", async (value) => {
    const query = `absent(${selector("smo_injection_probe", { probe: value })})`;
    const selectors = selectorsOf(parsePromql(query));
    expect(selectors).toHaveLength(1);
    expect(selectors[0]!.matchers.map((m) => [m.name, m.op, m.value])).toEqual([
      ["__name__", "=", "smo_injection_probe"],
      ["probe", "=", value],
    ]);
    // absent() echoes equality matchers as labels: the value comes back exactly as sent.
    const vector = vectorOf(await client.query(query));
    expect(vector).toHaveLength(1);
    expect(vector[0]!.metric).toEqual({ probe: value });
  });

  it.each(hostile)("%j in the scaler's query selects nothing rather than injecting", async (value) => {
    const query = requestRateQuery({ service: value, namespace: value });
    const selectors = selectorsOf(parsePromql(query));
    expect(selectors).toHaveLength(1);
    expect(selectors[0]!.matchers.filter((m) => m.name !== "__name__").map((m) => [m.name, m.value])).toEqual([
      ["namespace", value],
      ["service", value],
    ]);
    expect(vectorOf(await client.query(query))).toEqual([]);
  });

  it.each(hostile)("%j as a service name is a literal prefix in the pod regex", (value) => {
    const selectors = selectorsOf(parsePromql(serviceMemoryQuery({ service: value })));
    const pod = selectors[0]!.matchers.find((m) => m.name === "pod")!;
    expect(pod.value).toBe(`${escapeRegex(value)}-.*`);
    expect(pod.regex!.test(`${value}-7d9f8-abcde`)).toBe(true);
    expect(pod.regex!.test(`x${value}-7d9f8-abcde`)).toBe(false);
  });
});

describe("steered load", () => {
  let clock = T0;
  let federation: FakeFederation;
  let emulator: PrometheusEmulator;
  let client: PrometheusClient;
  const CPU_LIMIT = 0.3;

  /** Independent oracles of the profiles set below (requests per second at time t, ms). */
  const ramp = (t: number) => (t >= T0 + 600_000 ? 20 : 2 + (18 * (t - T0)) / 600_000);
  const burst = (t: number) => (((t - T0) / 1000) % 300 < 120 ? 50 : 5);
  /**
   * rate(x[w]) at a scrape-aligned time t: the scrapes in (t-w, t] are t-w+15 s … t; Prometheus
   * divides their increase by the sampled interval and extrapolates to w, which gives the mean of
   * the per-scrape increments, i.e. of the load at each scrape after the first.
   */
  const expectedRate = (load: (t: number) => number, t: number, windowSeconds: number) => {
    const scrapes = windowSeconds / SCRAPE_SECONDS;
    const increments = Array.from({ length: scrapes - 1 }, (_, i) => load(t - (scrapes - 2 - i) * SCRAPE_SECONDS * 1000));
    return increments.reduce((a, b) => a + b, 0) / increments.length;
  };

  beforeAll(async () => {
    federation = createFakeFederation(
      [cluster("member1"), cluster("member2", { cpu: 8, memory: 32 * 2 ** 30 })],
      [workload("web", { member1: 2, member2: 1 }, { cpuLimit: CPU_LIMIT }), workload("api", { member2: 2 })],
    );
    emulator = await startPrometheusEmulator({ federation, now: () => clock });
    client = createPrometheusClient({ url: emulator.url });
    emulator.setLoad("web", { kind: "ramp", fromRps: 2, toRps: 20, durationSeconds: 600 });
    emulator.setLoad("api", { kind: "burst", baseRps: 5, burstRps: 50, periodSeconds: 300, burstSeconds: 120 });
    clock = T0 + 1_200_000;
  });
  afterAll(() => emulator.close());

  it("makes the scaler's request rate follow a ramp", async () => {
    const matrix = await client.queryRange(requestRateQuery({ service: "web", window: "1m" }), {
      start: seconds(T0 + 60_000),
      end: seconds(T0 + 900_000),
      step: 60,
    });
    expect(matrix.result).toHaveLength(1);
    expect(matrix.result[0]!.metric).toEqual({ service: "web" });
    const samples = matrix.result[0]!.samples;
    expect(samples).toHaveLength(15);
    for (const sample of samples) expect(sample.value).toBeCloseTo(expectedRate(ramp, sample.time * 1000, 60), 9);
    expect(samples.at(-1)!.value).toBeCloseTo(20, 9);
  });

  it("makes it follow bursts, scrape by scrape", async () => {
    const matrix = await client.queryRange(requestRateQuery({ service: "api", window: "1m" }), {
      start: seconds(T0 + 60_000),
      end: seconds(T0 + 1_200_000),
      step: 15,
    });
    const samples = matrix.result[0]!.samples;
    expect(samples).toHaveLength(77);
    for (const sample of samples) expect(sample.value).toBeCloseTo(expectedRate(burst, sample.time * 1000, 60), 9);
    const values = samples.map((s) => s.value);
    expect(Math.max(...values)).toBeCloseTo(50, 9);
    expect(Math.min(...values)).toBeCloseTo(5, 9);
  });

  it("spreads a service's requests evenly over its ready pods across clusters", async () => {
    const vector = vectorOf(await client.query('sum by (cluster) (rate(flask_http_request_total{service="web"}[1m]))', { time: seconds(T0 + 900_000) }));
    const byCluster = Object.fromEntries(vector.map((s) => [s.metric.cluster, s.sample.value]));
    expect(byCluster.member1).toBeCloseTo((20 * 2) / 3, 9);
    expect(byCluster.member2).toBeCloseTo(20 / 3, 9);
  });

  it("caps CPU at the limit under heavy load and shows the excess as throttling", async () => {
    const at = { time: seconds(T0 + 900_000) };
    const heavyCpu = singleValue(await client.query(serviceCpuUsageQuery({ service: "web", namespace: "demo", window: "1m" }), at));
    expect(heavyCpu).toBeCloseTo(3 * CPU_LIMIT, 9);
    const heavyThrottling = singleValue(await client.query(serviceCpuThrottlingQuery({ service: "web", window: "1m" }), at));
    expect(heavyThrottling).toBeGreaterThan(0);
    expect(heavyThrottling).toBeLessThan(1);

    const light = { time: seconds(T0 + 60_000) };
    const lightCpu = singleValue(await client.query(serviceCpuUsageQuery({ service: "web", window: "1m" }), light));
    expect(lightCpu).toBeLessThan(3 * CPU_LIMIT);
    expect(lightCpu).toBeGreaterThan(0);
    expect(singleValue(await client.query(serviceCpuThrottlingQuery({ service: "web", window: "1m" }), light))).toBe(0);
  });

  it("keeps memory near the requests and cluster usage equal to the sum of what runs there", async () => {
    const at = { time: seconds(T0 + 900_000) };
    const memory = singleValue(await client.query(serviceMemoryQuery({ service: "api" }), at));
    const requested = 2 * 256 * 2 ** 20;
    expect(memory).toBeGreaterThan(0.5 * requested);
    expect(memory).toBeLessThanOrEqual(requested);

    const services = await Promise.all(["web", "api"].map((service) => client.query(serviceCpuUsageQuery({ service }), at)));
    const servicesTotal = services.map(singleValue).reduce((a, b) => a + b, 0);
    const clusters = await Promise.all(["member1", "member2"].map((name) => client.query(clusterCpuUsageQuery(name), at)));
    expect(clusters.map(singleValue).reduce((a, b) => a + b, 0)).toBeCloseTo(servicesTotal, 9);

    expect(singleValue(await client.query(clusterCpuCapacityQuery("member2"), at))).toBe(8);
    expect(singleValue(await client.query(clusterMemoryCapacityQuery("member2"), at))).toBe(32 * 2 ** 30);
    const member2Cpu = singleValue(await client.query(clusterCpuUsageQuery("member2"), at));
    expect(singleValue(await client.query(clusterCpuPercentQuery("member2"), at))).toBeCloseTo((100 * member2Cpu) / 8, 9);
  });

  it("keeps history when the federation changes: scaling, removal, a cluster going down", async () => {
    const replicas = (time: number) => client.query('sum(kube_deployment_status_replicas_ready{deployment="web"})', { time: seconds(time) });
    const change = T0 + 1_200_000;
    federation.workloads = [workload("web", { member1: 4, member2: 2 }, { cpuLimit: CPU_LIMIT })];
    await client.query("up", { time: seconds(change) });
    clock = change + 300_000;

    expect(singleValue(await replicas(change - 60_000))).toBe(3);
    expect(singleValue(await replicas(change + 60_000))).toBe(6);
    // The scaled-out service still receives its load, now over six pods.
    expect(singleValue(await client.query(requestRateQuery({ service: "web", window: "1m" }), { time: seconds(change + 120_000) }))).toBeCloseTo(20, 9);
    // A removed service's series go stale at once, its rate once the window has passed; the past stays.
    const apiCounter = (time: number) => client.query('flask_http_request_total{service="api"}', { time: seconds(time) });
    expect(vectorOf(await apiCounter(change - SCRAPE_SECONDS * 1000))).toHaveLength(2);
    expect(vectorOf(await apiCounter(change + SCRAPE_SECONDS * 1000))).toEqual([]);
    const apiRate = (time: number) => client.query(requestRateQuery({ service: "api", window: "1m" }), { time: seconds(time) });
    expect(vectorOf(await apiRate(change + 75_000))).toEqual([]);
    expect(vectorOf(await apiRate(change - 60_000))).toHaveLength(1);

    const down = clock;
    federation.clusters = [cluster("member1"), cluster("member2", { ready: false })];
    await client.query("up", { time: seconds(down) });
    clock = down + 120_000;
    const at = { time: seconds(clock) };
    expect(singleValue(await client.query('up{cluster="member2",job="kubelet"}', at))).toBe(0);
    expect(vectorOf(await client.query('flask_http_request_total{cluster="member2"}', at))).toEqual([]);
    const byCluster = vectorOf(await client.query('sum by (cluster) (rate(flask_http_request_total{service="web"}[1m]))', at));
    expect(byCluster.map((s) => [s.metric.cluster, s.sample.value])).toEqual([["member1", expect.closeTo(20, 9)]]);
  });

  it("rejects impossible load profiles", () => {
    expect(() => emulator.setLoad("web", { kind: "steady", rps: -1 })).toThrow(ValidationError);
    expect(() => emulator.setLoad("web", { kind: "burst", baseRps: 1, burstRps: 2, periodSeconds: 10, burstSeconds: 20 })).toThrow(/periodSeconds/);
    expect(() => emulator.setLoad("web", { kind: "ramp", fromRps: 1, toRps: 2, durationSeconds: 0 })).toThrow(/durationSeconds/);
  });

  it("gives unsteered services a modest steady rate that differs per service", async () => {
    const other = await startPrometheusEmulator({
      federation: createFakeFederation([cluster("member1")], [workload("alpha", { member1: 1 }), workload("beta", { member1: 1 })]),
      now: () => T0,
    });
    try {
      const otherClient = createPrometheusClient({ url: other.url });
      const rate = async (service: string, time: number) => singleValue(await otherClient.query(requestRateQuery({ service }), { time: seconds(time) }));
      const alpha = await rate("alpha", T0);
      const beta = await rate("beta", T0);
      for (const value of [alpha, beta]) {
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThanOrEqual(10);
      }
      expect(alpha).not.toBeCloseTo(beta, 6);
      expect(await rate("alpha", T0 - 3_600_000)).toBeCloseTo(alpha, 9);
    } finally {
      await other.close();
    }
  });
});

describe("federation history", () => {
  it("answers past replicas right across many federation changes", async () => {
    let clock = T0;
    const federation = createFakeFederation([cluster("member1")], [workload("web", { member1: 1 })]);
    const emulator = await startPrometheusEmulator({ federation, now: () => clock });
    try {
      const client = createPrometheusClient({ url: emulator.url });
      // Replicas follow 1, 2, …, 100, one change per minute, each observed by a query.
      const replicasAt = (minute: number) => Math.min(100, Math.max(1, minute + 1));
      for (let minute = 1; minute < 100; minute++) {
        clock = T0 + minute * 60_000;
        federation.workloads = [workload("web", { member1: replicasAt(minute) })];
        await client.query("up");
      }
      clock = T0 + 100 * 60_000;
      const matrix = await client.queryRange('kube_deployment_spec_replicas{deployment="web"}', {
        start: seconds(T0 - 120_000),
        end: seconds(T0 + 99 * 60_000 + 30_000),
        step: 60,
      });
      const samples = matrix.result[0]!.samples;
      expect(samples).toHaveLength(102);
      for (const sample of samples) expect(sample.value).toBe(replicasAt(Math.floor((sample.time * 1000 - T0) / 60_000)));
      const pods = await client.query('count(container_memory_working_set_bytes{pod=~"web-.*"})', { time: seconds(T0 + 50 * 60_000 + 30_000) });
      expect(singleValue(pods)).toBe(51);
    } finally {
      await emulator.close();
    }
  });
});

/**
 * A Prometheus-compatible HTTP API over synthetic metrics of the simulated federation:
 * `/api/v1/query`, `/api/v1/query_range` (GET or form POST), `/-/reload`, `/-/healthy`,
 * `/-/ready`, `/api/v1/status/buildinfo`. Parameters are validated in Prometheus's order with
 * its messages; bodies are encoded as Prometheus encodes them (timestamps as seconds with
 * millisecond fractions, sample values as Go float strings).
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parsePrometheusDuration } from "../../lib/prometheus/promql";
import type { SimFederationView } from "../types";
import { PromqlParseError } from "./promql-lexer";
import { parsePromql, typeOf } from "./promql-parser";
import {
  evaluateInstant,
  evaluateRange,
  formatSampleValue,
  PromqlExecutionError,
  type EvalValue,
  type Labels,
  type RangeSeries,
} from "./promql-eval";
import { SyntheticMetrics, type LoadProfile } from "./synthetic";

export type PrometheusEmulatorOptions = {
  federation: SimFederationView;
  host?: string;
  port?: number;
  /** Like --web.enable-lifecycle: whether POST /-/reload is allowed. Default true. */
  lifecycle?: boolean;
  /** Clock in ms; tests inject one to steer time. Must not go backwards. */
  now?: () => number;
  scrapeIntervalMs?: number;
  /** History synthesised before start, so charts are not empty. Default 6 h. */
  backfillMs?: number;
};

export type PrometheusEmulator = {
  url: string;
  /** Steers the request load of a service from now on. */
  setLoad(service: string, profile: LoadProfile): void;
  /** Each running or load-steered service with its request rate now. */
  currentLoads(): { service: string; requestsPerSecond: number }[];
  /** Number of accepted POST|PUT /-/reload calls. */
  reloadCount(): number;
  close(): Promise<void>;
};

const MAX_POINTS = 11_000;
const MAX_BODY_BYTES = 1 << 20;
const EMULATED_VERSION = "2.53.0-smo-sandbox";

class BadDataError extends Error {}

export async function startPrometheusEmulator(options: PrometheusEmulatorOptions): Promise<PrometheusEmulator> {
  const now = options.now ?? Date.now;
  const lifecycle = options.lifecycle ?? true;
  const metrics = new SyntheticMetrics({
    federation: options.federation,
    now,
    scrapeIntervalMs: options.scrapeIntervalMs,
    backfillMs: options.backfillMs,
  });
  let reloads = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendText(response, 500, `internal error: ${(error as Error).message}\n`);
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    switch (url.pathname) {
      case "/api/v1/query":
      case "/api/v1/query_range": {
        if (method !== "GET" && method !== "POST") return sendText(response, 405, "Method Not Allowed\n");
        const form = await readForm(request, url);
        metrics.recordSnapshot();
        const answer = url.pathname === "/api/v1/query" ? instantQuery(form) : rangeQuery(form);
        return sendJson(response, answer.status, answer.body);
      }
      case "/-/reload":
        if (method !== "POST" && method !== "PUT") return sendText(response, 405, "Only POST or PUT requests allowed");
        if (!lifecycle) return sendText(response, 403, "Lifecycle API is not enabled.\n");
        reloads++;
        response.writeHead(200, { "content-length": "0" }).end();
        return;
      case "/-/healthy":
        return sendText(response, 200, "Prometheus Server is Healthy.\n");
      case "/-/ready":
        return sendText(response, 200, "Prometheus Server is Ready.\n");
      case "/api/v1/status/buildinfo":
        return sendJson(
          response,
          200,
          JSON.stringify({
            status: "success",
            data: { version: EMULATED_VERSION, revision: "sandbox", branch: "sandbox", buildUser: "smo-console", buildDate: "", goVersion: "" },
          }),
        );
      default:
        return sendText(response, 404, "404 page not found\n");
    }
  }

  function instantQuery(form: URLSearchParams): { status: number; body: string } {
    return answer(() => {
      const timeText = form.get("time");
      let time: number;
      if (timeText === null || timeText === "") {
        time = now();
      } else {
        const parsed = parseTimestamp(timeText);
        if (parsed === undefined) throw new BadDataError(`invalid parameter "time": Invalid time value for 'time': cannot parse ${goQuote(timeText)} to a valid timestamp`);
        time = parsed;
      }
      const expr = parseQuery(form.get("query") ?? "");
      const value = evaluateInstant(expr, metrics, time);
      return encodeInstant(value, time);
    });
  }

  function rangeQuery(form: URLSearchParams): { status: number; body: string } {
    return answer(() => {
      const start = parseTimestamp(form.get("start") ?? "");
      if (start === undefined) throw new BadDataError(`invalid parameter "start": cannot parse ${goQuote(form.get("start") ?? "")} to a valid timestamp`);
      const end = parseTimestamp(form.get("end") ?? "");
      if (end === undefined) throw new BadDataError(`invalid parameter "end": cannot parse ${goQuote(form.get("end") ?? "")} to a valid timestamp`);
      if (end < start) throw new BadDataError(`invalid parameter "end": end timestamp must not be before start time`);
      const step = parseStep(form.get("step") ?? "");
      if (step === undefined) throw new BadDataError(`invalid parameter "step": cannot parse ${goQuote(form.get("step") ?? "")} to a valid duration`);
      if (step <= 0) throw new BadDataError(`invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer`);
      if ((end - start) / step > MAX_POINTS) {
        throw new BadDataError("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
      }
      const expr = parseQuery(form.get("query") ?? "");
      const type = typeOf(expr);
      if (type !== "scalar" && type !== "vector") {
        const names = { string: "string", matrix: "range vector" } as const;
        throw new BadDataError(`invalid expression type ${JSON.stringify(names[type])} for range query, must be Scalar or instant Vector`);
      }
      return encodeMatrix(evaluateRange(expr, metrics, start, end, step));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  metrics.selfInstance = `${host}:${address.port}`;
  // Observe the federation at the scrape interval, as a real Prometheus would scrape it.
  const observer = setInterval(() => metrics.recordSnapshot(), metrics.scrapeIntervalMs);
  observer.unref();

  return {
    url: `http://${host}:${address.port}`,
    setLoad: (service, profile) => {
      metrics.recordSnapshot();
      metrics.setLoad(service, profile);
    },
    currentLoads: () => metrics.currentLoads(now()),
    reloadCount: () => reloads,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(observer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseQuery(query: string) {
  try {
    return parsePromql(query);
  } catch (error) {
    if (error instanceof PromqlParseError) throw new BadDataError(`invalid parameter "query": ${error.message}`);
    throw error;
  }
}

function answer(run: () => string): { status: number; body: string } {
  try {
    return { status: 200, body: run() };
  } catch (error) {
    if (error instanceof BadDataError) return { status: 400, body: JSON.stringify({ status: "error", errorType: "bad_data", error: error.message }) };
    if (error instanceof PromqlExecutionError) return { status: 422, body: JSON.stringify({ status: "error", errorType: "execution", error: error.message }) };
    throw error;
  }
}

/** Prometheus's parseTime: unix seconds (float, millisecond precision) or RFC 3339. */
export function parseTimestamp(text: string): number | undefined {
  if (text === "") return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const seconds = Number(text);
    if (!Number.isFinite(seconds)) return undefined;
    const whole = Math.trunc(seconds);
    return whole * 1000 + Math.round((seconds - whole) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const milliseconds = Date.parse(text);
    return Number.isNaN(milliseconds) ? undefined : milliseconds;
  }
  return undefined;
}

/** Prometheus's parseDuration for `step`: float seconds or a duration such as `15s`; ms. */
function parseStep(text: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
  }
  return parsePrometheusDuration(text);
}

function encodeInstant(value: EvalValue, time: number): string {
  switch (value.type) {
    // Prometheus 2.x encodes scalars and strings with encoding/json: the time as a plain float, the value in 'f' format.
    case "scalar":
      return success("scalar", `[${time / 1000},${JSON.stringify(formatFixedSampleValue(value.value))}]`);
    case "string":
      return success("string", `[${time / 1000},${JSON.stringify(value.value)}]`);
    case "vector":
      return success(
        "vector",
        `[${value.samples.map((s) => `{"metric":${encodeLabels(s.labels)},"value":[${encodeTimestamp(time)},${JSON.stringify(formatSampleValue(s.value))}]}`).join(",")}]`,
      );
    case "matrix":
      return encodeMatrix(value.series);
  }
}

function encodeMatrix(series: RangeSeries[]): string {
  const encoded = series.map((s) => {
    const values = s.times.map((time, index) => `[${encodeTimestamp(time)},${JSON.stringify(formatSampleValue(s.values[index]!))}]`);
    return `{"metric":${encodeLabels(s.labels)},"values":[${values.join(",")}]}`;
  });
  return success("matrix", `[${encoded.join(",")}]`);
}

function success(resultType: string, result: string): string {
  return `{"status":"success","data":{"resultType":"${resultType}","result":${result}}}`;
}

function encodeLabels(labels: Labels): string {
  const sorted: Labels = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name]!;
  return JSON.stringify(sorted);
}

/** Prometheus's marshalTimestamp: whole seconds, then `.` and three digits when there is a fraction. */
function encodeTimestamp(milliseconds: number): string {
  const sign = milliseconds < 0 ? "-" : "";
  const absolute = Math.abs(milliseconds);
  const seconds = Math.floor(absolute / 1000);
  const fraction = absolute % 1000;
  return fraction === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(fraction).padStart(3, "0")}`;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent. */
function formatFixedSampleValue(value: number): string {
  const text = formatSampleValue(value);
  const exponential = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponential) return text;
  const [, sign, lead, rest = "", exponentText] = exponential;
  const digits = `${lead}${rest}`;
  const exponent = Number(exponentText);
  if (exponent >= 0) return `${sign}${digits.padEnd(exponent + 1, "0")}`;
  return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
}

function goQuote(text: string): string {
  return JSON.stringify(text);
}

async function readForm(request: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams(url.search);
  if (request.method !== "POST") return form;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    // Like Go's Request.FormValue, values in the body win over those in the URL.
    for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) form.set(name, value);
  }
  return form;
}

function sendJson(response: ServerResponse, status: number, json: string): void {
  const body = escapeJsonLikeGo(json);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

/** Go's JSON encoders escape <, > and & (HTML safety) and U+2028/2029; they only occur inside strings. */
function escapeJsonLikeGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
}

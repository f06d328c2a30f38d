/**
 * Prometheus HTTP API client: instant and range queries (POST, form-encoded, so long
 * queries never hit URL limits), the lifecycle reload, and a health probe. Responses are
 * validated before use; every failure becomes an UpstreamError naming Prometheus's own text.
 */

import { describeNetworkError, previewBody } from "../http";
import { z } from "zod";
import { UpstreamError, ValidationError } from "../errors";
import { parsePrometheusDuration } from "./promql";

export type PrometheusClientOptions = {
  /** Base URL, possibly with a path prefix (`http://prometheus:9090`, `https://host/prometheus`). */
  url: string;
  /** Per-request deadline. Default 10 s. */
  timeoutMs?: number;
  /** Injected fetch (tests, proxies). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers, e.g. `Authorization` for a Prometheus behind a proxy. */
  headers?: Record<string, string>;
};

export type Labels = Record<string, string>;
/** One sample: `time` in unix seconds, `value` parsed (NaN and ±Infinity included). */
export type Sample = { time: number; value: number };
export type VectorSeries = { metric: Labels; sample: Sample };
export type MatrixSeries = { metric: Labels; samples: Sample[] };

export type VectorResult = { resultType: "vector"; result: VectorSeries[]; warnings: string[] };
export type MatrixResult = { resultType: "matrix"; result: MatrixSeries[]; warnings: string[] };
export type ScalarResult = { resultType: "scalar"; result: Sample; warnings: string[] };
export type StringResult = { resultType: "string"; result: { time: number; value: string }; warnings: string[] };
export type QueryResult = VectorResult | MatrixResult | ScalarResult | StringResult;

/** A time: a Date or unix seconds. */
export type PrometheusTime = Date | number;

export type InstantQueryOptions = { time?: PrometheusTime };
export type RangeQueryOptions = {
  start: PrometheusTime;
  end: PrometheusTime;
  /** Seconds, or a Prometheus duration such as `30s`. */
  step: number | string;
};

export type PrometheusBuildInfo = { version: string | undefined };

export type PrometheusClient = {
  readonly url: string;
  query(promql: string, options?: InstantQueryOptions): Promise<QueryResult>;
  /** Range queries always answer a matrix. */
  queryRange(promql: string, options: RangeQueryOptions): Promise<MatrixResult>;
  /** POST /-/reload; needs Prometheus started with --web.enable-lifecycle. */
  reload(): Promise<void>;
  /** Proves Prometheus answers; returns its version when it tells it. */
  ping(): Promise<PrometheusBuildInfo>;
};

const SampleTupleSchema = z.tuple([z.number(), z.string()]);
const LabelsSchema = z.record(z.string(), z.string());
const SuccessSchema = z.object({
  status: z.literal("success"),
  data: z.discriminatedUnion("resultType", [
    z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: LabelsSchema, value: SampleTupleSchema })) }),
    z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: LabelsSchema, values: z.array(SampleTupleSchema) })) }),
    z.object({ resultType: z.literal("scalar"), result: SampleTupleSchema }),
    z.object({ resultType: z.literal("string"), result: SampleTupleSchema }),
  ]),
  warnings: z.array(z.string()).optional(),
});
const ErrorSchema = z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() });
const BuildInfoSchema = z.object({ status: z.literal("success"), data: z.object({ version: z.string().optional() }).loose() });

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const { baseUrl, credentialsHeader } = splitCredentials(options.url);
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseHeaders: Record<string, string> = { ...(credentialsHeader ? { authorization: credentialsHeader } : {}), ...options.headers };

  async function send(path: string, init: { method: string; form?: URLSearchParams }): Promise<Response> {
    const url = `${baseUrl}${path}`;
    const headers: Record<string, string> = { ...baseHeaders };
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    try {
      return await fetchImpl(url, {
        method: init.method,
        headers,
        body: init.form?.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
      throw new UpstreamError("prometheus", `${init.method} ${url} failed: ${reason}`, {
        reason: timedOut ? "timeout" : "unreachable",
        cause: error,
      });
    }
  }

  async function readApiResponse(response: Response, url: string): Promise<z.infer<typeof SuccessSchema>> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError("prometheus", `${url} answered HTTP ${response.status} with a non-JSON body: ${previewBody(text)}`, {
        status: response.status,
        reason: "invalid_response",
      });
    }
    const error = ErrorSchema.safeParse(body);
    if (error.success) {
      throw new UpstreamError("prometheus", error.data.error, { status: response.status, reason: error.data.errorType });
    }
    const success = SuccessSchema.safeParse(body);
    if (!success.success) {
      throw new UpstreamError("prometheus", `${url} answered HTTP ${response.status} with an unexpected body: ${previewBody(text)}`, {
        status: response.status,
        reason: "invalid_response",
      });
    }
    return success.data;
  }

  async function runQuery(path: string, form: URLSearchParams): Promise<QueryResult> {
    const response = await send(path, { method: "POST", form });
    const { data, warnings } = await readApiResponse(response, `${baseUrl}${path}`);
    const common = { warnings: warnings ?? [] };
    switch (data.resultType) {
      case "vector":
        return { resultType: "vector", result: data.result.map((s) => ({ metric: s.metric, sample: toSample(s.value) })), ...common };
      case "matrix":
        return { resultType: "matrix", result: data.result.map((s) => ({ metric: s.metric, samples: s.values.map(toSample) })), ...common };
      case "scalar":
        return { resultType: "scalar", result: toSample(data.result), ...common };
      case "string":
        return { resultType: "string", result: { time: data.result[0], value: data.result[1] }, ...common };
    }
  }

  return {
    url: baseUrl,

    async query(promql, queryOptions = {}) {
      const form = new URLSearchParams({ query: promql });
      if (queryOptions.time !== undefined) form.set("time", formatTime(queryOptions.time, "time"));
      return runQuery("/api/v1/query", form);
    },

    async queryRange(promql, rangeOptions) {
      const form = new URLSearchParams({
        query: promql,
        start: formatTime(rangeOptions.start, "start"),
        end: formatTime(rangeOptions.end, "end"),
        step: formatStep(rangeOptions.step),
      });
      const result = await runQuery("/api/v1/query_range", form);
      if (result.resultType !== "matrix") {
        throw new UpstreamError("prometheus", `a range query answered a ${result.resultType} instead of a matrix`, { reason: "invalid_response" });
      }
      return result;
    },

    async reload() {
      const url = `${baseUrl}/-/reload`;
      const response = await send("/-/reload", { method: "POST" });
      if (response.ok) return;
      const text = (await response.text()).trim();
      const message =
        response.status === 403
          ? `reload refused (${text || "HTTP 403"}): start Prometheus with --web.enable-lifecycle, or let prometheus-operator's config-reloader reload it`
          : `reload at ${url} failed with HTTP ${response.status}: ${previewBody(text)}`;
      throw new UpstreamError("prometheus", message, { status: response.status, reason: response.status === 403 ? "lifecycle_disabled" : "reload_failed" });
    },

    async ping() {
      const response = await send("/api/v1/status/buildinfo", { method: "GET" });
      if (response.status === 404) {
        // Some Prometheus-compatible servers lack buildinfo; the health endpoint still proves liveness.
        const health = await send("/-/healthy", { method: "GET" });
        if (!health.ok) {
          throw new UpstreamError("prometheus", `${baseUrl}/-/healthy answered HTTP ${health.status}`, { status: health.status, reason: "unhealthy" });
        }
        return { version: undefined };
      }
      const text = await response.text();
      if (!response.ok) {
        throw new UpstreamError("prometheus", `${baseUrl}/api/v1/status/buildinfo answered HTTP ${response.status}: ${previewBody(text)}`, {
          status: response.status,
          reason: "unhealthy",
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new UpstreamError("prometheus", `${baseUrl}/api/v1/status/buildinfo answered a non-JSON body: ${previewBody(text)}`, {
          status: response.status,
          reason: "invalid_response",
        });
      }
      const info = BuildInfoSchema.safeParse(parsed);
      return { version: info.success ? info.data.data.version : undefined };
    },
  };
}

/** Parses a Prometheus sample value: Go float text, including `NaN`, `+Inf`, `-Inf`. */
export function parseSampleValue(text: string): number {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (Number.isNaN(value)) {
    throw new UpstreamError("prometheus", `sample value ${JSON.stringify(text)} is not a number`, { reason: "invalid_response" });
  }
  return value;
}

function toSample([time, value]: [number, string]): Sample {
  return { time, value: parseSampleValue(value) };
}

function formatTime(time: PrometheusTime, name: string): string {
  const seconds = time instanceof Date ? time.getTime() / 1000 : time;
  if (!Number.isFinite(seconds)) {
    throw new ValidationError([{ path: name, message: `${String(time)} is not a valid time` }]);
  }
  return String(seconds);
}

function formatStep(step: number | string): string {
  if (typeof step === "number") {
    if (!Number.isFinite(step) || step <= 0) throw new ValidationError([{ path: "step", message: `${step} is not a positive number of seconds` }]);
    return String(step);
  }
  const milliseconds = parsePrometheusDuration(step);
  if (milliseconds === undefined || milliseconds <= 0) {
    throw new ValidationError([{ path: "step", message: `"${step}" is not a positive Prometheus duration` }]);
  }
  return step;
}

/** fetch refuses URLs with credentials; move `user:password@` into a Basic Authorization header. */
function splitCredentials(rawUrl: string): { baseUrl: string; credentialsHeader?: string } {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ValidationError([{ path: "url", message: `"${rawUrl}" is not a valid URL` }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError([{ path: "url", message: `"${rawUrl}" must use http or https` }]);
  }
  let credentialsHeader: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    credentialsHeader = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  url.search = "";
  url.hash = "";
  return { baseUrl: url.toString().replace(/\/+$/, ""), credentialsHeader };
}

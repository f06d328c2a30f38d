import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import {
  escapeLabelValue,
  escapeRegex,
  isPrometheusDuration,
  matchRegex,
  notEqual,
  parsePrometheusDuration,
  rangeSelector,
  selector,
} from "./promql";
import { clusterCpuPercentQuery, requestRateQuery, serviceCpuPercentQuery, serviceMemoryQuery, serviceRequestRateQuery } from "./queries";

describe("escapeLabelValue", () => {
  it("escapes backslash, double quote and line breaks as PromQL (Go) string escapes", () => {
    expect(escapeLabelValue('a"b')).toBe('a\\"b');
    expect(escapeLabelValue("a\\b")).toBe("a\\\\b");
    expect(escapeLabelValue("a\nb\rc\td")).toBe("a\\nb\\rc\\td");
    expect(escapeLabelValue('\\"')).toBe('\\\\\\"');
  });

  it("writes other control characters and U+FFFD as \\u escapes, keeps other Unicode as is", () => {
    expect(escapeLabelValue("\u0000\u001f\u007f")).toBe("\\u0000\\u001f\\u007f");
    expect(escapeLabelValue("\ufffd")).toBe("\\ufffd");
    expect(escapeLabelValue("é€😀")).toBe("é€😀");
  });

  it("rejects a lone surrogate, which cannot be encoded as UTF-8", () => {
    expect(() => escapeLabelValue("a\ud800b")).toThrow(ValidationError);
    expect(() => escapeLabelValue("\udc00")).toThrow(/lone UTF-16 surrogate/);
  });
});

describe("selector", () => {
  it("builds name{label=\"value\"} with every matcher operator", () => {
    expect(selector("up")).toBe("up");
    expect(selector("up", { job: "node", pod: matchRegex("web-.*"), container: notEqual(""), mode: { op: "!~", value: "idle|iowait" } })).toBe(
      'up{job="node",pod=~"web-.*",container!="",mode!~"idle|iowait"}',
    );
  });

  it("keeps a hostile value inside one quoted string", () => {
    expect(selector("m", { service: 'x"} or vector(1) #' })).toBe('m{service="x\\"} or vector(1) #"}');
  });

  it("rejects metric and label names that PromQL cannot quote", () => {
    expect(() => selector("bad-name", {})).toThrow(/not a valid Prometheus metric name/);
    expect(() => selector("m", { 'x"}': "v" })).toThrow(/not a valid Prometheus label name/);
    expect(() => selector("m", { "1abc": "v" })).toThrow(ValidationError);
  });

  it("adds a validated range window", () => {
    expect(rangeSelector("m", { a: "b" }, "5m")).toBe('m{a="b"}[5m]');
    expect(() => rangeSelector("m", {}, "5m] or vector(1) #")).toThrow(/not a positive Prometheus duration/);
    expect(() => rangeSelector("m", {}, "0s")).toThrow(ValidationError);
  });
});

describe("Prometheus durations", () => {
  it("parses unit sequences in Prometheus order", () => {
    expect(parsePrometheusDuration("5m")).toBe(300_000);
    expect(parsePrometheusDuration("1h30m")).toBe(5_400_000);
    expect(parsePrometheusDuration("1d2h3m4s5ms")).toBe(86_400_000 + 7_200_000 + 180_000 + 4_000 + 5);
    expect(parsePrometheusDuration("2w")).toBe(1_209_600_000);
    expect(parsePrometheusDuration("0")).toBe(0);
  });

  it("rejects anything else", () => {
    for (const text of ["", "5", "m", "5x", "30m1h", "1.5h", " 5m", "5m ", "-5m", "5M"]) {
      expect(isPrometheusDuration(text), text).toBe(false);
    }
    expect(isPrometheusDuration("40s")).toBe(true);
  });
});

describe("escapeRegex", () => {
  it("escapes RE2 metacharacters", () => {
    expect(escapeRegex("a.b*c+(d)|[e]{f}^$?\\")).toBe("a\\.b\\*c\\+\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\?\\\\");
    expect(new RegExp(`^${escapeRegex("a.b(c)")}$`).test("a.b(c)")).toBe(true);
  });
});

describe("SMO's queries", () => {
  it("builds the original scaler's request-rate query", () => {
    expect(requestRateQuery({ service: "noise-reduction", window: "5s" })).toBe(
      'sum(rate(flask_http_request_total{service="noise-reduction"}[5s])) by (service)',
    );
    expect(serviceRequestRateQuery({ service: "web", namespace: "demo" })).toBe(
      'sum(rate(flask_http_request_total{namespace="demo",service="web"}[5m])) by (service)',
    );
  });

  it("selects a service's pods by a regex-escaped name prefix within the project namespace", () => {
    expect(serviceMemoryQuery({ service: "web", namespace: "demo" })).toBe(
      'sum(container_memory_working_set_bytes{namespace="demo",pod=~"web-.*",container!=""})',
    );
    expect(serviceCpuPercentQuery({ service: "a.b", window: "1m" })).toBe(
      '100 * sum(rate(container_cpu_usage_seconds_total{pod=~"a\\\\.b-.*",container!=""}[1m])) / sum(kube_pod_container_resource_limits{pod=~"a\\\\.b-.*",resource="cpu"})',
    );
  });

  it("keeps a Grafana variable and $__rate_interval for dashboards", () => {
    expect(serviceRequestRateQuery({ service: { variable: "service" }, namespace: "demo", window: "$__rate_interval" })).toBe(
      'sum(rate(flask_http_request_total{namespace="demo",service=~"$service"}[$__rate_interval])) by (service)',
    );
    expect(serviceMemoryQuery({ service: { variable: "service" } })).toContain('pod=~"$service-.*"');
    expect(() => serviceMemoryQuery({ service: { variable: 'x"}' } })).toThrow(/not a valid Grafana variable name/);
  });

  it("rejects bad windows before building anything", () => {
    expect(() => requestRateQuery({ service: "web", window: "1m]) or vector(1" })).toThrow(ValidationError);
    expect(() => clusterCpuPercentQuery("member1", "soon")).toThrow(ValidationError);
  });
});

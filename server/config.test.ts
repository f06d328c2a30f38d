import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.variable);
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("runs as a sandbox with the documented defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("sandbox");
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve("./data"));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.prometheus.rule).toEqual({ namespace: "monitoring", name: "kube-prometheus-stack-0", group: "smo-alerts" });
    expect(config.helm).toEqual({ bin: "helm", plainHttp: false });
  });

  it("switches to production when a Karmada kubeconfig is given, and reads every variable", () => {
    const config = loadConfig({
      KARMADA_KUBECONFIG: "/etc/karmada/kubeconfig",
      DATABASE_URL: "postgres://smo:secret@db:5432/smo",
      PROMETHEUS_URL: "http://prometheus:9090",
      GRAFANA_URL: "http://grafana:3000",
      GRAFANA_TOKEN: "glsa_abc",
      HELM_BIN: "/usr/local/bin/helm",
      HELM_PLAIN_HTTP: "True",
      PORT: "8080",
    });
    expect(config.mode).toBe("production");
    expect(config.grafana.auth).toEqual({ kind: "token", token: "glsa_abc" });
    expect(config.helm).toEqual({ bin: "/usr/local/bin/helm", plainHttp: true });
    expect(config.port).toBe(8080);
  });

  it("names each bad variable", () => {
    expect(problemsOf({ PORT: "eighty" })).toEqual(["PORT"]);
    expect(problemsOf({ DATABASE_URL: "mysql://x" })).toEqual(["DATABASE_URL"]);
    expect(problemsOf({ PROMETHEUS_URL: "prometheus:9090", HELM_PLAIN_HTTP: "maybe" })).toEqual(["PROMETHEUS_URL", "HELM_PLAIN_HTTP"]);
    expect(problemsOf({ GRAFANA_USER: "admin" })).toEqual(["GRAFANA_PASSWORD"]);
    expect(problemsOf({ SMO_ALERT_WEBHOOK_TOKEN: "short" })).toEqual(["SMO_ALERT_WEBHOOK_TOKEN"]);
    expect(problemsOf({ PROMETHEUS_RULE_NAMESPACE: "Monitoring NS" })).toEqual(["PROMETHEUS_RULE_NAMESPACE"]);
    expect(problemsOf({ KARMADA_KUBECONFIG: "/etc/karmada/kubeconfig" })).toEqual(["PROMETHEUS_URL"]);
    expect(problemsOf({ KARMADA_KUBECONFIG: "/k", PROMETHEUS_URL: "http://p:9090", GRAFANA_URL: "http://g:3000" })).toEqual(["GRAFANA_URL"]);
  });

  it("says what is wrong in one readable message", () => {
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT .*65535/);
  });
});

/**
 * SMO alert rules stored in the emulated Karmada API server's PrometheusRule, with a real
 * HTTP endpoint standing in for Prometheus' `POST /-/reload`.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startKubeEmulator, type KubeEmulator } from "../../sim/kube";
import { ValidationError } from "../errors";
import { createKarmadaClient } from "../karmada/client";
import type { KarmadaClient, PrometheusRule } from "../karmada/types";
import { createAlertRuleManager, type AlertRuleManager } from "./rules";

const RULE = { group: "monitoring.coreos.com", version: "v1", namespace: "monitoring", plural: "prometheusrules" } as const;

/** A stand-in for Prometheus' lifecycle endpoint: counts POST /-/reload, answers 200 or 403 as told. */
async function startReloadEndpoint() {
  const state = { reloads: 0, enabled: true };
  const server = createServer((request, response) => {
    if (request.method === "POST" && request.url === "/-/reload") {
      if (!state.enabled) {
        response.writeHead(403, { "Content-Type": "text/plain" });
        response.end("Lifecycle API is not enabled.");
        return;
      }
      state.reloads += 1;
      response.writeHead(200);
      response.end();
      return;
    }
    response.writeHead(405);
    response.end("Only POST or PUT requests allowed");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reload = async () => {
    const response = await fetch(`${url}/-/reload`, { method: "POST" });
    if (!response.ok) throw new Error(`Prometheus reload failed: HTTP ${response.status} ${await response.text()}`);
  };
  return { state, reload, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const TEAM_GROUP = {
  name: "team-rules",
  interval: "30s",
  rules: [
    { alert: "HighErrorRate", expr: "sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 1", for: "5m", labels: { severity: "critical", service: "detector" } },
    { record: "service:http_requests:rate5m", expr: "sum by (service) (rate(http_requests_total[5m]))" },
  ],
};

const mainEvent = {
  id: "main-event",
  promQuery: 'absent(up{prometheus="kc1/kube-prometheus-operator"})',
  gracePeriod: "2m",
  description: "High vo-metric",
};

describe("alert rule manager", () => {
  let emulator: KubeEmulator;
  let karmada: KarmadaClient;
  let custom: CustomObjectsApi;
  let endpoint: Awaited<ReturnType<typeof startReloadEndpoint>>;
  let alerts: AlertRuleManager;

  const readRule = async (name = "kube-prometheus-stack-0") => (await custom.getNamespacedCustomObject({ ...RULE, name })) as PrometheusRule;
  const smoRules = async () => (await readRule()).spec.groups!.find((group) => group.name === "smo-alerts")!.rules ?? [];

  beforeAll(async () => {
    emulator = await startKubeEmulator({ clusters: [{ name: "alpha", cpu: "8", memory: "32Gi" }], schedulerDelayMs: 20 });
    karmada = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
    const config = new KubeConfig();
    config.loadFromFile(emulator.kubeconfigPath);
    custom = config.makeApiClient(CustomObjectsApi);
    endpoint = await startReloadEndpoint();
    alerts = createAlertRuleManager({ karmada, reload: endpoint.reload });
    // Someone else's group lives in the same PrometheusRule; SMO must never touch it.
    const seeded = await readRule();
    seeded.spec.groups!.push(TEAM_GROUP);
    await custom.replaceNamespacedCustomObject({ ...RULE, name: "kube-prometheus-stack-0", body: seeded });
  });
  afterAll(async () => {
    await endpoint.close();
    await emulator.close();
  });
  beforeEach(async () => {
    endpoint.state.enabled = true;
    for (const service of ["detector", "tracker", "s0", "s1", "s2", "s3", "s4"]) await alerts.removeServiceAlerts(service);
  });

  it("uses the defaults of the original SMO", () => {
    expect(alerts).toMatchObject({ namespace: "monitoring", name: "kube-prometheus-stack-0", group: "smo-alerts" });
  });

  it("adds the rule of SPEC §3 once: a second identical add writes nothing and does not reload", async () => {
    const reloadsBefore = endpoint.state.reloads;
    const first = await alerts.addServiceAlert({ service: "detector", event: mainEvent });
    expect(first).toEqual({ changed: true, rules: 1, conflicts: 0, reload: { ok: true } });
    expect(endpoint.state.reloads).toBe(reloadsBefore + 1);
    expect(await smoRules()).toEqual([
      {
        alert: "main-event",
        expr: 'absent(up{prometheus="kc1/kube-prometheus-operator"})',
        for: "2m",
        labels: { severity: "critical", service: "detector" },
        annotations: { description: "High vo-metric", summary: "SMO event main-event for detector" },
      },
    ]);
    const version = (await readRule()).metadata.resourceVersion;

    const second = await alerts.addServiceAlert({ service: "detector", event: { ...mainEvent } });
    expect(second).toEqual({ changed: false, rules: 0, conflicts: 0 });
    expect((await readRule()).metadata.resourceVersion).toBe(version);
    expect(await smoRules()).toHaveLength(1);
    expect(endpoint.state.reloads).toBe(reloadsBefore + 1);
  });

  it("replaces the rule of the same alert and service when the query changes, and keeps other groups untouched", async () => {
    await alerts.addServiceAlert({ service: "detector", event: mainEvent });
    await alerts.addServiceAlert({ service: "tracker", event: mainEvent });
    const changed = await alerts.addServiceAlert({ service: "detector", event: { ...mainEvent, promQuery: "vector(1)", gracePeriod: undefined, description: undefined } });
    expect(changed.changed).toBe(true);
    expect(await smoRules()).toEqual([
      {
        alert: "main-event",
        expr: "vector(1)",
        labels: { severity: "critical", service: "detector" },
        annotations: { description: "SMO event main-event for detector", summary: "SMO event main-event for detector" },
      },
      expect.objectContaining({ alert: "main-event", expr: mainEvent.promQuery, labels: { severity: "critical", service: "tracker" } }),
    ]);
    const rule = await readRule();
    expect(rule.spec.groups!.find((group) => group.name === "team-rules")).toEqual(TEAM_GROUP);
    expect(rule.metadata.labels).toMatchObject({ release: "kube-prometheus-stack", app: "kube-prometheus-stack" });
  });

  it("removes every rule of one service, only from its own group, and is idempotent", async () => {
    await alerts.addServiceAlert({ service: "detector", event: mainEvent });
    await alerts.addServiceAlert({ service: "detector", event: { id: "second_event", promQuery: "up == 0" } });
    await alerts.addServiceAlert({ service: "tracker", event: mainEvent });
    const reloadsBefore = endpoint.state.reloads;

    expect(await alerts.removeServiceAlerts("detector")).toEqual({ changed: true, rules: 2, conflicts: 0, reload: { ok: true } });
    expect((await smoRules()).map((rule) => rule.labels?.service)).toEqual(["tracker"]);
    // The team group also has a rule labelled service=detector: it is not SMO's and stays.
    expect((await readRule()).spec.groups!.find((group) => group.name === "team-rules")).toEqual(TEAM_GROUP);

    const version = (await readRule()).metadata.resourceVersion;
    expect(await alerts.removeServiceAlerts("detector")).toEqual({ changed: false, rules: 0, conflicts: 0 });
    expect((await readRule()).metadata.resourceVersion).toBe(version);
    expect(endpoint.state.reloads).toBe(reloadsBefore + 1);
  });

  it("lists the stored alerts, for one service or all", async () => {
    await alerts.addServiceAlert({ service: "detector", event: mainEvent });
    await alerts.addServiceAlert({ service: "tracker", event: { id: "lag", promQuery: "lag > 5" } });
    expect(await alerts.listServiceAlerts("detector")).toEqual([
      { service: "detector", id: "main-event", promQuery: mainEvent.promQuery, gracePeriod: "2m", description: "High vo-metric", summary: "SMO event main-event for detector" },
    ]);
    expect((await alerts.listServiceAlerts()).map((alert) => `${alert.service}/${alert.id}`)).toEqual(["detector/main-event", "tracker/lag"]);
  });

  it("lets 5 concurrent writers all land (409 Conflicts retried)", async () => {
    const generationBefore = (await readRule()).metadata.generation as number;
    const results = await Promise.all(
      ["s0", "s1", "s2", "s3", "s4"].map((service) => alerts.addServiceAlert({ service, event: { id: "load", promQuery: `load{service="${service}"} > 1` } })),
    );
    expect(results.every((result) => result.changed)).toBe(true);
    expect((await smoRules()).map((rule) => rule.labels?.service).sort()).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    // Five spec writes, none lost or doubled.
    expect((await readRule()).metadata.generation).toBe(generationBefore + 5);
    expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
    expect((await readRule()).spec.groups!.find((group) => group.name === "team-rules")).toEqual(TEAM_GROUP);
  });

  it("reports a failed reload without undoing the stored rule", async () => {
    endpoint.state.enabled = false;
    const result = await alerts.addServiceAlert({ service: "detector", event: mainEvent });
    expect(result.changed).toBe(true);
    expect(result.reload).toEqual({ ok: false, error: "Prometheus reload failed: HTTP 403 Lifecycle API is not enabled." });
    expect(await smoRules()).toHaveLength(1);
  });

  it("creates the whole PrometheusRule, with the labels kube-prometheus-stack selects on, when it is missing", async () => {
    const fresh = createAlertRuleManager({ karmada, name: "smo-rules-fresh", group: "smo" });
    expect(await fresh.listServiceAlerts()).toEqual([]);
    expect(await fresh.removeServiceAlerts("detector")).toEqual({ changed: false, rules: 0, conflicts: 0 });
    await expect(custom.getNamespacedCustomObject({ ...RULE, name: "smo-rules-fresh" })).rejects.toMatchObject({ code: 404 });

    expect(await fresh.addServiceAlert({ service: "detector", event: mainEvent })).toEqual({ changed: true, rules: 1, conflicts: 0 });
    const created = await readRule("smo-rules-fresh");
    expect(created.metadata.labels).toEqual({ release: "kube-prometheus-stack", app: "kube-prometheus-stack" });
    expect(created.spec.groups).toEqual([{ name: "smo", rules: [expect.objectContaining({ alert: "main-event" })] }]);
  });

  it("validates before writing anything", async () => {
    const version = (await readRule()).metadata.resourceVersion;
    const cases: [string, Parameters<AlertRuleManager["addServiceAlert"]>[0]][] = [
      ["service", { service: "Detector", event: mainEvent }],
      ["service", { service: "../x", event: mainEvent }],
      ["service", { service: "a".repeat(54), event: mainEvent }],
      ["event.id", { service: "detector", event: { ...mainEvent, id: "9lives" } }],
      ["event.id", { service: "detector", event: { ...mainEvent, id: "a b" } }],
      ["event.id", { service: "detector", event: { ...mainEvent, id: "$(id)" } }],
      ["event.promQuery", { service: "detector", event: { ...mainEvent, promQuery: "  " } }],
      ["event.promQuery", { service: "detector", event: { ...mainEvent, promQuery: `up${" ".repeat(4096)}` } }],
      ["event.gracePeriod", { service: "detector", event: { ...mainEvent, gracePeriod: "2 minutes" } }],
      ["event.gracePeriod", { service: "detector", event: { ...mainEvent, gracePeriod: "" } }],
    ];
    for (const [path, input] of cases) {
      const error = await alerts.addServiceAlert(input).catch((caught: unknown) => caught);
      expect(error, path).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
    }
    await expect(alerts.removeServiceAlerts("--set=x")).rejects.toBeInstanceOf(ValidationError);
    await expect(alerts.listServiceAlerts("a/b")).rejects.toBeInstanceOf(ValidationError);
    expect((await readRule()).metadata.resourceVersion).toBe(version);
  });
});

/**
 * The Alertmanager webhook against a deployed image-detection graph in the sandbox: the
 * event-triggered image-compression-vo stays Pending (its rule in the PrometheusRule) until a
 * firing alert arrives, is installed exactly once however often Alertmanager repeats it, and
 * unknown services, resolved alerts and malformed payloads change nothing.
 */
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertNotifications, graphs, operations, operationSteps } from "../../db/schema";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import { ConflictError, ValidationError } from "../errors";
import { listEvents } from "../events";
import { deployGraph, getGraph, startGraph, stopGraph } from "../graphs";
import { sampleDescriptorText } from "../graphs/testdata/descriptors";
import { readPropagationPolicies, readSmoAlertRules, waitFor } from "../graphs/testdata/observe";
import { handleAlertmanagerNotification, parseAlertmanagerPayload } from "./webhook";

const PROJECT = "brussels";
const GRAPH = "image-detection-graph";
const SERVICE = "image-compression-vo";
const LONG = 240_000;

type Payload = { alerts: Record<string, unknown>[] } & Record<string, unknown>;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")) as Payload;
}

/** The real firing payload's shape, carrying the alert SMO's rule for image-compression-vo raises. */
function firingPayload(fingerprint: string, startsAt = "2026-11-26T09:00:00.5Z"): Payload {
  const payload = fixture("alertmanager-webhook-firing.json");
  const [template] = payload.alerts as { labels: Record<string, string> }[];
  const labels = { alertname: "main-event", prometheus: "monitoring/k8s", service: SERVICE, severity: "critical" };
  return {
    ...payload,
    alerts: [{ ...template, labels, annotations: { description: "High vo-metric", summary: `SMO event main-event for ${SERVICE}` }, startsAt, fingerprint }],
    groupLabels: { alertname: "main-event" },
    commonLabels: labels,
    groupKey: '{}/{severity="critical"}:{alertname="main-event"}',
  };
}

async function helmRevision(core: SandboxCore, release: string): Promise<number | undefined> {
  return (await core.ctx.clients.helm.list({ namespace: PROJECT })).find((entry) => entry.release === release)?.revision;
}

async function installSteps(core: SandboxCore): Promise<number> {
  const rows = await core.ctx.db
    .select()
    .from(operationSteps)
    .where(and(eq(operationSteps.action, "helm-install"), eq(operationSteps.target, SERVICE), eq(operationSteps.status, "succeeded")));
  return rows.length;
}

describe("Alertmanager webhook", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
    const deployed = await deployGraph(core.ctx, { project: PROJECT, descriptor: { text: sampleDescriptorText("image-detection-graph") } });
    expect(deployed.operation.status).toBe("succeeded");
  }, LONG);
  afterAll(async () => core?.close());

  it("keeps the event-triggered service Pending with its alert rule until the alert fires", async () => {
    const detail = await getGraph(core.ctx, GRAPH);
    expect(detail.services.find((service) => service.name === SERVICE)!.status).toBe("Pending");
    expect(await helmRevision(core, SERVICE)).toBeUndefined();
    const rules = await readSmoAlertRules(core.sandbox.endpoints.kubeconfig);
    expect(rules.filter((rule) => rule.labels.service === SERVICE)).toEqual([
      {
        alert: "main-event",
        expr: 'absent(up{prometheus="kc1/kube-prometheus-operator"})',
        for: "2m",
        labels: { severity: "critical", service: SERVICE },
        annotations: { description: "High vo-metric", summary: `SMO event main-event for ${SERVICE}` },
      },
    ]);
  });

  it("deploys the Pending service once, even when Alertmanager sends the notification again (also concurrently)", { timeout: LONG }, async () => {
    const payload = firingPayload("1f2e3d4c5b6a7988");
    const [first, concurrent] = await Promise.all([handleAlertmanagerNotification(core.ctx, payload), handleAlertmanagerNotification(core.ctx, structuredClone(payload))]);
    const outcomes = [first![0]!.outcome, concurrent![0]!.outcome].sort();
    expect(outcomes).toEqual(["deployed", "duplicate"]);

    const detail = await getGraph(core.ctx, GRAPH);
    const service = detail.services.find((candidate) => candidate.name === SERVICE)!;
    expect(service.status).toBe("Deployed");
    // WOT implementer: the placement is given to the chart under voChartOverwrite.
    expect(service.appliedValues).toMatchObject({ voChartOverwrite: { clustersAffinity: service.clusters } });
    const policies = await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, PROJECT);
    expect(policies.find((policy) => policy.name === SERVICE)?.clusterNames).toEqual([...service.clusters].sort());
    await waitFor(
      () => core.sandbox.kube.listWorkloads().find((workload) => workload.name === SERVICE),
      (workload) => workload !== undefined && workload.placements.every((placement) => service.clusters.includes(placement.cluster)) && workload.placements.length > 0,
      `${SERVICE} to be scheduled`,
    );

    const again = await handleAlertmanagerNotification(core.ctx, payload);
    expect(again).toEqual([expect.objectContaining({ outcome: "duplicate", service: SERVICE })]);
    const later = await handleAlertmanagerNotification(core.ctx, firingPayload("aa00bb11cc22dd33", "2026-11-26T09:30:00Z"));
    expect(later).toEqual([expect.objectContaining({ outcome: "already-deployed", graph: GRAPH })]);

    expect(await helmRevision(core, SERVICE)).toBe(1);
    expect(await installSteps(core)).toBe(1);
    const deploys = (await core.ctx.db.select().from(operations).where(eq(operations.kind, "deploy"))).filter((operation) => operation.input.service === SERVICE);
    expect(deploys).toHaveLength(1);
    // The alert rule stays: the service is event-triggered for as long as the graph runs.
    expect((await readSmoAlertRules(core.sandbox.endpoints.kubeconfig)).some((rule) => rule.labels.service === SERVICE)).toBe(true);
    expect((await core.ctx.db.select().from(alertNotifications)).map((row) => row.outcome).sort()).toEqual(["already-deployed", "deployed"]);
  });

  it("after a stop and start the service is Pending again and a new alert deploys it again", { timeout: LONG }, async () => {
    await stopGraph(core.ctx, { graphName: GRAPH });
    const ignored = await handleAlertmanagerNotification(core.ctx, firingPayload("0123456789abcdef", "2026-11-26T10:00:00Z"));
    expect(ignored).toEqual([expect.objectContaining({ outcome: "graph-not-running" })]);
    await startGraph(core.ctx, { graphName: GRAPH });
    expect((await getGraph(core.ctx, GRAPH)).services.find((service) => service.name === SERVICE)!.status).toBe("Pending");
    // Another console is running an operation on the graph: refused (for a 5xx, so Alertmanager retries), nothing recorded.
    const payload = firingPayload("fedcba9876543210", "2026-11-26T10:05:00Z");
    const [graphRow] = await core.ctx.db.select().from(graphs).where(eq(graphs.name, GRAPH));
    await core.ctx.db.insert(operations).values({
      id: "op_other_console",
      kind: "scale",
      status: "running",
      graphId: graphRow!.id,
      graphName: GRAPH,
      project: PROJECT,
      actor: "system",
      leaseOwner: "other-console",
      leaseExpiresAt: new Date(Date.now() + 60_000),
    });
    await expect(handleAlertmanagerNotification(core.ctx, payload)).rejects.toBeInstanceOf(ConflictError);
    expect((await core.ctx.db.select().from(alertNotifications)).some((row) => row.fingerprint === "fedcba9876543210")).toBe(false);
    await core.ctx.db.update(operations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(operations.id, "op_other_console"));

    const fired = await handleAlertmanagerNotification(core.ctx, payload);
    expect(fired).toEqual([expect.objectContaining({ outcome: "deployed", operationId: expect.stringMatching(/^op_/) })]);
    expect(await helmRevision(core, SERVICE)).toBe(1);
  });

  it("logs and ignores alerts for unknown services, records resolved ones, ignores what is not SMO's", async () => {
    const unknown = firingPayload("9999999999999999");
    (unknown.alerts[0] as { labels: Record<string, string> }).labels.service = "no-such-service";
    expect(await handleAlertmanagerNotification(core.ctx, unknown)).toEqual([expect.objectContaining({ outcome: "unknown-service", service: "no-such-service" })]);
    const [warning] = await listEvents(core.ctx, { kind: "alert.unknown-service" });
    expect(warning).toMatchObject({ severity: "warning" });
    expect(warning!.message).toContain('unknown service "no-such-service"');

    const resolved = await handleAlertmanagerNotification(core.ctx, fixture("alertmanager-webhook-resolved.json"));
    expect(resolved.map((summary) => summary.outcome)).toEqual(["recorded", "recorded"]);
    // Alertmanager 0.34 adds keys (notification_reason, routeLabels): accepted; alerts without a service label are only recorded.
    const mixed = await handleAlertmanagerNotification(core.ctx, fixture("alertmanager-webhook-mixed-v0.34.json"));
    expect(mixed.map((summary) => [summary.status, summary.outcome])).toEqual([
      ["firing", "recorded"],
      ["resolved", "recorded"],
    ]);
    expect(await helmRevision(core, "web")).toBeUndefined();
  });

  it("rejects malformed payloads naming the field, and records nothing", async () => {
    const before = (await core.ctx.db.select().from(alertNotifications)).length;
    const cases: [unknown, string][] = [
      [{ alerts: "none" }, "alerts"],
      [{ ...firingPayload("1111111111111111"), version: "3" }, "version"],
      [{ alerts: [{ ...firingPayload("2222222222222222").alerts[0], startsAt: "yesterday" }] }, "alerts[0].startsAt"],
      [{ alerts: [{ ...firingPayload("3333333333333333").alerts[0], labels: { service: 7 } }] }, "alerts[0].labels.service"],
      [{ alerts: [{ ...firingPayload("4444444444444444").alerts[0], status: "pending" }] }, "alerts[0].status"],
      ["not json", ""],
    ];
    for (const [payload, path] of cases) {
      const error = await handleAlertmanagerNotification(core.ctx, payload).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(payload).slice(0, 80)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    }
    expect(await core.ctx.db.select().from(alertNotifications)).toHaveLength(before);
    expect(parseAlertmanagerPayload(fixture("alertmanager-webhook-firing.json")).alerts).toHaveLength(2);
  });
});

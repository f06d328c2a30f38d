/**
 * The helm client (lib/helm) driving the sandbox helm executable (real child processes) against
 * the Kubernetes/Karmada emulator (real HTTP); results read back with @kubernetes/client-node.
 */

import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createHelmClient, type HelmClient } from "../../lib/helm/client";
import { HelmCommandError } from "../../lib/helm/errors";
import { buildPlacementValues } from "../../lib/helm/values";
import { startKubeEmulator, type KubeEmulator } from "../kube/index";

const HELM_BIN = fileURLToPath(new URL("./helm", import.meta.url));
const NOISE_REDUCTION = "oci://127.0.0.1:5000/test/noise-reduction";
const NAMESPACE = "brussels-demo";

type LogEntry = { event: "start" | "end"; pid: number; argv: string[]; at: number; exitCode?: number };

let emulator: KubeEmulator;
let folder: string;
let core: CoreV1Api;
let apps: AppsV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  emulator = await startKubeEmulator({ schedulerDelayMs: 20 });
  folder = await mkdtemp(join(tmpdir(), "smo-helm-it-"));
  const config = new KubeConfig();
  config.loadFromFile(emulator.kubeconfigPath);
  core = config.makeApiClient(CoreV1Api);
  apps = config.makeApiClient(AppsV1Api);
  custom = config.makeApiClient(CustomObjectsApi);
});
afterAll(async () => {
  await emulator?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function clientWith(env: Record<string, string> = {}, logName = "helm.log"): { client: HelmClient; log: string } {
  const log = join(folder, logName);
  return { client: createHelmClient({ helmBin: HELM_BIN, kubeconfigPath: emulator.kubeconfigPath, env: { SMO_SIM_HELM_LOG: log, ...env } }), log };
}

async function readLog(path: string): Promise<LogEntry[]> {
  return (await readFile(path, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEntry);
}

const policy = (namespace: string, name: string) =>
  custom.getNamespacedCustomObject({ group: "policy.karmada.io", version: "v1alpha1", namespace, plural: "propagationpolicies", name }) as Promise<{
    spec: { resourceSelectors: { kind: string; name: string }[]; placement: { clusterAffinity?: { clusterNames: string[] } } };
  }>;
const exists = (read: () => Promise<unknown>) =>
  read().then(
    () => true,
    (error: { code?: number }) => (error.code === 404 ? false : Promise.reject(error)),
  );
const releaseSecrets = async (namespace: string, release: string) =>
  (await core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` })).items.map((secret) => ({ name: secret.metadata?.name, status: secret.metadata?.labels?.status }));

async function failureOf(promise: Promise<unknown>): Promise<HelmCommandError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HelmCommandError);
  return error as HelmCommandError;
}

describe("helm client ↔ sandbox helm ↔ Kubernetes emulator", () => {
  it("installs, refuses a second install, upgrades with reused values, uninstalls, and reports a missing release", async () => {
    const { client } = clientWith();
    const values = buildPlacementValues({ implementer: "HELM", valuesOverwrite: { replicas: 2 }, clustersAffinity: ["paris"], serviceImportClusters: ["frankfurt"] });

    const installed = await client.install({ release: "noise-reduction", chart: NOISE_REDUCTION, namespace: NAMESPACE, values });
    expect(installed).toMatchObject({ revision: 1, status: "deployed" });

    const deployment = await apps.readNamespacedDeployment({ name: "noise-reduction", namespace: NAMESPACE });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.metadata?.labels).toMatchObject({ "app.kubernetes.io/name": "noise-reduction", "app.kubernetes.io/instance": "noise-reduction", "app.kubernetes.io/managed-by": "Helm" });
    expect(deployment.metadata?.annotations).toMatchObject({ "meta.helm.sh/release-name": "noise-reduction", "meta.helm.sh/release-namespace": NAMESPACE });
    expect((await policy(NAMESPACE, "noise-reduction")).spec.placement.clusterAffinity?.clusterNames).toEqual(["paris"]);
    expect((await policy(NAMESPACE, "noise-reduction-import")).spec.placement.clusterAffinity?.clusterNames).toEqual(["frankfurt"]);
    expect(await exists(() => core.readNamespacedService({ name: "noise-reduction", namespace: NAMESPACE }))).toBe(true);
    expect(await exists(() => custom.getNamespacedCustomObject({ group: "multicluster.x-k8s.io", version: "v1alpha1", namespace: NAMESPACE, plural: "serviceexports", name: "noise-reduction" }))).toBe(true);
    expect(await releaseSecrets(NAMESPACE, "noise-reduction")).toEqual([{ name: "sh.helm.release.v1.noise-reduction.v1", status: "deployed" }]);
    // The emulated Karmada scheduler follows the policy.
    await expect.poll(() => emulator.listWorkloads().find((workload) => workload.name === "noise-reduction")?.placements.map((placement) => placement.cluster), { timeout: 10_000 }).toEqual(["paris"]);

    const again = await failureOf(client.install({ release: "noise-reduction", chart: NOISE_REDUCTION, namespace: NAMESPACE, values }));
    expect(again.reason).toBe("name-in-use");
    expect(again.message).toMatch(/cannot re-?use a name that is still in use/);

    const moved = buildPlacementValues({ implementer: "HELM", valuesOverwrite: {}, clustersAffinity: ["stockholm"], serviceImportClusters: [] });
    const upgraded = await client.upgrade({ release: "noise-reduction", chart: NOISE_REDUCTION, namespace: NAMESPACE, values: moved, reuseValues: true });
    expect(upgraded).toMatchObject({ revision: 2, status: "deployed" });
    expect((await policy(NAMESPACE, "noise-reduction")).spec.placement.clusterAffinity?.clusterNames).toEqual(["stockholm"]);
    // --reuse-values kept `replicas: 2` from the first install.
    expect((await apps.readNamespacedDeployment({ name: "noise-reduction", namespace: NAMESPACE })).spec?.replicas).toBe(2);
    // No more importers: the ServiceExport/ServiceImport pair and its policy are gone.
    expect(await exists(() => policy(NAMESPACE, "noise-reduction-import"))).toBe(false);
    expect((await releaseSecrets(NAMESPACE, "noise-reduction")).sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { name: "sh.helm.release.v1.noise-reduction.v1", status: "superseded" },
      { name: "sh.helm.release.v1.noise-reduction.v2", status: "deployed" },
    ]);
    await expect.poll(() => emulator.listWorkloads().find((workload) => workload.name === "noise-reduction")?.placements.map((placement) => placement.cluster), { timeout: 10_000 }).toEqual(["stockholm"]);

    expect(await client.status({ release: "noise-reduction", namespace: NAMESPACE })).toMatchObject({ release: "noise-reduction", namespace: NAMESPACE, revision: 2, status: "deployed", description: "Upgrade complete" });
    expect((await client.list({ namespace: NAMESPACE })).map((release) => [release.release, release.revision, release.chart])).toEqual([["noise-reduction", 2, "noise-reduction-0.1.0"]]);

    await client.uninstall({ release: "noise-reduction", namespace: NAMESPACE });
    expect(await exists(() => apps.readNamespacedDeployment({ name: "noise-reduction", namespace: NAMESPACE }))).toBe(false);
    expect(await exists(() => core.readNamespacedService({ name: "noise-reduction", namespace: NAMESPACE }))).toBe(false);
    expect(await exists(() => policy(NAMESPACE, "noise-reduction"))).toBe(false);
    expect(await releaseSecrets(NAMESPACE, "noise-reduction")).toEqual([]);

    const gone = await failureOf(client.uninstall({ release: "noise-reduction", namespace: NAMESPACE }));
    expect(gone.reason).toBe("not-found");
    expect(gone.message).toBe("helm: uninstall: Release not loaded: noise-reduction: release: not found");
    expect(await client.status({ release: "noise-reduction", namespace: NAMESPACE })).toBeUndefined();
    const upgradeOfNothing = await failureOf(client.upgrade({ release: "noise-reduction", chart: NOISE_REDUCTION, namespace: NAMESPACE, values: {}, reuseValues: true }));
    expect(upgradeOfNothing.message).toBe('helm: UPGRADE FAILED: "noise-reduction" has no deployed releases');
  });

  it("places a WOT chart with the clusters from voChartOverwrite", async () => {
    const descriptor = parse(readFileSync(new URL("../../examples/hdag/image-detection-graph.yaml", import.meta.url), "utf8")) as {
      hdaGraph: { services: { id: string; artifact: { ociImage: string; ociConfig: { implementer: string }; valuesOverwrite: Record<string, unknown> } }[] };
    };
    const service = descriptor.hdaGraph.services.find((candidate) => candidate.id === "image-compression-vo")!;
    const values = buildPlacementValues({ implementer: service.artifact.ociConfig.implementer, valuesOverwrite: service.artifact.valuesOverwrite, clustersAffinity: ["warsaw"], serviceImportClusters: ["paris"] });
    const { client } = clientWith();
    await client.install({ release: service.id, chart: service.artifact.ociImage, namespace: "wot", values });
    expect((await policy("wot", "image-compression-vo")).spec.placement.clusterAffinity?.clusterNames).toEqual(["warsaw"]);
    expect((await policy("wot", "image-compression-vo-import")).spec.placement.clusterAffinity?.clusterNames).toEqual(["paris"]);
    await client.uninstall({ release: service.id, namespace: "wot" });
  });

  it("fails on a chart registry it cannot reach, creating nothing", async () => {
    const { client } = clientWith();
    const error = await failureOf(client.install({ release: "web", chart: "oci://charts.example.invalid/team/web:1.0.0", namespace: "unreachable-chart", values: {} }));
    expect(error.reason).toBe("chart-unavailable");
    expect(error.message).toBe('helm: INSTALLATION FAILED: failed to do request: Head "https://charts.example.invalid/v2/team/web/manifests/1.0.0": dial tcp: lookup charts.example.invalid: no such host');
    expect(await exists(() => core.readNamespace({ name: "unreachable-chart" }))).toBe(false);
  });

  it("fails the releases named in SMO_SIM_HELM_FAIL_RELEASES, creating nothing", async () => {
    const { client } = clientWith({ SMO_SIM_HELM_FAIL_RELEASES: "image-detection, other" });
    const error = await failureOf(client.install({ release: "image-detection", chart: "oci://127.0.0.1:5000/test/image-detection", namespace: NAMESPACE, values: {} }));
    expect(error.reason).toBe("failed");
    expect(error.message).toMatch(/^helm: INSTALLATION FAILED: template: image-detection\/templates\/deployment\.yaml:\d+:\d+: executing/);
    expect(error.stderr).toMatch(/^Error: INSTALLATION FAILED: template:/);
    expect(await releaseSecrets(NAMESPACE, "image-detection")).toEqual([]);
    expect(await exists(() => apps.readNamespacedDeployment({ name: "image-detection", namespace: NAMESPACE }))).toBe(false);
  });

  it("runs operations on different releases in parallel", async () => {
    const { client, log } = clientWith({ SMO_SIM_HELM_LATENCY_MS: "400" }, "parallel.log");
    const names = ["alpha", "beta", "gamma"];
    const outcomes = await Promise.all(names.map((release) => client.install({ release, chart: `oci://127.0.0.1:5000/demo/${release}`, namespace: "parallel", values: {} })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["deployed", "deployed", "deployed"]);
    const entries = await readLog(log);
    const interval = (release: string) => ({
      start: entries.find((entry) => entry.event === "start" && entry.argv[1] === release)!.at,
      end: entries.find((entry) => entry.event === "end" && entry.argv[1] === release)!.at,
    });
    // Every pair of runs overlapped in time: none waited for another.
    for (const a of names) for (const b of names) if (a !== b) expect(interval(a).start).toBeLessThan(interval(b).end);
    await Promise.all(names.map((release) => client.uninstall({ release, namespace: "parallel" })));
  });

  it("serialises concurrent operations on one release, in call order", async () => {
    const { client, log } = clientWith({ SMO_SIM_HELM_LATENCY_MS: "300" }, "serial.log");
    const values = buildPlacementValues({ implementer: "HELM", valuesOverwrite: {}, clustersAffinity: ["paris"], serviceImportClusters: [] });
    const moved = buildPlacementValues({ implementer: "HELM", valuesOverwrite: {}, clustersAffinity: ["warsaw"], serviceImportClusters: [] });
    // Issued together: unserialised, the upgrade would find no release (or a pending one) and fail.
    const [installed, upgraded] = await Promise.all([
      client.install({ release: "serial", chart: NOISE_REDUCTION, namespace: "serial", values }),
      client.upgrade({ release: "serial", chart: NOISE_REDUCTION, namespace: "serial", values: moved, reuseValues: true }),
    ]);
    expect(installed.revision).toBe(1);
    expect(upgraded.revision).toBe(2);
    const entries = await readLog(log);
    const installEnd = entries.find((entry) => entry.event === "end" && entry.argv[0] === "install")!;
    const upgradeStart = entries.find((entry) => entry.event === "start" && entry.argv[0] === "upgrade")!;
    expect(upgradeStart.at).toBeGreaterThanOrEqual(installEnd.at);
    expect((await policy("serial", "serial")).spec.placement.clusterAffinity?.clusterNames).toEqual(["warsaw"]);
    await client.uninstall({ release: "serial", namespace: "serial" });
  });
});

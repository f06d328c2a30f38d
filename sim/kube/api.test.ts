/**
 * The emulated API server through @kubernetes/client-node 1.3.0 over real HTTP(S), with error
 * bodies compared field by field against shared/fixtures/k8s-status-*.json.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from "@kubernetes/client-node";
import { startKubeEmulator, type KubeEmulator } from "./index";

const FIXTURES = new URL("../../../shared/fixtures/", import.meta.url);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as Record<string, unknown>;
}

/** Runs a call that must fail; returns the HTTP code and the parsed Status body. */
async function failureOf(call: () => Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> | undefined }> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === "string" && error.body !== "" ? (JSON.parse(error.body) as Record<string, unknown>) : undefined;
    return { code: error.code, body };
  }
  throw new Error("the call succeeded but was expected to fail");
}

/** Same keys at every level, same values except where names legitimately differ. */
function expectSameShape(actual: unknown, expected: unknown, path = "$"): void {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    expect(actual, path).toBeTypeOf("object");
    expect(Object.keys(actual as object).sort(), `keys of ${path}`).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectSameShape((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `length of ${path}`).toBe(expected.length);
    expected.forEach((item, index) => expectSameShape((actual as unknown[])[index], item, `${path}[${index}]`));
  } else {
    expect(typeof actual, path).toBe(typeof expected);
  }
}

function deploymentManifest(name: string, replicas = 2): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: "nginx:1.27", resources: { requests: { cpu: "250m", memory: "128Mi" } } }] },
      },
    },
  };
}

const PROMETHEUS_RULE = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "console-alerts", namespace: "monitoring" },
  spec: { groups: [{ name: "orchestrator.rules", rules: [{ record: "service:http_requests:rate5m", expr: "sum(rate(http_requests_total[5m]))" }] }] },
};

describe("Kubernetes API emulator through client-node", () => {
  let emulator: KubeEmulator;
  let config: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    emulator = await startKubeEmulator({ schedulerDelayMs: 50 });
    config = new KubeConfig();
    config.loadFromFile(emulator.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
    apps = config.makeApiClient(AppsV1Api);
    custom = config.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: "demo" } } });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("lists the Karmada clusters as a typed ClusterList", async () => {
    const list = (await custom.listClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" })) as {
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: Record<string, unknown>[];
    };
    expect(list.kind).toBe("ClusterList");
    expect(list.apiVersion).toBe("cluster.karmada.io/v1alpha1");
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((item) => (item.metadata as { name: string }).name)).toEqual(["frankfurt", "paris", "stockholm", "warsaw"]);
    for (const item of list.items) {
      expect(item.kind).toBeUndefined();
      expect(item.apiVersion).toBeUndefined();
    }
  });

  it("serves Cluster objects shaped like karmada-cluster.json", async () => {
    const cluster = (await custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "frankfurt" })) as Record<
      string,
      Record<string, unknown>
    >;
    const expected = fixture("karmada-cluster.json") as Record<string, Record<string, unknown>>;
    expect(Object.keys(cluster).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(cluster.status!).sort()).toEqual(Object.keys(expected.status!).sort());
    const status = cluster.status as { conditions: { type: string; status: string; reason: string; message: string }[]; resourceSummary: Record<string, Record<string, string>> };
    const ready = status.conditions.find((condition) => condition.type === "Ready")!;
    expect(ready).toMatchObject({ status: "True", reason: "ClusterReady", message: "cluster is healthy and ready to accept workloads" });
    expect(status.resourceSummary.allocatable).toMatchObject({ cpu: "64", memory: "256Gi", "nvidia.com/gpu": "4" });
    expect(cluster.metadata!.labels).toMatchObject({ "smo.eu/carbon-intensity": "380" });
    expect(cluster.spec).toMatchObject({ region: "eu-central", zone: "eu-central-1a", provider: "sandbox", syncMode: "Push" });
    const paris = (await custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "paris" })) as {
      status: { resourceSummary: { allocatable: Record<string, string> } };
    };
    expect(paris.status.resourceSummary.allocatable["nvidia.com/gpu"]).toBeUndefined();
  });

  it("filters clusters with label selectors and rejects a malformed one with 400", async () => {
    const list = (await custom.listClusterCustomObject({
      group: "cluster.karmada.io",
      version: "v1alpha1",
      plural: "clusters",
      labelSelector: "accelerator=nvidia",
    })) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((item) => item.metadata.name)).toEqual(["frankfurt"]);
    const notIn = (await custom.listClusterCustomObject({
      group: "cluster.karmada.io",
      version: "v1alpha1",
      plural: "clusters",
      labelSelector: "region notin (eu-central,eu-west),!accelerator",
    })) as { items: { metadata: { name: string } }[] };
    expect(notIn.items.map((item) => item.metadata.name)).toEqual(["stockholm", "warsaw"]);
    const failure = await failureOf(() =>
      custom.listClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", labelSelector: "region in (a" }),
    );
    expect(failure.code).toBe(400);
    expect(failure.body).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
  });

  it("creates a deployment (201, defaults filled, generation 1) and refuses a duplicate with 409 AlreadyExists", async () => {
    const created = await apps.createNamespacedDeployment({ namespace: "demo", body: deploymentManifest("web") });
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.spec?.strategy?.type).toBe("RollingUpdate");
    const failure = await failureOf(() => apps.createNamespacedDeployment({ namespace: "demo", body: deploymentManifest("web") }));
    expect(failure.code).toBe(409);
    expectSameShape(failure.body, fixture("k8s-status-alreadyexists.json"));
    expect(failure.body!.message).toBe('deployments.apps "web" already exists');
  });

  it("refuses a create into a missing namespace with 404 naming the namespace", async () => {
    const failure = await failureOf(() => apps.createNamespacedDeployment({ namespace: "nowhere", body: deploymentManifest("web") }));
    expect(failure.code).toBe(404);
    expect(failure.body).toMatchObject({ reason: "NotFound", message: 'namespaces "nowhere" not found', details: { name: "nowhere", kind: "namespaces" } });
  });

  it("reads and patches the scale subresource with json-patch (the default) and merge-patch", async () => {
    const before = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    const scale = await apps.readNamespacedDeploymentScale({ name: "web", namespace: "demo" });
    expectSameShape(JSON.parse(JSON.stringify(scale)), { ...fixture("deployment-scale.json"), metadata: { ...(fixture("deployment-scale.json").metadata as object), creationTimestamp: "" } });
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status?.selector).toBe("app=web");
    expect(scale.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);

    const jsonPatched = await apps.patchNamespacedDeploymentScale({ name: "web", namespace: "demo", body: fixture("deployment-scale-patch-json.json") as unknown as object });
    expect(jsonPatched.spec?.replicas).toBe(6);
    const merged = await apps.patchNamespacedDeploymentScale(
      { name: "web", namespace: "demo", body: { spec: { replicas: 3 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.spec?.replicas).toBe(3);
    const after = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    expect(after.spec?.replicas).toBe(3);
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 2);
    expect(after.metadata?.resourceVersion).not.toBe(before.metadata?.resourceVersion);
    expect(merged.metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);
  });

  it("rejects negative replicas on the scale subresource with the fixture's 422", async () => {
    const failure = await failureOf(() =>
      apps.patchNamespacedDeploymentScale({ name: "web", namespace: "demo", body: [{ op: "replace", path: "/spec/replicas", value: -1 }] }),
    );
    expect(failure.code).toBe(422);
    expect(failure.body).toEqual({ ...fixture("k8s-status-invalid-scale-replicas.json") });
  });

  it("answers a stale PUT with 409 Conflict and a PUT without resourceVersion on a built-in unconditionally", async () => {
    const current = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    const stale = structuredClone(current);
    await apps.patchNamespacedDeployment(
      { name: "web", namespace: "demo", body: { metadata: { labels: { tier: "frontend" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const failure = await failureOf(() => apps.replaceNamespacedDeployment({ name: "web", namespace: "demo", body: stale }));
    expect(failure.code).toBe(409);
    expectSameShape(failure.body, fixture("k8s-status-conflict.json"));
    expect(failure.body!.message).toBe(fixture("k8s-status-conflict.json").message);

    const unconditional = structuredClone(current);
    delete unconditional.metadata!.resourceVersion;
    unconditional.spec!.replicas = 4;
    const replaced = await apps.replaceNamespacedDeployment({ name: "web", namespace: "demo", body: unconditional });
    expect(replaced.spec?.replicas).toBe(4);
  });

  it("answers a Scale PUT with a stale resourceVersion with 409 naming deployments.apps", async () => {
    const scale = await apps.readNamespacedDeploymentScale({ name: "web", namespace: "demo" });
    await apps.replaceNamespacedDeploymentScale({ name: "web", namespace: "demo", body: { ...scale, spec: { replicas: 5 } } });
    const failure = await failureOf(() => apps.replaceNamespacedDeploymentScale({ name: "web", namespace: "demo", body: { ...scale, spec: { replicas: 1 } } }));
    expect(failure.code).toBe(409);
    expect(failure.body).toEqual(fixture("k8s-status-conflict.json"));
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: "demo" })).spec?.replicas).toBe(5);
  });

  it("validates a Deployment on create with a 422 listing every invalid field, and stores nothing", async () => {
    const manifest = deploymentManifest("broken");
    manifest.spec!.replicas = -2;
    manifest.spec!.template.metadata!.labels = { app: "other" };
    const failure = await failureOf(() => apps.createNamespacedDeployment({ namespace: "demo", body: manifest }));
    expect(failure.code).toBe(422);
    expect(failure.body).toMatchObject({
      reason: "Invalid",
      message:
        'Deployment.apps "broken" is invalid: [spec.replicas: Invalid value: -2: must be greater than or equal to 0, spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`]',
      details: { name: "broken", group: "apps", kind: "Deployment" },
    });
    expect((failure.body!.details as { causes: { field: string }[] }).causes.map((cause) => cause.field)).toEqual(["spec.replicas", "spec.template.metadata.labels"]);
    expect((await failureOf(() => apps.readNamespacedDeployment({ name: "broken", namespace: "demo" }))).code).toBe(404);
  });

  it("answers a PUT whose body names another object with 400", async () => {
    const current = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    const failure = await failureOf(() => apps.replaceNamespacedDeployment({ name: "web", namespace: "demo", body: { ...current, metadata: { ...current.metadata, name: "other" } } }));
    expect(failure.code).toBe(400);
    expect(failure.body).toMatchObject({ reason: "BadRequest", message: "the name of the object (other) does not match the name on the URL (web)" });
  });

  it("merges containers by name with a strategic merge patch", async () => {
    const patched = await apps.patchNamespacedDeployment(
      {
        name: "web",
        namespace: "demo",
        body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }, { name: "sidecar", image: "busybox:1.36" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    expect(containers.map((container) => [container.name, container.image])).toEqual([
      ["web", "nginx:1.28"],
      ["sidecar", "busybox:1.36"],
    ]);
    expect(containers[0]!.resources?.requests).toEqual({ cpu: "250m", memory: "128Mi" });
  });

  it("returns 422 when a json-patch op cannot apply", async () => {
    const failure = await failureOf(() =>
      apps.patchNamespacedDeployment({ name: "web", namespace: "demo", body: [{ op: "replace", path: "/spec/nothing/here", value: 1 }] }),
    );
    expect(failure.code).toBe(422);
    expect(failure.body).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    expect(String(failure.body!.message)).toContain("/spec/nothing/here");
  });

  it("creates a PrometheusRule, replaces it with its resourceVersion, and enforces CR update rules", async () => {
    const group = { group: "monitoring.coreos.com", version: "v1", namespace: "monitoring", plural: "prometheusrules" };
    const created = (await custom.createNamespacedCustomObject({ ...group, body: PROMETHEUS_RULE })) as typeof PROMETHEUS_RULE & {
      metadata: { resourceVersion: string; generation: number };
    };
    expect(created.metadata.generation).toBe(1);
    const list = (await custom.listNamespacedCustomObject(group)) as { kind: string; metadata: { continue: string }; items: { kind: string; apiVersion: string }[] };
    expect(list.kind).toBe("PrometheusRuleList");
    expect(list.metadata.continue).toBe("");
    expect(list.items.every((item) => item.kind === "PrometheusRule" && item.apiVersion === "monitoring.coreos.com/v1")).toBe(true);

    const withoutVersion = { ...PROMETHEUS_RULE, metadata: { name: "console-alerts", namespace: "monitoring" } };
    const missing = await failureOf(() => custom.replaceNamespacedCustomObject({ ...group, name: "console-alerts", body: withoutVersion }));
    expect(missing.code).toBe(422);
    expect(missing.body).toEqual(fixture("k8s-status-invalid-resourceversion-required.json"));

    const updated = structuredClone(created);
    updated.spec.groups.push({ name: "smo-alerts", rules: [{ record: "x:y", expr: "1" }] });
    const replaced = (await custom.replaceNamespacedCustomObject({ ...group, name: "console-alerts", body: updated })) as { metadata: { generation: number; resourceVersion: string } };
    expect(replaced.metadata.generation).toBe(2);
    const stale = await failureOf(() => custom.replaceNamespacedCustomObject({ ...group, name: "console-alerts", body: updated }));
    expect(stale.code).toBe(409);
    expect(stale.body).toEqual(fixture("k8s-status-conflict-customresource.json"));

    const strategic = await failureOf(() =>
      custom.patchNamespacedCustomObject({ ...group, name: "console-alerts", body: { metadata: { labels: { a: "b" } } } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch)),
    );
    expect(strategic.code).toBe(415);
    expect(strategic.body).toEqual(fixture("k8s-status-unsupported-media-type.json"));

    const duplicate = structuredClone(updated);
    duplicate.metadata.resourceVersion = replaced.metadata.resourceVersion;
    duplicate.spec.groups.push({ name: "smo-alerts", rules: [] });
    const invalid = await failureOf(() => custom.replaceNamespacedCustomObject({ ...group, name: "console-alerts", body: duplicate }));
    expect(invalid.code).toBe(422);
    expect(invalid.body!.message).toContain("spec.groups[2]: Duplicate value");
  });

  it("answers 404s shaped like the NotFound fixtures", async () => {
    const builtIn = await failureOf(() => apps.readNamespacedDeployment({ name: "absent", namespace: "demo" }));
    expect(builtIn.code).toBe(404);
    expectSameShape(builtIn.body, fixture("k8s-status-notfound.json"));
    expect(builtIn.body!.message).toBe('deployments.apps "absent" not found');

    const customResource = await failureOf(() =>
      custom.getNamespacedCustomObject({ group: "monitoring.coreos.com", version: "v1", namespace: "monitoring", plural: "prometheusrules", name: "absent" }),
    );
    expectSameShape(customResource.body, fixture("k8s-status-notfound-customresource.json"));
    expect(customResource.body!.message).toBe('prometheusrules.monitoring.coreos.com "absent" not found');

    const core404 = await failureOf(() => core.readNamespacedSecret({ name: "absent", namespace: "demo" }));
    expect(core404.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'secrets "absent" not found',
      reason: "NotFound",
      details: { name: "absent", kind: "secrets" },
      code: 404,
    });

    const unknownGroup = await failureOf(() => custom.listClusterCustomObject({ group: "nothing.example.com", version: "v1", plural: "things" }));
    expect(unknownGroup.code).toBe(404);
    expect(unknownGroup.body).toMatchObject({ reason: "NotFound", message: "the server could not find the requested resource" });
  });

  it("requires the apply patch's fieldManager, then creates and merges with it", async () => {
    const secretPath = `${emulator.url}/api/v1/namespaces/demo/configmaps/settings`;
    const headers = { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/apply-patch+yaml" };
    const body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: sandbox\n";
    const withoutManager = await fetch(`${secretPath}`, { method: "PATCH", headers, body });
    expect(withoutManager.status).toBe(422);
    expect(withoutManager.headers.get("content-type")).toBe("application/json");
    expect(((await withoutManager.json()) as { message: string }).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const created = await fetch(`${secretPath}?fieldManager=smo`, { method: "PATCH", headers, body });
    expect(created.status).toBe(201);
    const again = await fetch(`${secretPath}?fieldManager=smo`, { method: "PATCH", headers, body: "metadata:\n  name: settings\ndata:\n  level: debug\n" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { data: Record<string, string> }).data).toEqual({ mode: "sandbox", level: "debug" });
  });

  it("answers an unknown patch Content-Type with 415 listing the accepted types", async () => {
    const response = await fetch(`${emulator.url}/apis/apps/v1/namespaces/demo/deployments/web`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toBe(
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
    );
  });

  it("accepts ;charset= on patch content types and honours dryRun=All", async () => {
    const url = `${emulator.url}/apis/apps/v1/namespaces/demo/deployments/web`;
    const before = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    const response = await fetch(`${url}?dryRun=All`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/merge-patch+json; charset=utf-8" },
      body: JSON.stringify({ spec: { replicas: 9 } }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { spec: { replicas: number } }).spec.replicas).toBe(9);
    const after = await apps.readNamespacedDeployment({ name: "web", namespace: "demo" });
    expect(after.spec?.replicas).toBe(before.spec?.replicas);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it("answers 401 with the fixture body without a valid token", async () => {
    const anonymous = await fetch(`${emulator.url}/apis/apps/v1/namespaces/demo/deployments`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/json");
    expect(await anonymous.json()).toEqual(fixture("k8s-status-unauthorized.json"));

    const wrong = new KubeConfig();
    wrong.loadFromString(readFileSync(emulator.kubeconfigPath, "utf8").replace(emulator.token, "not-the-token"));
    const failure = await failureOf(() => wrong.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "demo" }));
    expect(failure.code).toBe(401);
  });

  it("serves typed deployment lists without kind/apiVersion on items and pages with limit/continue", async () => {
    await apps.createNamespacedDeployment({ namespace: "demo", body: deploymentManifest("api") });
    await apps.createNamespacedDeployment({ namespace: "demo", body: deploymentManifest("db") });
    const response = await fetch(`${emulator.url}/apis/apps/v1/namespaces/demo/deployments?limit=2`, { headers: { Authorization: `Bearer ${emulator.token}` } });
    const page = (await response.json()) as { kind: string; metadata: { continue?: string; remainingItemCount?: number }; items: Record<string, unknown>[] };
    expect(page.kind).toBe("DeploymentList");
    expect(page.items.map((item) => (item.metadata as { name: string }).name)).toEqual(["api", "db"]);
    expect(page.items.every((item) => item.kind === undefined && item.apiVersion === undefined)).toBe(true);
    expect(page.metadata.remainingItemCount).toBe(1);
    const next = await apps.listNamespacedDeployment({ namespace: "demo", limit: 2, _continue: page.metadata.continue });
    expect(next.items.map((item) => item.metadata?.name)).toEqual(["web"]);
    const byName = await apps.listNamespacedDeployment({ namespace: "demo", fieldSelector: "metadata.name=db" });
    expect(byName.items.map((item) => item.metadata?.name)).toEqual(["db"]);
  });

  it("works with the generic KubernetesObjectApi, which resolves resources through discovery", async () => {
    const objects = KubernetesObjectApi.makeApiClient(config);
    const serviceImport = {
      apiVersion: "multicluster.x-k8s.io/v1alpha1",
      kind: "ServiceImport",
      metadata: { name: "web", namespace: "demo" },
      spec: { type: "ClusterSetIP", ports: [{ port: 80, protocol: "TCP" }] },
    };
    const created = await objects.create(serviceImport);
    expect((created.metadata as { uid?: string }).uid).toMatch(/^[0-9a-f-]{36}$/);
    const read = await objects.read({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", metadata: { name: "web", namespace: "demo" } });
    expect((read as unknown as { spec: { type: string } }).spec.type).toBe("ClusterSetIP");
    // Its default patch type is strategic merge, which custom resources refuse.
    const strategic = await failureOf(() => objects.patch({ ...serviceImport, spec: { type: "Headless", ports: [] } }));
    expect(strategic.code).toBe(415);
    const merged = await objects.patch({ ...serviceImport, spec: { type: "Headless", ports: [] } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    expect((merged as unknown as { spec: { type: string } }).spec.type).toBe("Headless");
    const deployments = await objects.list("apps/v1", "Deployment", "demo");
    expect(deployments.items.map((item) => item.metadata?.name)).toContain("web");
    await objects.delete({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", metadata: { name: "web", namespace: "demo" } });
    const gone = await failureOf(() => objects.read({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", metadata: { name: "web", namespace: "demo" } }));
    expect(gone.code).toBe(404);
  });

  it("feeds a client-node informer (list, then watch from the list's resourceVersion)", async () => {
    const informer = makeInformer(config, "/api/v1/namespaces/demo/configmaps", () => core.listNamespacedConfigMap({ namespace: "demo" }));
    const seen: string[] = [];
    informer.on("add", (object) => seen.push(`add ${object.metadata?.name}`));
    informer.on("update", (object) => seen.push(`update ${object.metadata?.name}`));
    informer.on("delete", (object) => seen.push(`delete ${object.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: "demo", body: { metadata: { name: "watched" }, data: { a: "1" } } });
      await core.patchNamespacedConfigMap({ name: "watched", namespace: "demo", body: [{ op: "replace", path: "/data/a", value: "2" }] });
      await core.deleteNamespacedConfigMap({ name: "watched", namespace: "demo" });
      const deadline = Date.now() + 5000;
      while (!seen.includes("delete watched") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen.filter((entry) => entry.endsWith("watched"))).toEqual(["add watched", "update watched", "delete watched"]);
      expect(seen).toContain("add settings");
    } finally {
      await informer.stop();
    }
  });

  it("deletes a namespace with everything in it", async () => {
    await core.createNamespace({ body: { metadata: { name: "scratch" } } });
    await apps.createNamespacedDeployment({ namespace: "scratch", body: deploymentManifest("tmp") });
    await core.createNamespacedSecret({ namespace: "scratch", body: { metadata: { name: "s", labels: { owner: "helm" } }, stringData: { a: "b" } } });
    const secret = await core.readNamespacedSecret({ name: "s", namespace: "scratch" });
    expect(secret.data).toEqual({ a: Buffer.from("b").toString("base64") });
    await core.deleteNamespace({ name: "scratch" });
    const gone = await failureOf(() => apps.readNamespacedDeployment({ name: "tmp", namespace: "scratch" }));
    expect(gone.code).toBe(404);
    const secrets = await core.listSecretForAllNamespaces({ labelSelector: "owner=helm" });
    expect(secrets.items).toEqual([]);
  });
});

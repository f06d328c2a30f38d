/**
 * Emulator lifecycle: state file persistence, the controllers' delay, the kubeconfig, TLS on
 * the same port, discovery documents and watches.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import { DEFAULT_SANDBOX_CLUSTERS, startKubeEmulator, type KubeEmulator } from "./index";
import { createSelfSignedCertificate } from "./tls";

const started: KubeEmulator[] = [];

async function start(options: Parameters<typeof startKubeEmulator>[0] = {}): Promise<KubeEmulator> {
  const emulator = await startKubeEmulator(options);
  started.push(emulator);
  return emulator;
}

function clientsOf(emulator: KubeEmulator) {
  const config = new KubeConfig();
  config.loadFromFile(emulator.kubeconfigPath);
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), custom: config.makeApiClient(CustomObjectsApi) };
}

const DEPLOYMENT = {
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
};

const POLICY = {
  apiVersion: "policy.karmada.io/v1alpha1",
  kind: "PropagationPolicy",
  metadata: { name: "web-propagation" },
  spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }], placement: { clusterAffinity: { clusterNames: ["paris"] } } },
};

async function authorizedJson(emulator: KubeEmulator, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: unknown }> {
  const response = await fetch(`${emulator.url}${path}`, { headers: { Authorization: `Bearer ${emulator.token}`, ...headers } });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

describe("default sandbox clusters", () => {
  it("are at least four European members of different sizes, one or two with GPUs, with different carbon intensities", () => {
    expect(DEFAULT_SANDBOX_CLUSTERS.length).toBeGreaterThanOrEqual(4);
    expect(new Set(DEFAULT_SANDBOX_CLUSTERS.map((cluster) => cluster.cpu)).size).toBe(DEFAULT_SANDBOX_CLUSTERS.length);
    const withGpus = DEFAULT_SANDBOX_CLUSTERS.filter((cluster) => (cluster.gpus ?? 0) > 0).length;
    expect(withGpus === 1 || withGpus === 2).toBe(true);
    expect(new Set(DEFAULT_SANDBOX_CLUSTERS.map((cluster) => cluster.region)).size).toBe(DEFAULT_SANDBOX_CLUSTERS.length);
    expect(new Set(DEFAULT_SANDBOX_CLUSTERS.map((cluster) => cluster.carbonIntensity)).size).toBe(DEFAULT_SANDBOX_CLUSTERS.length);
  });

  it("refuses an invalid cluster spec naming the field", async () => {
    await expect(startKubeEmulator({ clusters: [{ name: "x", cpu: "lots", memory: "1Gi" }] })).rejects.toThrow(/cpu "lots"/);
    await expect(startKubeEmulator({ clusters: [{ name: "Bad_Name", cpu: "1", memory: "1Gi" }] })).rejects.toThrow(/DNS-1123/);
    await expect(startKubeEmulator({ host: "0.0.0.0" })).rejects.toThrow(/not a loopback address/);
  });
});

describe("kubeconfig and transport", () => {
  it("writes a mode-600 kubeconfig with the token, skip-TLS-verify and the karmada-apiserver context", async () => {
    const emulator = await start();
    expect(statSync(emulator.kubeconfigPath).mode & 0o777).toBe(0o600);
    const config = parseYaml(readFileSync(emulator.kubeconfigPath, "utf8")) as {
      clusters: { cluster: { server: string; "insecure-skip-tls-verify": boolean } }[];
      users: { user: { token: string } }[];
      "current-context": string;
    };
    expect(config["current-context"]).toBe("karmada-apiserver");
    expect(config.users[0]!.user.token).toBe(emulator.token);
    expect(config.clusters[0]!.cluster["insecure-skip-tls-verify"]).toBe(true);
    expect(config.clusters[0]!.cluster.server).toBe(emulator.url.replace("http://", "https://"));
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("writes an http:// kubeconfig when TLS is off, and client-node still works", async () => {
    const emulator = await start({ tls: false, token: "fixed-token" });
    expect(readFileSync(emulator.kubeconfigPath, "utf8")).toContain(`server: ${emulator.url}`);
    const namespaces = await clientsOf(emulator).core.listNamespace();
    expect(namespaces.items.map((namespace) => namespace.metadata?.name)).toContain("karmada-system");
  });

  it("speaks TLS with a parseable self-signed certificate on the same port as plain HTTP", async () => {
    const emulator = await start();
    const port = Number(new URL(emulator.url).port);
    const status = await new Promise<{ code: number; certificate: string }>((resolve, reject) => {
      const request = httpsRequest(
        { host: "127.0.0.1", port, path: "/version", rejectUnauthorized: false, headers: { Authorization: `Bearer ${emulator.token}` } },
        (response) => {
          const raw = (response.socket as TLSSocket).getPeerCertificate(true).raw;
          response.resume();
          resolve({ code: response.statusCode ?? 0, certificate: raw.toString("base64") });
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(status.code).toBe(200);
    const certificate = new X509Certificate(Buffer.from(status.certificate, "base64"));
    expect(certificate.subject).toBe("CN=karmada-apiserver");
    expect(certificate.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
  });

  it("builds certificates that verify against their own key", () => {
    const { cert, key } = createSelfSignedCertificate("test");
    const certificate = new X509Certificate(cert);
    expect(certificate.subject).toBe("CN=test");
    expect(certificate.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600_000);
  });
});

describe("controllers' delay", () => {
  it("shows a Deployment unscheduled right after its policy is created and scheduled after schedulerDelayMs", async () => {
    const emulator = await start({ schedulerDelayMs: 1500 });
    const { core, apps, custom } = clientsOf(emulator);
    await core.createNamespace({ body: { metadata: { name: "shop" } } });
    await apps.createNamespacedDeployment({ namespace: "shop", body: DEPLOYMENT });
    await custom.createNamespacedCustomObject({ group: "policy.karmada.io", version: "v1alpha1", namespace: "shop", plural: "propagationpolicies", body: POLICY });
    const immediately = await apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
    expect(immediately.status?.availableReplicas).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1800));
    const later = await apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
    expect(later.status?.availableReplicas).toBe(2);
  });
});

describe("state file", () => {
  it("keeps objects, cluster faults and resourceVersions across a restart", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "smo-kube-state-")), "kube.json");
    const first = await start({ stateFile, schedulerDelayMs: 20 });
    const { core, apps, custom } = clientsOf(first);
    await core.createNamespace({ body: { metadata: { name: "shop" } } });
    await apps.createNamespacedDeployment({ namespace: "shop", body: DEPLOYMENT });
    await custom.createNamespacedCustomObject({ group: "policy.karmada.io", version: "v1alpha1", namespace: "shop", plural: "propagationpolicies", body: POLICY });
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.setClusterReady("warsaw", false);
    const before = await apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
    expect(before.status?.availableReplicas).toBe(2);
    await first.close();
    started.splice(started.indexOf(first), 1);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await start({ stateFile, schedulerDelayMs: 20 });
    const again = clientsOf(second);
    const after = await again.apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.status?.availableReplicas).toBe(2);
    const policies = (await again.custom.listNamespacedCustomObject({
      group: "policy.karmada.io",
      version: "v1alpha1",
      namespace: "shop",
      plural: "propagationpolicies",
    })) as { items: { metadata: { name: string } }[] };
    expect(policies.items.map((item) => item.metadata.name)).toEqual(["web-propagation"]);
    expect(second.listClusters().find((cluster) => cluster.name === "warsaw")?.ready).toBe(false);
    expect(second.listWorkloads().find((workload) => workload.name === "web")?.placements).toEqual([{ cluster: "paris", replicas: 2 }]);
    const created = await again.core.createNamespace({ body: { metadata: { name: "later" } } });
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(Number(after.metadata?.resourceVersion));
  });

  it("refuses a corrupt state file with a message naming it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "smo-kube-state-"));
    const stateFile = join(directory, "kube.json");
    writeFileSync(stateFile, "{not json");
    await expect(startKubeEmulator({ stateFile })).rejects.toThrow(/kube\.json is not valid JSON/);
  });
});

describe("discovery", () => {
  it("serves /version, /api, /apis and resource lists with short names, verbs and subresources", async () => {
    const emulator = await start();
    const version = await authorizedJson(emulator, "/version");
    expect(version.body).toMatchObject({ major: "1", gitVersion: expect.stringMatching(/^v1\.\d+\.\d+$/) });
    const api = await authorizedJson(emulator, "/api", { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    expect(api.type).toBe("application/json");
    expect(api.body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = (await authorizedJson(emulator, "/apis")).body as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    expect(groups.kind).toBe("APIGroupList");
    expect(groups.groups.map((group) => group.name)).toEqual(
      expect.arrayContaining(["apps", "cluster.karmada.io", "policy.karmada.io", "monitoring.coreos.com", "multicluster.x-k8s.io", "work.karmada.io"]),
    );
    const appsList = (await authorizedJson(emulator, "/apis/apps/v1")).body as {
      kind: string;
      groupVersion: string;
      resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[]; verbs: string[]; group?: string }[];
    };
    expect(appsList).toMatchObject({ kind: "APIResourceList", groupVersion: "apps/v1" });
    expect(appsList.resources.find((resource) => resource.name === "deployments")).toMatchObject({
      kind: "Deployment",
      namespaced: true,
      shortNames: ["deploy"],
      verbs: expect.arrayContaining(["get", "list", "create", "update", "patch", "delete", "watch"]),
    });
    expect(appsList.resources.find((resource) => resource.name === "deployments/scale")).toMatchObject({ kind: "Scale", group: "autoscaling", version: "v1" });
    const core = (await authorizedJson(emulator, "/api/v1")).body as { resources: { name: string; shortNames?: string[] }[] };
    expect(core.resources.find((resource) => resource.name === "namespaces")?.shortNames).toEqual(["ns"]);
    const policy = (await authorizedJson(emulator, "/apis/policy.karmada.io/v1alpha1")).body as { resources: { name: string; shortNames?: string[]; namespaced: boolean }[] };
    expect(policy.resources.find((resource) => resource.name === "propagationpolicies")).toMatchObject({ shortNames: ["pp"], namespaced: true });
    expect(policy.resources.find((resource) => resource.name === "clusterpropagationpolicies")).toMatchObject({ namespaced: false });
    const unknown = await authorizedJson(emulator, "/apis/nothing.example.com/v1");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server could not find the requested resource",
      reason: "NotFound",
      details: {},
      code: 404,
    });
  });

  it("serves an OpenAPI v3 index whose group documents declare fieldValidation on patch", async () => {
    const emulator = await start();
    const index = (await authorizedJson(emulator, "/openapi/v3")).body as { paths: Record<string, { serverRelativeURL: string }> };
    const appsUrl = index.paths["apis/apps/v1"]!.serverRelativeURL;
    const document = (await authorizedJson(emulator, appsUrl)).body as { paths: Record<string, { patch?: { parameters: { name: string }[]; "x-kubernetes-group-version-kind": unknown } }> };
    const patch = document.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!.patch!;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect(patch.parameters.map((parameter) => parameter.name)).toContain("fieldValidation");
  });

  it("renders meta.k8s.io Tables when asked, with the Deployment columns", async () => {
    const emulator = await start({ schedulerDelayMs: 10 });
    const { core, apps } = clientsOf(emulator);
    await core.createNamespace({ body: { metadata: { name: "shop" } } });
    await apps.createNamespacedDeployment({ namespace: "shop", body: DEPLOYMENT });
    const table = (
      await authorizedJson(emulator, "/apis/apps/v1/namespaces/shop/deployments", {
        Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
      })
    ).body as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[] };
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((column) => column.name)).toEqual(["Name", "Ready", "Up-to-date", "Available", "Age"]);
    expect(table.rows[0]!.cells.slice(0, 2)).toEqual(["web", "0/2"]);
    expect(table.rows[0]!.object).toMatchObject({ kind: "PartialObjectMetadata", metadata: { name: "web" } });
  });
});

/** Reads newline-delimited watch events until `count` arrived or the stream ended. */
async function readEvents(response: Response, count: number): Promise<{ type: string; object: { kind: string; code?: number; metadata?: { name: string } } }[]> {
  const reader = response.body!.getReader();
  let text = "";
  while (text.split("\n").filter(Boolean).length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { name: string } } });
}

describe("watch", () => {
  it("replays events after a given resourceVersion and answers an expired one with a 410 ERROR event", async () => {
    const emulator = await start();
    const { core } = clientsOf(emulator);
    const first = await core.createNamespace({ body: { metadata: { name: "one" } } });
    await core.createNamespace({ body: { metadata: { name: "two" } } });
    const headers = { Authorization: `Bearer ${emulator.token}` };
    const replay = await fetch(`${emulator.url}/api/v1/namespaces?watch=1&resourceVersion=${first.metadata!.resourceVersion}&timeoutSeconds=1`, { headers });
    const events = await readEvents(replay, 1);
    expect(events.map((event) => [event.type, event.object.metadata?.name])).toEqual([["ADDED", "two"]]);
    // After a restart from a state file no past events are kept: every older resourceVersion has expired.
    const stateFile = join(mkdtempSync(join(tmpdir(), "smo-kube-state-")), "kube.json");
    await (await start({ stateFile })).close();
    const restarted = await start({ stateFile });
    const expired = await fetch(`${restarted.url}/api/v1/namespaces?watch=1&resourceVersion=1`, { headers: { Authorization: `Bearer ${restarted.token}` } });
    const [error] = await readEvents(expired, 1);
    expect(error).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
  });


  it("streams current objects as ADDED, then live changes, filtered by field selector", async () => {
    const emulator = await start();
    const { core } = clientsOf(emulator);
    const controller = new AbortController();
    const response = await fetch(`${emulator.url}/api/v1/namespaces?watch=true&fieldSelector=metadata.name%3Dlive`, {
      headers: { Authorization: `Bearer ${emulator.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await core.createNamespace({ body: { metadata: { name: "other" } } });
    await core.createNamespace({ body: { metadata: { name: "live" } } });
    await core.deleteNamespace({ name: "live" });
    let text = "";
    while (text.split("\n").filter(Boolean).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const events = text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { name: string } } });
    expect(events.map((event) => [event.type, event.object.metadata.name])).toEqual([
      ["ADDED", "live"],
      ["DELETED", "live"],
    ]);
    expect(events[0]!.object.kind).toBe("Namespace");
  });
});

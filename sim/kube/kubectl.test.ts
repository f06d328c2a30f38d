/**
 * The real kubectl against the emulator, through the kubeconfig it writes: an independent
 * client that checks discovery, Tables, apply (client-side), scale, wait (watch) and delete.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeEmulator, type KubeEmulator } from "./index";

const KUBECTL = "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`kubectl tests skipped: ${KUBECTL} is not installed`);

const run = promisify(execFile);

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: {requests: {cpu: 250m, memory: 128Mi}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web-propagation
  namespace: demo
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: web}
  placement:
    clusterAffinity: {clusterNames: [paris, stockholm]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - {targetCluster: {clusterNames: [paris]}, weight: 2}
          - {targetCluster: {clusterNames: [stockholm]}, weight: 1}
`;

describe.skipIf(!hasKubectl)("kubectl against the emulator", () => {
  let emulator: KubeEmulator;
  let workDirectory: string;

  /** Runs kubectl; resolves with its exit code and output (never throws on a non-zero exit). */
  async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(KUBECTL, ["--kubeconfig", emulator.kubeconfigPath, "--cache-dir", join(workDirectory, "cache"), ...args], {
        timeout: 30_000,
        env: { ...process.env, HOME: workDirectory, KUBECONFIG: "" },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failure.code === "number" ? failure.code : -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
    }
  }

  beforeAll(async () => {
    workDirectory = mkdtempSync(join(tmpdir(), "smo-kubectl-"));
    writeFileSync(join(workDirectory, "web.yaml"), MANIFESTS);
    emulator = await startKubeEmulator({ schedulerDelayMs: 100 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("lists the Karmada clusters with their printer columns", async () => {
    const result = await kubectl("get", "clusters.cluster.karmada.io");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+MODE\s+READY\s+AGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([
      ["frankfurt", "v1.31.2", "Push", "True"],
      ["paris", "v1.31.2", "Push", "True"],
      ["stockholm", "v1.31.2", "Push", "True"],
      ["warsaw", "v1.31.2", "Push", "True"],
    ]);
  });

  it("finds the resources by short name in api-resources", async () => {
    const result = await kubectl("api-resources", "--no-headers");
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split("\n").map((line) => line.split(/\s+/));
    expect(rows).toContainEqual(["deployments", "deploy", "apps/v1", "true", "Deployment"]);
    expect(rows).toContainEqual(["propagationpolicies", "pp", "policy.karmada.io/v1alpha1", "true", "PropagationPolicy"]);
    expect(rows).toContainEqual(["prometheusrules", "promrule", "monitoring.coreos.com/v1", "true", "PrometheusRule"]);
  });

  it("creates a namespace", async () => {
    const result = await kubectl("create", "namespace", "demo");
    expect(result).toMatchObject({ code: 0, stdout: "namespace/demo created\n" });
  });

  it("applies a Deployment and its PropagationPolicy without flags, then reports unchanged and configured", async () => {
    const file = join(workDirectory, "web.yaml");
    const created = await kubectl("apply", "-f", file);
    expect(created.stderr).toBe("");
    expect(created.stdout).toBe("deployment.apps/web created\npropagationpolicy.policy.karmada.io/web-propagation created\n");
    const again = await kubectl("apply", "-f", file);
    expect(again.stdout).toBe("deployment.apps/web unchanged\npropagationpolicy.policy.karmada.io/web-propagation unchanged\n");
    writeFileSync(file, MANIFESTS.replace("image: nginx:1.27", "image: nginx:1.28").replace("weight: 1}", "weight: 2}"));
    const changed = await kubectl("apply", "-f", file);
    expect(changed.stdout).toBe("deployment.apps/web configured\npropagationpolicy.policy.karmada.io/web-propagation configured\n");
    const image = await kubectl("get", "deployment", "web", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}");
    expect(image.stdout).toBe("nginx:1.28");
  });

  it("waits for the Deployment to become Available (watch) once the emulated scheduler placed it", async () => {
    const result = await kubectl("wait", "--for=condition=Available", "deployment/web", "-n", "demo", "--timeout=20s");
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, stdout: "deployment.apps/web condition met\n" });
    const table = await kubectl("get", "deployment", "web", "-n", "demo", "--no-headers");
    expect(table.stdout.split(/\s+/).slice(0, 4)).toEqual(["web", "2/2", "2", "2"]);
  });

  it("scales through the scale subresource and shows the new replicas in -o json", async () => {
    const scaled = await kubectl("scale", "deployment", "web", "--replicas=3", "-n", "demo");
    expect(scaled).toMatchObject({ code: 0, stdout: "deployment.apps/web scaled\n" });
    const json = await kubectl("get", "deployment", "web", "-n", "demo", "-o", "json");
    expect(json.code).toBe(0);
    const deployment = JSON.parse(json.stdout) as { kind: string; spec: { replicas: number }; metadata: { annotations: Record<string, string> } };
    expect(deployment.kind).toBe("Deployment");
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.metadata.annotations["propagationpolicy.karmada.io/name"]).toBe("web-propagation");
    const available = await kubectl("wait", "--for=jsonpath={.status.availableReplicas}=3", "deployment/web", "-n", "demo", "--timeout=20s");
    expect(available.code).toBe(0);
    // Equal static weights (2:2 after the re-apply): the odd replica goes to the first cluster by name.
    const placed = await kubectl("get", "resourcebindings.work.karmada.io", "web-deployment", "-n", "demo", "-o", "jsonpath={.spec.clusters}");
    expect(JSON.parse(placed.stdout)).toEqual([
      { name: "paris", replicas: 2 },
      { name: "stockholm", replicas: 1 },
    ]);
  });

  it("patches a custom resource with a merge patch and refuses a strategic one like a real CRD", async () => {
    const merged = await kubectl("patch", "pp", "web-propagation", "-n", "demo", "--type", "merge", "-p", '{"spec":{"priority":5}}');
    expect(merged).toMatchObject({ code: 0, stdout: "propagationpolicy.policy.karmada.io/web-propagation patched\n" });
    const strategic = await kubectl("patch", "pp", "web-propagation", "-n", "demo", "--type", "strategic", "-p", '{"spec":{"priority":6}}');
    expect(strategic.code).toBe(1);
    expect(strategic.stderr).toBe(
      "error: application/strategic-merge-patch+json is not supported by policy.karmada.io/v1alpha1, Kind=PropagationPolicy: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml\n",
    );
  });

  it("lists PrometheusRules in all namespaces", async () => {
    const result = await kubectl("get", "prometheusrules", "-A");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+AGE$/);
    expect(lines[1]!.split(/\s+/).slice(0, 2)).toEqual(["monitoring", "kube-prometheus-stack-0"]);
  });

  it("reports a missing object like a real API server", async () => {
    const result = await kubectl("get", "deployment", "absent", "-n", "demo");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error from server (NotFound): deployments.apps "absent" not found\n');
  });

  it("deletes the namespace with its content", async () => {
    const deleted = await kubectl("delete", "namespace", "demo");
    expect(deleted).toMatchObject({ code: 0, stdout: 'namespace "demo" deleted\n' });
    const gone = await kubectl("get", "namespace", "demo");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): namespaces "demo" not found\n');
    expect(emulator.listWorkloads()).toEqual([]);
  });
});

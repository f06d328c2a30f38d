/**
 * The sandbox helm executable on its own: helm 3's outputs, `Error:` texts and exit codes
 * (fixtures/helm-errors.txt), against the Kubernetes emulator.
 */

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeEmulator, writeKubeconfig, type KubeEmulator } from "../kube/index";
import { encodeReleaseSecret } from "./release";

const HELM_BIN = fileURLToPath(new URL("./helm", import.meta.url));
const CHART = "oci://127.0.0.1:5000/test/web";

let emulator: KubeEmulator;
let folder: string;
let core: CoreV1Api;
let apps: AppsV1Api;

type Run = { code: number; stdout: string; stderr: string };

/** Runs the sandbox helm like a user would, from an unrelated working directory. */
function helm(args: string[], options: { kubeconfig?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(HELM_BIN, [...args, "--kubeconfig", options.kubeconfig ?? emulator.kubeconfigPath], { cwd: folder, env: { ...process.env, ...options.env }, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  emulator = await startKubeEmulator({ schedulerDelayMs: 20 });
  folder = await mkdtemp(join(tmpdir(), "smo-helm-cli-"));
  const config = new KubeConfig();
  config.loadFromFile(emulator.kubeconfigPath);
  core = config.makeApiClient(CoreV1Api);
  apps = config.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await emulator?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const STATUS_BLOCK = /^NAME: web\nLAST DEPLOYED: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nNAMESPACE: (\S+)\nSTATUS: deployed\nREVISION: (\d+)\nTEST SUITE: None\n$/;

describe("sandbox helm CLI", () => {
  it("refuses to install into a missing namespace without --create-namespace, creating nothing", async () => {
    const result = await helm(["install", "web", CHART, "--namespace", "team-a"]);
    expect(result).toEqual({ code: 1, stdout: "", stderr: 'Error: INSTALLATION FAILED: create: failed to create: namespaces "team-a" not found\n' });
    await expect(core.readNamespace({ name: "team-a" })).rejects.toMatchObject({ code: 404 });
  });

  it("installs with --create-namespace, prints helm's status block, and stores the release as helm does", async () => {
    const values = join(folder, "values.yaml");
    await writeFile(values, "replicas: 2\nclustersAffinity: [paris]\n");
    const result = await helm(["install", "web", CHART, "-f", values, "--set", "service.port=9090", "-n", "team-a", "--create-namespace", "--plain-http", "--wait", "--timeout", "5m0s"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(STATUS_BLOCK);
    expect(STATUS_BLOCK.exec(result.stdout)?.slice(1)).toEqual(["team-a", "1"]);
    expect((await core.readNamespace({ name: "team-a" })).metadata?.labels).toMatchObject({ name: "team-a" });

    // Decoded by hand (base64, base64, gunzip), independently of the sandbox's own decoder.
    const secret = await core.readNamespacedSecret({ name: "sh.helm.release.v1.web.v1", namespace: "team-a" });
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(secret.metadata?.labels).toMatchObject({ owner: "helm", name: "web", status: "deployed", version: "1" });
    const release = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data!.release, "base64").toString("utf8"), "base64")).toString("utf8"));
    expect(release).toMatchObject({ name: "web", namespace: "team-a", version: 1, info: { status: "deployed", description: "Install complete" }, config: { replicas: 2, clustersAffinity: ["paris"], service: { port: 9090 } } });
    expect(release.manifest).toContain("# Source: web/templates/deployment.yaml");

    const deployment = await apps.readNamespacedDeployment({ name: "web", namespace: "team-a" });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.spec?.containers[0].ports?.[0].containerPort).toBe(9090);
  });

  it("answers status, list and get values like helm", async () => {
    const status = await helm(["status", "web", "-n", "team-a"]);
    expect(status.stdout).toMatch(STATUS_BLOCK);
    const json = JSON.parse((await helm(["status", "web", "-n", "team-a", "-o", "json"])).stdout);
    expect(json).toMatchObject({ name: "web", namespace: "team-a", version: 1, info: { status: "deployed" } });
    expect(json).not.toHaveProperty("chart");

    const list = await helm(["list", "-n", "team-a"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^NAME\s*\tNAMESPACE\s*\tREVISION\s*\tUPDATED\s*\tSTATUS\s*\tCHART\s*\tAPP VERSION\s*$/);
    expect(list.stdout).toMatch(/^web\s*\tteam-a\s*\t1\s*\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\tdeployed\s*\tweb-0\.1\.0\s*\t0\.1\.0\s*$/m);
    const listed = JSON.parse((await helm(["list", "-A", "-o", "json"])).stdout);
    expect(listed).toEqual([expect.objectContaining({ name: "web", namespace: "team-a", revision: "1", status: "deployed", chart: "web-0.1.0", app_version: "0.1.0" })]);
    expect((await helm(["list", "-n", "default", "-o", "json"])).stdout).toBe("[]\n");

    expect((await helm(["get", "values", "web", "-n", "team-a"])).stdout).toBe("USER-SUPPLIED VALUES:\nclustersAffinity:\n- paris\nreplicas: 2\nservice:\n  port: 9090\n");
    expect(JSON.parse((await helm(["get", "values", "web", "-n", "team-a", "-o", "json"])).stdout)).toEqual({ clustersAffinity: ["paris"], replicas: 2, service: { port: 9090 } });
  });

  it("upgrades (accepting --create-namespace without --install, like helm) and upgrade --install installs what is missing", async () => {
    const upgrade = await helm(["upgrade", "web", CHART, "--reuse-values", "--set", "replicas=3", "-n", "team-a", "--create-namespace"]);
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout.startsWith('Release "web" has been upgraded. Happy Helming!\n')).toBe(true);
    expect(STATUS_BLOCK.exec(upgrade.stdout.split("\n").slice(1).join("\n"))?.slice(1)).toEqual(["team-a", "2"]);
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: "team-a" })).spec?.replicas).toBe(3);

    const missing = await helm(["upgrade", "web", CHART, "-n", "team-b"]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: 'Error: UPGRADE FAILED: "web" has no deployed releases\n' });
    const upsert = await helm(["upgrade", "--install", "web", CHART, "--namespace", "team-b", "--create-namespace"]);
    expect(upsert.code).toBe(0);
    expect(upsert.stdout.startsWith('Release "web" does not exist. Installing it now.\nNAME: web\n')).toBe(true);
  });

  it("reports another operation in progress when the latest release is pending", async () => {
    const now = new Date().toISOString();
    const pending = encodeReleaseSecret({
      name: "busy",
      namespace: "team-a",
      version: 1,
      info: { first_deployed: now, last_deployed: now, deleted: "", description: "Initial install underway", status: "pending-install" },
      chart: { metadata: { apiVersion: "v2", name: "busy", version: "0.1.0", appVersion: "0.1.0", type: "application" } },
      config: {},
      manifest: "",
    });
    await core.createNamespacedSecret({ namespace: "team-a", body: pending });
    expect(await helm(["upgrade", "busy", "oci://127.0.0.1:5000/test/busy", "-n", "team-a"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n",
    });
  });

  it("refuses to take over objects another owner created", async () => {
    await core.createNamespacedService({ namespace: "team-a", body: { metadata: { name: "squatter" }, spec: { ports: [{ port: 80 }] } } });
    const result = await helm(["install", "squatter", "oci://127.0.0.1:5000/test/squatter", "-n", "team-a"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: INSTALLATION FAILED: rendered manifests contain a resource that already exists. Unable to continue with install: Service "squatter" in namespace "team-a" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "squatter"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "team-a"\n',
    );
    await expect(core.readNamespacedSecret({ name: "sh.helm.release.v1.squatter.v1", namespace: "team-a" })).rejects.toMatchObject({ code: 404 });
  });

  it("uninstalls, then says the release is not found", async () => {
    expect(await helm(["uninstall", "web", "-n", "team-a"])).toEqual({ code: 0, stdout: 'release "web" uninstalled\n', stderr: "" });
    await expect(apps.readNamespacedDeployment({ name: "web", namespace: "team-a" })).rejects.toMatchObject({ code: 404 });
    expect(await helm(["uninstall", "web", "-n", "team-a"])).toEqual({ code: 1, stdout: "", stderr: "Error: uninstall: Release not loaded: web: release: not found\n" });
    expect(await helm(["uninstall", "web", "-n", "team-a", "--ignore-not-found"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await helm(["status", "web", "-n", "team-a"])).toEqual({ code: 1, stdout: "", stderr: "Error: release: not found\n" });
  });

  it("words usage errors like helm", async () => {
    expect(await helm(["install", "web", CHART, "--reuse-values"])).toEqual({ code: 1, stdout: "", stderr: "Error: unknown flag: --reuse-values\n" });
    expect(await helm(["install", "web", CHART, "--bogus"])).toEqual({ code: 1, stdout: "", stderr: "Error: unknown flag: --bogus\n" });
    expect(await helm(["uninstall"])).toEqual({ code: 1, stdout: "", stderr: 'Error: "helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]\n' });
    expect(await helm(["status"])).toEqual({ code: 1, stdout: "", stderr: 'Error: "helm status" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]\n' });
    expect(await helm(["install", "Web_App", CHART])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: INSTALLATION FAILED: release name "Web_App": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53\n',
    });
    expect(await helm(["install", "web", "./nope"])).toEqual({ code: 1, stdout: "", stderr: 'Error: INSTALLATION FAILED: path "./nope" not found\n' });
    expect(await helm(["install", "web", CHART, "--values", "missing.yaml"])).toEqual({ code: 1, stdout: "", stderr: "Error: INSTALLATION FAILED: open missing.yaml: no such file or directory\n" });
    expect(await helm(["upgrade", "web", CHART, "--values", "missing.yaml"])).toEqual({ code: 1, stdout: "", stderr: "Error: open missing.yaml: no such file or directory\n" });
    expect((await helm(["version", "--short"])).stdout).toMatch(/^v3\.\d+\.\d+\+g[0-9a-f]{7}\n$/);
  });

  it("cancels on SIGTERM mid-install like helm: the release is recorded as failed, and an upgrade recovers it", async () => {
    const child = execFile(HELM_BIN, ["install", "slow", "oci://127.0.0.1:5000/test/slow", "-n", "team-c", "--create-namespace", "--kubeconfig", emulator.kubeconfigPath], {
      cwd: folder,
      env: { ...process.env, SMO_SIM_HELM_STEP_LATENCY_MS: "1500" },
      encoding: "utf8",
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const readStatus = () =>
      core.readNamespacedSecret({ name: "sh.helm.release.v1.slow.v1", namespace: "team-c" }).then(
        (secret) => secret.metadata?.labels?.status,
        () => undefined,
      );
    // The record exists (pending) before any object: cancel while objects are being applied.
    await expect.poll(readStatus, { timeout: 20_000, interval: 100 }).toBe("pending-install");
    child.kill("SIGTERM");
    expect(await exited).toBe(1);
    expect(stdout).toBe("Release slow has been cancelled.\n");
    expect(stderr).toBe("Error: INSTALLATION FAILED: context canceled\n");
    expect(await readStatus()).toBe("failed");
    expect((await helm(["status", "slow", "-n", "team-c", "--show-desc"])).stdout).toContain('DESCRIPTION: Release "slow" failed: context canceled\n');
    // As with helm: a failed release blocks install but can be upgraded.
    expect((await helm(["install", "slow", "oci://127.0.0.1:5000/test/slow", "-n", "team-c"])).stderr).toBe("Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n");
    const upgraded = await helm(["upgrade", "slow", "oci://127.0.0.1:5000/test/slow", "-n", "team-c"]);
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toContain("REVISION: 2");
    expect((await apps.readNamespacedDeployment({ name: "slow", namespace: "team-c" })).metadata?.name).toBe("slow");
  });

  it("says the cluster is unreachable when the API server is down", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const kubeconfig = join(folder, "down.kubeconfig");
    writeKubeconfig(kubeconfig, { url: `http://127.0.0.1:${port}`, token: "t" });
    expect(await helm(["install", "web", CHART], { kubeconfig })).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error: INSTALLATION FAILED: Kubernetes cluster unreachable: Get "http://127.0.0.1:${port}/version": dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
    });
    expect((await helm(["uninstall", "web"], { kubeconfig })).stderr).toMatch(/^Error: Kubernetes cluster unreachable: /);
  });
});

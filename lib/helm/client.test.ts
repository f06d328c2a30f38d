/**
 * The helm client's process handling, against small stand-in executables (real child processes):
 * argv passed without a shell, the private values file, timeouts, output capture and errors.
 * The full round trip through the sandbox helm and the Kubernetes emulator is in sim/helm.
 */

import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "../errors";
import { createHelmClient } from "./client";
import { HelmCommandError } from "./errors";

let folder: string;
let valuesParent: string;

/** Writes an executable script and returns its path. */
async function script(name: string, body: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, `#!/usr/bin/env bash\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "smo-helm-client-test-"));
  valuesParent = join(folder, "values-parent");
  await import("node:fs/promises").then((fs) => fs.mkdir(valuesParent));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("createHelmClient", () => {
  it("passes the argv untouched (no shell) and a private YAML values file that is gone afterwards", async () => {
    const record = join(folder, "record.json");
    // Records argv, and the values file's mode and content while helm runs.
    const recorder = await script(
      "recorder",
      `node -e 'const fs=require("fs");const a=process.argv.slice(1);const f=a[a.indexOf("--values")+1];fs.writeFileSync(process.env.RECORD,JSON.stringify({argv:a,mode:fs.statSync(f).mode&0o777,dirMode:fs.statSync(require("path").dirname(f)).mode&0o777,content:fs.readFileSync(f,"utf8")}))' -- "$@"
printf 'NAME: web\\nLAST DEPLOYED: Tue Mar  4 10:30:00 2025\\nNAMESPACE: demo\\nSTATUS: deployed\\nREVISION: 1\\nTEST SUITE: None\\n'`,
    );
    const client = createHelmClient({ helmBin: recorder, kubeconfigPath: "/etc/smo/karmada kubeconfig", plainHttp: true, env: { RECORD: record }, tempDir: valuesParent });
    const values = { clustersAffinity: ["paris"], note: "$(id) `id` ; rm -rf /", answer: "yes" };
    const outcome = await client.install({ release: "web", chart: "oci://127.0.0.1:5000/test/web", namespace: "demo", values });

    const recorded = JSON.parse(await readFile(record, "utf8")) as { argv: string[]; mode: number; dirMode: number; content: string };
    const valuesFile = recorded.argv[4];
    expect(recorded.argv).toEqual([
      "install",
      "web",
      "oci://127.0.0.1:5000/test/web",
      "--values",
      valuesFile,
      "--namespace",
      "demo",
      "--create-namespace",
      "--kubeconfig",
      "/etc/smo/karmada kubeconfig",
      "--plain-http",
    ]);
    expect(valuesFile.startsWith(join(valuesParent, "smo-helm-"))).toBe(true);
    expect(recorded.mode).toBe(0o600);
    expect(recorded.dirMode).toBe(0o700);
    expect(parse(recorded.content, { version: "1.1" })).toEqual(values);
    expect(await readdir(valuesParent)).toEqual([]);
    expect(outcome).toMatchObject({ release: "web", namespace: "demo", revision: 1, status: "deployed" });
    expect(outcome.stdout).toContain("STATUS: deployed");
  });

  it("turns a failure into an UpstreamError with helm's message, a reason, and the full stderr; the values file is still removed", async () => {
    const failing = await script(
      "failing",
      `echo 'WARNING: Kubernetes configuration file is group-readable.' >&2
echo 'Error: INSTALLATION FAILED: cannot re-use a name that is still in use' >&2
exit 1`,
    );
    const client = createHelmClient({ helmBin: failing, kubeconfigPath: "/k", tempDir: valuesParent });
    const error = await client.install({ release: "web", chart: "oci://127.0.0.1:5000/test/web", namespace: "demo", values: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HelmCommandError);
    const helmError = error as HelmCommandError;
    expect(helmError.system).toBe("helm");
    expect(helmError.message).toBe("helm: INSTALLATION FAILED: cannot re-use a name that is still in use");
    expect(helmError.details).toMatchObject({ status: 1, reason: "name-in-use" });
    expect(helmError.stderr).toContain("WARNING: Kubernetes configuration file is group-readable.");
    expect(helmError.argv[0]).toBe("install");
    expect(await readdir(valuesParent)).toEqual([]);
  });

  it("kills helm when it runs past the timeout and says so; SIGKILL follows when SIGTERM is ignored", async () => {
    const pidFile = join(folder, "pid");
    const slow = await script("slow", `echo $$ > ${pidFile}\nexec sleep 30`);
    const stubborn = await script("stubborn", `echo $$ > ${pidFile}\ntrap '' TERM\nfor i in $(seq 300); do sleep 0.1; done`);
    for (const helmBin of [slow, stubborn]) {
      const client = createHelmClient({ helmBin, kubeconfigPath: "/k", timeoutMs: 300, killGraceMs: 300, tempDir: valuesParent });
      const error = (await client.upgrade({ release: "web", chart: "oci://127.0.0.1:5000/test/web", namespace: "demo", values: {}, reuseValues: true }).catch((caught: unknown) => caught)) as HelmCommandError;
      expect(error).toBeInstanceOf(HelmCommandError);
      expect(error.reason).toBe("timeout");
      expect(error.message).toBe("helm: helm upgrade web timed out after 300 ms and was killed");
      // The process is gone (signal 0 probes for existence), not merely abandoned.
      const pid = Number(await readFile(pidFile, "utf8"));
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
      expect(await readdir(valuesParent)).toEqual([]);
    }
  });

  it("reports a helm executable that cannot be started", async () => {
    const client = createHelmClient({ helmBin: join(folder, "no-such-helm"), kubeconfigPath: "/k" });
    const error = (await client.uninstall({ release: "web", namespace: "demo" }).catch((caught: unknown) => caught)) as HelmCommandError;
    expect(error).toBeInstanceOf(HelmCommandError);
    expect(error.reason).toBe("spawn-failed");
    expect(error.message).toContain("ENOENT");
  });

  it("validates names and chart before starting any process", async () => {
    const marker = join(folder, "started");
    const touch = await script("touch", `touch ${marker}`);
    const client = createHelmClient({ helmBin: touch, kubeconfigPath: "/k", tempDir: valuesParent });
    await expect(client.install({ release: "-n", chart: "oci://127.0.0.1:5000/x/y", namespace: "demo", values: {} })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.upgrade({ release: "web", chart: "$(id)", namespace: "demo", values: {}, reuseValues: false })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.uninstall({ release: "web", namespace: "kube system" })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.status({ release: "--all", namespace: "demo" })).rejects.toBeInstanceOf(ValidationError);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
    expect(await readdir(valuesParent)).toEqual([]);
  });

  it("reads status and list JSON, and maps 'release: not found' to undefined", async () => {
    const fake = await script(
      "json",
      `case "$1" in
  status) if [ "$2" = gone ]; then echo 'Error: release: not found' >&2; exit 1; fi
          echo '{"name":"web","namespace":"demo","version":3,"info":{"status":"deployed","first_deployed":"2025-03-04T10:30:00Z","last_deployed":"2025-03-04T10:35:00Z","description":"Upgrade complete"}}';;
  list) echo '[{"name":"web","namespace":"demo","revision":"3","updated":"2025-03-04 10:35:00 +0000 UTC","status":"deployed","chart":"web-0.1.0","app_version":"0.1.0"}]';;
esac`,
    );
    const client = createHelmClient({ helmBin: fake, kubeconfigPath: "/k" });
    expect(await client.status({ release: "web", namespace: "demo" })).toEqual({
      release: "web",
      namespace: "demo",
      revision: 3,
      status: "deployed",
      firstDeployed: "2025-03-04T10:30:00Z",
      lastDeployed: "2025-03-04T10:35:00Z",
      description: "Upgrade complete",
    });
    expect(await client.status({ release: "gone", namespace: "demo" })).toBeUndefined();
    expect(await client.list({ namespace: "demo" })).toEqual([
      { release: "web", namespace: "demo", revision: 3, updated: "2025-03-04 10:35:00 +0000 UTC", status: "deployed", chart: "web-0.1.0", appVersion: "0.1.0" },
    ]);
  });
});

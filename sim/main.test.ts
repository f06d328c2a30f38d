import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createGrafanaClient } from "../lib/grafana";
import { createKarmadaClient } from "../lib/karmada";
import { createPrometheusClient } from "../lib/prometheus";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("npm run sim", () => {
  it("prints the endpoints as its first line, serves them, and stops cleanly on SIGINT", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "sim/main.ts", "--ephemeral"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.once("line", resolve);
        child.once("exit", (code) => reject(new Error(`sim exited with ${code} before printing its endpoints`)));
      });
      const endpoints = JSON.parse(firstLine) as Record<string, string>;
      expect(Object.keys(endpoints).sort()).toEqual(["grafanaUrl", "helmBin", "kubeconfig", "prometheusUrl"]);
      expect(existsSync(endpoints.kubeconfig!)).toBe(true);
      expect(existsSync(endpoints.helmBin!)).toBe(true);

      const clusters = await createKarmadaClient({ kubeconfigPath: endpoints.kubeconfig }).listClusters();
      expect(clusters.length).toBeGreaterThanOrEqual(4);
      expect(clusters.some((cluster) => cluster.gpus.allocatable > 0)).toBe(true);
      expect((await createPrometheusClient({ url: endpoints.prometheusUrl! }).ping()).version).toMatch(/sandbox/);
      expect((await createGrafanaClient({ url: endpoints.grafanaUrl!, auth: { kind: "basic", user: "admin", password: "admin" } }).ping()).version).toBeTruthy();

      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});

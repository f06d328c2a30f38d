/**
 * Runs Debian's docker-registry (CNCF distribution 2.8) on a free loopback port with filesystem
 * storage in a temporary folder: a real OCI registry for tests and the sandbox.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DOCKER_REGISTRY_BIN = "/usr/bin/docker-registry";

export type LocalRegistry = { url: string; host: string; port: number; close(): Promise<void> };

export function isDockerRegistryInstalled(bin = DOCKER_REGISTRY_BIN): boolean {
  return existsSync(bin);
}

export async function startDockerRegistry(options: { bin?: string; port?: number; startTimeoutMs?: number } = {}): Promise<LocalRegistry> {
  const bin = options.bin ?? DOCKER_REGISTRY_BIN;
  const folder = await mkdtemp(join(tmpdir(), "smo-registry-"));
  // A port picked free can be taken before the registry binds it; try a few.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    const configPath = join(folder, "config.yml");
    await writeFile(
      configPath,
      [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(folder, "data")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: 127.0.0.1:${port}`,
        "",
      ].join("\n"),
    );
    const child = spawn(bin, ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(url, child, options.startTimeoutMs ?? 15_000, () => stderr);
      return {
        url,
        host: `127.0.0.1:${port}`,
        port,
        close: async () => {
          await stopProcess(child);
          await rm(folder, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await stopProcess(child);
      if (attempt >= 3 || options.port !== undefined) {
        await rm(folder, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`docker-registry exited before serving ${url}: ${stderr().trim()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not serve ${url} within ${timeoutMs} ms: ${stderr().trim()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * The `smo` CLI end to end against the running console (the production build in sandbox mode that
 * playwright.config.ts starts): each command is a real process (`tsx cli/main.ts`) with its own
 * config folder, talking tRPC over HTTP with the token `smo login` stored. The graph and project
 * are this file's own, so it does not depend on other specs.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN_PASSWORD } from "./console";
import { assertLoopback } from "./guard";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const PROJECT = "cli-e2e";
const GRAPH = "cli-e2e-gpu-offloading";

type Run = { code: number | null; stdout: string; stderr: string };

let workDir: string;
// Playwright sets FORCE_COLOR for its own output; the CLI's stderr is compared as plain text.
const { FORCE_COLOR: _forceColor, ...childEnv } = process.env;

/** Runs `smo …` as its own process, with `stdin` piped to it, and waits for it to end. */
function smo(args: string[], options: { stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, "cli/main.ts"), ...args], {
      cwd: ROOT,
      env: { ...childEnv, SMO_CONFIG_DIR: path.join(workDir, "config") },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** Expects exit 0 and nothing on stderr; returns stdout. */
async function ok(args: string[], options: { stdin?: string } = {}): Promise<string> {
  const run = await smo(args, options);
  expect({ args: args.join(" "), code: run.code, stderr: run.stderr }).toEqual({ args: args.join(" "), code: 0, stderr: "" });
  return run.stdout;
}

async function statusOf(name: string): Promise<string> {
  return (JSON.parse(await ok(["graph", "describe", name, "--json"])) as { graph: { status: string } }).graph.status;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ baseURL }) => {
  assertLoopback(baseURL);
  workDir = await mkdtemp(path.join(tmpdir(), "smo-cli-e2e-"));
});

test.afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test("smo drives a graph's whole life on the console: login, token, sync, deploy, describe, stop, start, re-place, remove", async ({ baseURL }) => {
  test.setTimeout(300_000);

  const wrong = await smo(["login", "--url", baseURL!, "--username", "admin", "--password-stdin"], { stdin: "not-the-password\n" });
  expect([wrong.code, wrong.stderr]).toEqual([1, "smo login: sign-in refused: invalid user name or password\n"]);
  const login = await ok(["login", "--url", baseURL!, "--username", "admin", "--password-stdin"], { stdin: `${E2E_ADMIN_PASSWORD}\n` });
  expect(login).toContain(`signed in to ${baseURL} as admin (admin)`);
  const config = JSON.parse(await readFile(path.join(workDir, "config", "config.json"), "utf8")) as { url: string; token: string };
  expect(config).toEqual({ url: baseURL, token: expect.stringMatching(/^smo_[A-Za-z0-9_-]{43}$/) });

  const created = JSON.parse(await ok(["token", "create", "--role", "viewer", "--name", "cli-e2e-reader", "--expires", "7d", "--json"])) as { token: string; summary: { id: number; role: string } };
  expect(created).toMatchObject({ token: expect.stringMatching(/^smo_/), summary: { role: "viewer" } });
  const tokens = JSON.parse(await ok(["token", "list", "--json"])) as { id: number; name: string }[];
  expect(tokens.map((token) => token.name)).toEqual(expect.arrayContaining(["cli-e2e-reader"]));

  const sync = await ok(["cluster", "sync"]);
  expect(sync).toMatch(/^NAME\s+STATUS/);
  expect(sync).toMatch(/synced 4 clusters/);

  // The sample descriptor under this spec's own graph name.
  const descriptor = path.join(workDir, `${GRAPH}.yaml`);
  await writeFile(descriptor, (await readFile(path.join(ROOT, "examples/hdag/gpu-offloading-graph.yaml"), "utf8")).replace("id: gpu-offloading-graph", `id: ${GRAPH}`));
  const deploy = await ok(["graph", "deploy", descriptor, "--project", PROJECT, "--wait"]);
  expect(deploy).toMatch(new RegExp(`graph ${GRAPH} deployed: operation op_\\S+ succeeded`));

  const described = await ok(["graph", "describe", GRAPH]);
  expect(described).toContain(`graph ${GRAPH}  project ${PROJECT}  status Running`);
  expect(described).toMatch(/^ml-inference\s+Deployed\s+frankfurt/m);
  const listed = JSON.parse(await ok(["graph", "list", "--project", PROJECT, "--json"])) as { name: string; status: string }[];
  expect(listed).toEqual([expect.objectContaining({ name: GRAPH, status: "Running" })]);

  // Destructive commands without a terminal need --yes (exit 2, nothing done).
  const unconfirmed = await smo(["graph", "stop", GRAPH]);
  expect(unconfirmed.code).toBe(2);
  expect(unconfirmed.stderr).toContain("pass --yes");
  expect(await statusOf(GRAPH)).toBe("Running");

  expect(await ok(["graph", "stop", GRAPH, "--yes", "--wait"])).toMatch(new RegExp(`graph ${GRAPH} stopped: operation \\S+ succeeded`));
  expect(await statusOf(GRAPH)).toBe("Stopped");
  expect(await ok(["graph", "start", GRAPH, "--wait"])).toMatch(new RegExp(`graph ${GRAPH} started: operation \\S+ succeeded`));
  expect(await statusOf(GRAPH)).toBe("Running");

  expect(await ok(["graph", "re-place", GRAPH, "--yes", "--wait"])).toMatch(new RegExp(`graph ${GRAPH} re-placed: operation \\S+ succeeded`));
  expect(await statusOf(GRAPH)).toBe("Running");

  expect(await ok(["graph", "remove", GRAPH, "--yes", "--wait"])).toMatch(new RegExp(`graph ${GRAPH} removed: operation \\S+ succeeded`));
  const gone = await smo(["graph", "describe", GRAPH]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toMatch(/^smo graph describe: not found: [^\n]*\n$/);

  // The viewer token created above reads but may not act.
  await writeFile(path.join(workDir, "config", "config.json"), JSON.stringify({ url: baseURL, token: created.token }), { mode: 0o600 });
  expect((await smo(["graph", "list"])).code).toBe(0);
  const denied = await smo(["graph", "deploy", descriptor, "--project", PROJECT]);
  expect([denied.code, denied.stderr]).toEqual([1, "smo graph deploy: your role may not deploy graphs: this action needs the operator role; you are viewer\n"]);
});

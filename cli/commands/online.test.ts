/**
 * The online commands against a console served over real HTTP (sandbox federation, real database):
 * login with the password on stdin, tokens, clusters, a graph's whole lifecycle, events, and the
 * exit codes for refused tokens, roles, bad input and unconfirmed destructive actions.
 */
import { mkdtemp, rm, stat, writeFile, readFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { databaseTargets } from "../../db/testing";
import { handleTrpcRequest } from "../../server/http";
import { addUser, createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "../../server/testing";
import { SYSTEM_ACTOR } from "../../lib/context";
import { recordEvent } from "../../lib/events";
import { writeConfig } from "../client";
import { runCli } from "../main";
import type { CliIo } from "../io";

type Run = { code: number; stdout: string; stderr: string };
type RunOptions = { stdin?: string; isTTY?: boolean; answer?: string; signal?: AbortSignal; configDir?: string; onOutput?: (stdout: string) => void };

const GRAPH = "gpu-offloading-graph";
const DESCRIPTOR = join(import.meta.dirname, "../../examples/hdag/gpu-offloading-graph.yaml");

describe.each(databaseTargets())("smo online commands against a console on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let served: ServedHandler;
  let workDir: string;
  let configDir: string;

  /** Runs `smo …` in-process with captured output, as the entry point would with the given terminal. */
  async function smo(argv: string[], options: RunOptions = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: (text) => {
        stdout += text;
        options.onOutput?.(stdout);
      },
      stderr: (text) => (stderr += text),
      readStdin: async () => options.stdin ?? "",
      isTTY: options.isTTY ?? false,
      ask: async () => options.answer ?? "",
      signal: options.signal,
    };
    const previous = process.env.SMO_CONFIG_DIR;
    process.env.SMO_CONFIG_DIR = options.configDir ?? configDir;
    try {
      return { code: await runCli(argv, io), stdout, stderr };
    } finally {
      process.env.SMO_CONFIG_DIR = previous;
    }
  }

  const json = <T>(run: Run): T => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as T;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "smo-cli-online-"));
    configDir = join(workDir, "config");
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    served = await serveFetchHandler((req) => handleTrpcRequest(req, test.deps));
    await addUser(test.deps, "root", "admin", "root-password-123");
  });
  afterAll(async () => {
    await served?.close();
    await test?.close();
    await handle?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("asks to log in first when nothing is configured", async () => {
    const run = await smo(["cluster", "list"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("smo cluster list: not configured: run smo login first\n");
  });

  it("refuses a wrong password and a password on the command line, storing nothing", async () => {
    const wrong = await smo(["login", "--url", served.url, "--username", "root", "--password-stdin"], { stdin: "not-the-password\n" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe("smo login: sign-in refused: invalid user name or password\n");
    const inArgv = await smo(["login", "--url", served.url, "--username", "root", "--password", "root-password-123"]);
    expect(inArgv.code).toBe(2);
    await expect(stat(join(configDir, "config.json"))).rejects.toThrow(/ENOENT/);
  });

  it("logs in with the password from stdin and stores an API token named cli@host, readable by its owner only", async () => {
    const run = await smo(["login", "--url", `${served.url}/`, "--username", "root", "--password-stdin"], { stdin: "root-password-123\n" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const path = join(configDir, "config.json");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(path, "utf8")) as { url: string; token: string };
    expect(config.url).toBe(served.url);
    expect(config.token).toMatch(/^smo_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout).not.toContain(config.token);
    const tokens = json<{ name: string; role: string; revokedAt: string | null }[]>(await smo(["token", "list", "--json"]));
    expect(tokens).toEqual([expect.objectContaining({ name: `cli@${hostname()}`, role: "admin", revokedAt: null })]);
  });

  it("creates a token once, refuses a role's forbidden action with its token, and maps bad input and usage", async () => {
    const created = json<{ token: string; summary: { id: number; name: string; role: string; expiresAt: string } }>(
      await smo(["token", "create", "--role", "viewer", "--expires", "30d", "--name", "ci-reader", "--json"]),
    );
    expect(created.token).toMatch(/^smo_/);
    expect(created.summary).toMatchObject({ name: "ci-reader", role: "viewer" });
    expect(new Date(created.summary.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const viewerDir = join(workDir, "viewer");
    await writeConfig({ url: served.url, token: created.token }, { SMO_CONFIG_DIR: viewerDir });
    const listed = await smo(["graph", "list"], { configDir: viewerDir });
    expect(listed.code).toBe(0);
    const denied = await smo(["graph", "deploy", DESCRIPTOR, "--project", "demo"], { configDir: viewerDir });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^smo graph deploy: your role may not deploy graphs: this action needs the operator role; you are viewer\n$/);

    const badFile = join(workDir, "bad.yaml");
    await writeFile(badFile, "hdaGraph:\n  id: Not_A_Name\n  services: []\n");
    const invalid = await smo(["graph", "deploy", badFile, "--project", "demo"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^smo graph deploy: invalid input: hdaGraph\.[^\n]+\n$/);

    expect((await smo(["token", "create"])).code).toBe(2);
    expect((await smo(["token", "create", "--role", "root"])).code).toBe(2);
    expect((await smo(["token", "revoke", "abc"])).code).toBe(2);
  });

  it("lets a viewer log in and manage their own tokens, never one above their role nor anyone else's", async () => {
    await addUser(test.deps, "vera", "viewer", "vera-password-123");
    const viewerDir = join(workDir, "vera");
    const login = await smo(["login", "--url", served.url, "--username", "vera", "--password-stdin"], { stdin: "vera-password-123\n", configDir: viewerDir });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("as vera (viewer)");
    const mine = json<{ name: string; role: string; owner: string }[]>(await smo(["token", "list", "--json"], { configDir: viewerDir }));
    expect(mine).toEqual([expect.objectContaining({ name: `cli@${hostname()}`, role: "viewer", owner: "vera" })]);
    const created = json<{ summary: { id: number; role: string } }>(await smo(["token", "create", "--role", "viewer", "--name", "vera-ci", "--json"], { configDir: viewerDir }));
    expect(created.summary.role).toBe("viewer");
    const above = await smo(["token", "create", "--role", "operator", "--name", "vera-up"], { configDir: viewerDir });
    expect([above.code, above.stderr]).toEqual([1, expect.stringMatching(/^smo token create: your role may not create API tokens: a token cannot have a role above its creator's \(viewer\)\n$/)]);
    // root's token is not vera's to see or revoke.
    const rootTokens = json<{ id: number; owner: string }[]>(await smo(["token", "list", "--json"]));
    const rootToken = rootTokens.find((token) => token.owner === "root")!;
    const foreign = await smo(["token", "revoke", String(rootToken.id)], { configDir: viewerDir });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/not found/);
    expect((await smo(["token", "revoke", String(created.summary.id)], { configDir: viewerDir })).code).toBe(0);
    const after = json<{ name: string; revokedAt: string | null }[]>(await smo(["token", "list", "--json"], { configDir: viewerDir }));
    expect(after.map((token) => [token.name, token.revokedAt === null])).toEqual([
      ["vera-ci", false],
      [`cli@${hostname()}`, true],
    ]);
  });

  it("syncs and lists the clusters", async () => {
    const sync = await smo(["cluster", "sync"]);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^NAME\s+STATUS/);
    expect(sync.stdout).toMatch(/synced 4 clusters/);
    const clusters = json<{ name: string; ready: boolean; gpus: number }[]>(await smo(["cluster", "list", "--json"]));
    expect(clusters.map((cluster) => cluster.name)).toEqual(["frankfurt", "paris", "stockholm", "warsaw"]);
    expect(clusters.find((cluster) => cluster.name === "frankfurt")).toMatchObject({ ready: true, gpus: 4 });
  });

  it("deploys a descriptor file and waits for the operation, then describes the graph's deployed services", async () => {
    const deploy = await smo(["graph", "deploy", DESCRIPTOR, "--project", "demo", "--wait"]);
    expect(deploy.stderr).toBe("");
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(new RegExp(`graph ${GRAPH} deployed: operation \\S+ succeeded`));

    const describe = await smo(["graph", "describe", GRAPH]);
    expect(describe.code).toBe(0);
    expect(describe.stdout).toContain(`graph ${GRAPH}  project demo  status Running`);
    const serviceLines = describe.stdout.split("\n").slice(describe.stdout.split("\n").findIndex((line) => line.startsWith("SERVICE")) + 1).filter(Boolean);
    expect(serviceLines.length).toBeGreaterThan(0);
    for (const line of serviceLines) expect(line).toMatch(/^\S+\s+Deployed\s+\S/);

    const detail = json<{ services: { status: string; clusters: string[] }[] }>(await smo(["graph", "describe", GRAPH, "--json"]));
    expect(detail.services.every((service) => service.status === "Deployed" && service.clusters.length > 0)).toBe(true);
    const graphs = json<{ name: string; status: string }[]>(await smo(["graph", "list", "--project", "demo", "--json"]));
    expect(graphs).toEqual([expect.objectContaining({ name: GRAPH, status: "Running" })]);
  });

  it("stops only when confirmed, starts, previews and re-places the graph", async () => {
    const refused = await smo(["graph", "stop", GRAPH], { isTTY: true, answer: "n" });
    expect(refused.code).toBe(1);
    expect(json<{ graph: { status: string } }>(await smo(["graph", "describe", GRAPH, "--json"])).graph.status).toBe("Running");

    expect((await smo(["graph", "stop", GRAPH, "--yes", "--wait"])).code).toBe(0);
    expect(json<{ graph: { status: string } }>(await smo(["graph", "describe", GRAPH, "--json"])).graph.status).toBe("Stopped");
    const start = await smo(["graph", "start", GRAPH, "--wait"]);
    expect(start.code).toBe(0);
    expect(json<{ graph: { status: string } }>(await smo(["graph", "describe", GRAPH, "--json"])).graph.status).toBe("Running");

    const preview = await smo(["placement", "preview", GRAPH]);
    expect(preview.stderr).toBe("");
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/^TERM\s+BEFORE\s+AFTER$/m);
    expect(preview.stdout).toMatch(/^objective\s+\S+\s+\S+$/m);
    const previewJson = json<{ graphName: string; before: { terms: Record<string, number> }; after: { terms: Record<string, number> } }>(
      await smo(["placement", "preview", GRAPH, "--json"]),
    );
    expect(previewJson.graphName).toBe(GRAPH);
    expect(Object.keys(previewJson.after.terms).sort()).toEqual(["balance", "carbon", "communication", "migration"]);

    const replace = await smo(["graph", "re-place", GRAPH, "--yes", "--wait"]);
    expect(replace.stderr).toBe("");
    expect(replace.code).toBe(0);
    expect(replace.stdout).toMatch(new RegExp(`graph ${GRAPH} re-placed: operation \\S+ succeeded`));
  });

  it("refuses to remove without --yes when there is no terminal, then removes with --yes", async () => {
    const refused = await smo(["graph", "remove", GRAPH]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("pass --yes");
    expect((await smo(["graph", "re-place", GRAPH])).code).toBe(2);
    expect(json<{ graph: { status: string } }>(await smo(["graph", "describe", GRAPH, "--json"])).graph.status).toBe("Running");

    expect((await smo(["graph", "remove", GRAPH, "--yes", "--wait"])).code).toBe(0);
    const gone = await smo(["graph", "describe", GRAPH]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^smo graph describe: not found: [^\n]*\n$/);
  });

  it("prints the graph's events oldest first, and follows new ones until interrupted", async () => {
    const run = await smo(["events", "--graph", GRAPH]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toContain(GRAPH);
    const all = json<{ id: number }[]>(await smo(["events", "--json"]));
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Following: a line recorded while the tail runs is printed by a later poll; Ctrl-C (the signal) ends it with 0.
    const interrupt = new AbortController();
    let seenInitial = false;
    const following = smo(["events", "--follow"], {
      signal: interrupt.signal,
      onOutput: (stdout) => {
        seenInitial = true;
        if (stdout.includes("cli follow probe")) interrupt.abort();
      },
    });
    while (!seenInitial) await new Promise((resolve) => setTimeout(resolve, 20));
    await recordEvent({ db: handle.db, actor: SYSTEM_ACTOR, logger: test.deps.logger, clock: () => new Date() }, { kind: "probe", message: "cli follow probe" });
    const timeout = setTimeout(() => interrupt.abort(), 10_000);
    const followed = await following;
    clearTimeout(timeout);
    expect(followed.code).toBe(0);
    expect(followed.stdout.trim().split("\n").at(-1)).toMatch(/ probe {2}- {2}cli follow probe {2}\(system\)$/);
  });

  it("says to log in again once its token is revoked or wrong", async () => {
    const tokens = json<{ id: number; name: string; owner: string }[]>(await smo(["token", "list", "--json"]));
    const cli = tokens.find((token) => token.name === `cli@${hostname()}` && token.owner === "root")!;
    expect((await smo(["token", "revoke", String(cli.id)])).code).toBe(0);
    const after = await smo(["cluster", "list"]);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe("smo cluster list: not signed in or token expired: run smo login\n");

    const wrongDir = join(workDir, "wrong");
    await writeConfig({ url: served.url, token: `smo_${"x".repeat(43)}` }, { SMO_CONFIG_DIR: wrongDir });
    const wrong = await smo(["graph", "list"], { configDir: wrongDir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe("smo graph list: not signed in or token expired: run smo login\n");
  });
});

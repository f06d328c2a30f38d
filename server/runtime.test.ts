/**
 * The console's runtime in sandbox mode, as Next.js starts it: an on-disk database, the sandbox
 * federation with its endpoints line, the bootstrap admin with a generated password printed
 * once; then GET /api/health over HTTP while everything answers, and after the database closes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../lib/logger";
import { handleHealthRequest, handleTrpcRequest, TRPC_ENDPOINT } from "./http";
import { createRuntime, type Runtime } from "./runtime";
import { serveFetchHandler, type ServedHandler } from "./testing";

describe("the sandbox runtime", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "smo-runtime-"));
  const printed: string[] = [];
  const logged: Record<string, unknown>[] = [];
  let runtime: Runtime;
  let health: ServedHandler;
  let api: ServedHandler;

  beforeAll(async () => {
    runtime = await createRuntime({
      env: { SMO_DATA_DIR: dataDir, LOG_LEVEL: "info" },
      writeLine: (line) => printed.push(line),
      logger: createLogger({ destination: { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) } }),
    });
    health = await serveFetchHandler(() => handleHealthRequest(() => Promise.resolve(runtime)));
    api = await serveFetchHandler((req) => handleTrpcRequest(req, runtime));
  });
  afterAll(async () => {
    await health?.close();
    await api?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the sandbox endpoints as one JSON line, like npm run sim", () => {
    expect(printed).toHaveLength(1);
    const endpoints = JSON.parse(printed[0]!) as Record<string, string>;
    expect(Object.keys(endpoints).sort()).toEqual(["grafanaUrl", "helmBin", "kubeconfig", "prometheusUrl"]);
    expect(endpoints.kubeconfig).toBe(path.join(dataDir, "sandbox", "kubeconfig"));
    expect(endpoints.prometheusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(runtime.sandbox).toEqual(endpoints);
    expect(runtime.database.location).toBe(path.join(dataDir, "pglite"));
  });

  it("creates the bootstrap admin with a generated password logged once, which signs in", async () => {
    const lines = logged.filter((line) => typeof line.password === "string");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ username: "admin", msg: expect.stringContaining("bootstrap admin created") });
    const response = await fetch(`${api.url}${TRPC_ENDPOINT}/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: api.url },
      body: JSON.stringify(superjson.serialize({ username: "admin", password: lines[0]!.password })),
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()[0]).toMatch(/^smo_session=/);
  });

  it("answers GET /api/health with the state of every connection", async () => {
    const response = await fetch(`${health.url}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, { ok: boolean; message: string }> & { status: string };
    expect(body.status).toBe("ok");
    for (const component of ["database", "karmada", "prometheus", "grafana"]) expect(body[component], component).toMatchObject({ ok: true, message: expect.any(String) });
    expect(body.karmada!.message).toContain(runtime.clients.karmada.server);
  });

  it("answers 503 once the database and the sandbox are gone, saying which parts fail", async () => {
    await runtime.close();
    const response = await fetch(`${health.url}/api/health`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, { ok: boolean; message: string }> & { status: string };
    expect(body.status).toBe("down");
    expect(body.database).toMatchObject({ ok: false, message: expect.stringContaining(path.join(dataDir, "pglite")) });
    expect(body.karmada!.ok).toBe(false);
  });

  it("answers 503 when the console could not start, with the reason", async () => {
    const response = await handleHealthRequest(() => createRuntime({ env: { PORT: "eighty" } }));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; database: { message: string } };
    expect(body.status).toBe("down");
    expect(body.database.message).toMatch(/^the console did not start: invalid configuration: PORT/);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { count, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { DatabaseHandle } from "../../db";
import * as schema from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { createApiToken, createSession, SESSION_COOKIE_NAME, type Role } from "../../lib/auth";
import { syncClusters } from "../../lib/clusters";
import { startOperation } from "../../lib/operations";
import { SYSTEM_ACTOR } from "../../lib/context";
import { createCoreContext } from "../deps";
import { addUser, createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "../testing";
import { handleRestRequest, REST_ROUTES } from "./handler";

const EXAMPLES = path.resolve(import.meta.dirname, "../../examples/hdag");
const WEBHOOK_TOKEN = "alertmanager-shared-secret";
const readExample = (name: string) => readFileSync(path.join(EXAMPLES, name), "utf8");
const firingFixture = readFileSync(path.resolve(import.meta.dirname, "../../lib/alerts/testdata/alertmanager-webhook-firing.json"), "utf8");

type Problem = { type: string; title: string; status: number; detail: string; instance: string; errors?: { path: string; message: string }[] };

describe.each(databaseTargets())("REST API /api/v1 on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let server: ServedHandler;
  let unconfigured: ServedHandler;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle, env: { SMO_ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN } });
    const authCtx = { db: handle.db, clock: test.deps.clock, logger: test.deps.logger };
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = await addUser(test.deps, `${role}-user`, role);
      tokens[role] = (await createApiToken(authCtx, { userId: user.id, role }, { name: `${role} token`, role })).token;
    }
    await syncClusters(await createCoreContext(test.deps, SYSTEM_ACTOR));
    server = await serveFetchHandler((request) => handleRestRequest(request, test.deps));
    const withoutWebhook = { ...test.deps, config: { ...test.deps.config, alertWebhookToken: undefined } };
    unconfigured = await serveFetchHandler((request) => handleRestRequest(request, withoutWebhook));
  }, 60_000);
  afterAll(async () => {
    await unconfigured?.close();
    await server?.close();
    await test?.close();
    await handle?.close();
  });

  const call = (method: string, pathname: string, options: { role?: Role; body?: BodyInit; headers?: Record<string, string>; base?: string } = {}) =>
    fetch(`${options.base ?? server.url}/api/v1${pathname}`, {
      method,
      headers: { ...(options.role ? { authorization: `Bearer ${tokens[options.role]}` } : {}), ...options.headers },
      body: options.body,
    });

  async function expectProblem(response: Response, status: number): Promise<Problem> {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as Problem;
    expect(problem).toMatchObject({ type: "about:blank", status, instance: expect.stringMatching(/^\/api\/v1/) });
    expect(problem.title.length).toBeGreaterThan(0);
    expect(problem.detail.length).toBeGreaterThan(0);
    return problem;
  }

  async function waitForStatus(name: string, expected: string | 404): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 60_000;
    let last: unknown;
    while (Date.now() < deadline) {
      const response = await call("GET", `/graphs/${name}`, { role: "viewer" });
      if (expected === 404 && response.status === 404) return {};
      if (response.status === 200) {
        const graph = (await response.json()) as Record<string, unknown>;
        if (graph.status === expected) return graph;
        if (graph.status === "Failed") throw new Error(`graph ${name} failed: ${JSON.stringify(graph)}`);
        last = graph.status;
      } else last = response.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`graph ${name} did not reach ${expected} (last: ${String(last)})`);
  }

  /** Rows of every table a deployment writes (the audit log aside). */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = { graphs: schema.graphs, services: schema.services, projects: schema.projects, operations: schema.operations, placements: schema.placements, events: schema.events };
    const counts: Record<string, number> = {};
    for (const [name, table] of Object.entries(tables)) counts[name] = (await handle.db.select({ total: count() }).from(table))[0]!.total;
    return counts;
  }

  async function auditLines(): Promise<(typeof schema.auditLog.$inferSelect)[]> {
    return handle.db.select().from(schema.auditLog).orderBy(sql`${schema.auditLog.id} desc`).limit(5);
  }

  it("serves an OpenAPI 3.1 document listing every route, and a script-free docs page, without authentication", async () => {
    const response = await call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toBe("3.1.0");
    for (const route of REST_ROUTES) expect(document.paths[route.path]?.[route.method.toLowerCase()]?.operationId, `${route.method} ${route.path}`).toBe(route.operationId);
    expect(Object.keys(document.paths).sort()).toEqual(
      ["/alerts", "/clusters", "/docs", "/graphs/{name}", "/graphs/{name}/placement", "/graphs/{name}/start", "/graphs/{name}/stop", "/openapi.json", "/project/{project}/graphs"].sort(),
    );
    // Every reference resolves inside the document.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(document.components.schemas, ref).toHaveProperty(ref);
    expect(document.components.schemas.Service).toMatchObject({ properties: { cluster_affinity: expect.any(Object), artifact_implementer: expect.any(Object) } });

    const docs = await call("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toContain("text/html");
    const html = await docs.text();
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
    for (const route of REST_ROUTES) expect(html).toContain(`/api/v1${route.path}`);
  });

  it("needs a token or a session: 401 without, 403 below the role, and audits the denied mutation", async () => {
    const anonymous = await expectProblem(await call("GET", "/clusters"), 401);
    expect(anonymous.detail).toMatch(/Bearer/);
    await expectProblem(await call("GET", "/clusters", { headers: { authorization: "Bearer smo_not-a-real-token" } }), 401);
    const forbidden = await expectProblem(await call("POST", "/project/demo/graphs", { role: "viewer", body: readExample("gpu-offloading-graph.yaml"), headers: { "content-type": "application/yaml" } }), 403);
    expect(forbidden.detail).toMatch(/operator/);
    const [line] = await auditLines();
    expect(line).toMatchObject({ actor: "viewer-user", action: "rest.deployGraph", result: "denied", target: "demo" });
    expect(await handle.db.select().from(schema.graphs)).toHaveLength(0);
  });

  it("accepts the console's session cookie, but refuses cookie-borne mutations from another site", async () => {
    const authCtx = { db: handle.db, clock: test.deps.clock, logger: test.deps.logger };
    const [operator] = await handle.db.select().from(schema.users).where(sql`${schema.users.username} = 'operator-user'`);
    const session = await createSession(authCtx, operator!.id);
    const cookie = `${SESSION_COOKIE_NAME}=${session.token}`;
    expect((await call("GET", "/clusters", { headers: { cookie } })).status).toBe(200);
    const crossSite = await expectProblem(await call("POST", "/graphs/absent-graph/stop", { headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" } }), 403);
    expect(crossSite.detail).toMatch(/cross-site/);
    // Same origin gets through authorization (and then finds no such graph).
    await expectProblem(await call("POST", "/graphs/absent-graph/stop", { headers: { cookie, origin: server.url, "sec-fetch-site": "same-origin" } }), 404);
    // A bearer token carries no ambient credential: no origin check.
    await expectProblem(await call("POST", "/graphs/absent-graph/stop", { role: "operator", headers: { origin: "https://evil.example" } }), 404);
  });

  it("lists the clusters in the original's shape", async () => {
    const response = await call("GET", "/clusters", { role: "viewer" });
    expect(response.status).toBe(200);
    const clusters = (await response.json()) as Record<string, unknown>[];
    expect(clusters.map((cluster) => cluster.name)).toEqual(["frankfurt", "paris", "stockholm", "warsaw"]);
    const frankfurt = clusters[0]!;
    expect(frankfurt).toMatchObject({ id: "frankfurt", availability: true, acceleration: true });
    expect(frankfurt.available_cpu).toEqual(expect.any(Number));
    expect(frankfurt.available_ram).toEqual(expect.any(Number));
    expect(Object.keys(frankfurt)).toEqual(expect.arrayContaining(["location", "grafana"]));
    expect(clusters[1]).toMatchObject({ name: "paris", acceleration: false });
  });

  it("answers 404 for unknown paths and 405 with Allow for wrong methods", async () => {
    await expectProblem(await call("GET", "/nothing-here", { role: "viewer" }), 404);
    await expectProblem(await call("GET", "/graphs/a/b/c", { role: "viewer" }), 404);
    const wrong = await call("PUT", "/clusters", { role: "operator" });
    await expectProblem(wrong, 405);
    expect(wrong.headers.get("allow")).toBe("GET");
    const graphWrong = await call("PATCH", "/graphs/x", { role: "operator" });
    await expectProblem(graphWrong, 405);
    expect(graphWrong.headers.get("allow")).toBe("DELETE, GET");
  });

  it("refuses hostile input before it reaches the core, writing nothing but audit lines", async () => {
    const before = await rowCounts();
    const started = performance.now();
    const huge = await call("POST", "/project/demo/graphs", { role: "operator", body: new Uint8Array(10 * 1024 * 1024).fill(0x61), headers: { "content-type": "application/yaml" } });
    await expectProblem(huge, 413);
    // Not a timing assertion: only a guard that the request was not, say, parsed as YAML first.
    expect(performance.now() - started).toBeLessThan(20_000);

    const body = JSON.stringify(parseYaml(readExample("resilience-critical-graph.yaml"))).replace('"compute":{', '"compute":{"__proto__":{"polluted":true},');
    expect(body).toContain("__proto__");
    const prototype = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body, headers: { "content-type": "application/json" } }), 400);
    expect(prototype.errors).toEqual([expect.objectContaining({ path: "hdaGraph.services[0].deployment.intent.compute.__proto__" })]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const badProject = await expectProblem(await call("POST", `/project/${encodeURIComponent("$(id)")}/graphs`, { role: "operator", body: readExample("gpu-offloading-graph.yaml") }), 400);
    expect(badProject.errors?.[0]?.path).toBe("project");
    const badName = await expectProblem(await call("GET", `/graphs/${encodeURIComponent("$(id)")}`, { role: "viewer" }), 400);
    expect(badName.errors?.[0]?.path).toBe("name");
    const broken = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: "{ not json", headers: { "content-type": "application/json" } }), 400);
    expect(broken.detail).toMatch(/JSON/);
    const invalid = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: "apiVersion: v1\nkind: Nonsense\n", headers: { "content-type": "application/yaml" } }), 400);
    expect(invalid.errors?.length).toBeGreaterThan(0);
    const badArtifact = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: JSON.stringify({ artifact: "http://example.invalid/x" }) }), 400);
    expect(badArtifact.errors?.[0]?.path).toBe("artifact");
    await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: "x", headers: { "content-type": "image/png" } }), 415);

    const bomb = ["hdaGraph:", "  id: bomb", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) bomb.push(`  ${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(",")}]`);
    const aliasBomb = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: bomb.join("\n"), headers: { "content-type": "application/yaml" } }), 400);
    expect(aliasBomb.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("alias bomb") })]);
    const yamlPrototype = await expectProblem(
      await call("POST", "/project/demo/graphs", { role: "operator", body: `__proto__: {polluted: true}\n${readExample("gpu-offloading-graph.yaml")}`, headers: { "content-type": "application/yaml" } }),
      400,
    );
    expect(yamlPrototype.errors).toEqual([expect.objectContaining({ path: "__proto__" })]);
    for (const name of ["$(id)", "--set=x"]) {
      const project = await expectProblem(await call("POST", `/project/${encodeURIComponent(name)}/graphs`, { role: "operator", body: readExample("gpu-offloading-graph.yaml") }), 400);
      expect(project.errors).toEqual([{ path: "project", message: expect.stringContaining("not a DNS-1123 label") }]);
      for (const [method, suffix] of [["DELETE", ""], ["POST", "/stop"], ["POST", "/start"], ["POST", "/placement"]] as const) {
        const graph = await expectProblem(await call(method, `/graphs/${encodeURIComponent(name)}${suffix}`, { role: "operator" }), 400);
        expect(graph.errors).toEqual([{ path: "name", message: expect.stringContaining("not a DNS-1123 label") }]);
      }
      const id = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: readExample("gpu-offloading-graph.yaml").replace("id: gpu-offloading-graph", `id: "${name}"`) }), 400);
      expect(id.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "hdaGraph.id" })]));
    }
    expect(await rowCounts()).toEqual(before);
    expect(before.graphs).toBe(0);
  });

  it("deploys the three sample descriptors as YAML (202 + Location), runs them, and lists them by project", async () => {
    const yamlDeploy = await call("POST", "/project/demo/graphs", { role: "operator", body: readExample("gpu-offloading-graph.yaml"), headers: { "content-type": "application/yaml" } });
    expect(yamlDeploy.status).toBe(202);
    expect(yamlDeploy.headers.get("location")).toBe("/api/v1/graphs/gpu-offloading-graph");
    const accepted = (await yamlDeploy.json()) as Record<string, unknown>;
    expect(accepted).toMatchObject({ name: "gpu-offloading-graph", project: "demo", operation: { kind: "deploy" } });

    const textYaml = await call("POST", "/project/demo/graphs", { role: "operator", body: readExample("resilience-critical-graph.yaml"), headers: { "content-type": "text/yaml" } });
    expect(textYaml.status).toBe(202);
    // No Content-Type: sniffed as YAML.
    const sniffed = await call("POST", "/project/vision/graphs", { role: "operator", body: readExample("image-detection-graph.yaml") });
    expect(sniffed.status).toBe(202);

    const gpu = await waitForStatus("gpu-offloading-graph", "Running");
    expect(gpu).toMatchObject({ project: "demo", hdaGraph: expect.any(Object), placement: expect.any(Object) });
    const services = gpu.services as Record<string, unknown>[];
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      expect(Object.keys(service)).toEqual(
        expect.arrayContaining(["name", "status", "grafana", "cluster_affinity", "cpu", "memory", "storage", "gpu", "values_overwrite", "alert", "artifact_ref", "artifact_type", "artifact_implementer"]),
      );
      expect(service.status).toBe("Deployed");
    }
    // The GPU service lands on the only cluster with GPUs.
    expect(services.filter((service) => service.gpu).map((service) => service.cluster_affinity)).toEqual(expect.arrayContaining(["frankfurt"]));
    await waitForStatus("resilience-critical-graph", "Running");
    const vision = await waitForStatus("image-detection-graph", "Running");
    expect((vision.services as Record<string, unknown>[]).find((service) => service.name === "image-compression-vo")).toMatchObject({ status: "Pending", alert: expect.any(Object) });

    const listed = await call("GET", "/project/demo/graphs", { role: "viewer" });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { name: string }[]).map((graph) => graph.name).sort()).toEqual(["gpu-offloading-graph", "resilience-critical-graph"]);

    const again = await expectProblem(await call("POST", "/project/demo/graphs", { role: "operator", body: readExample("gpu-offloading-graph.yaml") }), 409);
    expect(again.detail).toMatch(/already exists/);
    const [line] = await auditLines();
    expect(line).toMatchObject({ actor: "operator-user", action: "rest.deployGraph", result: "failed", detail: { status: 409 } });
  }, 120_000);

  it("deploys the three sample descriptors as JSON too, each like its YAML twin, then removes them", async () => {
    const twins: [file: string, contentType: string | undefined][] = [
      ["gpu-offloading-graph.yaml", "application/json"],
      ["resilience-critical-graph.yaml", "application/json; charset=utf-8"],
      // No Content-Type: sniffed as JSON by its first character.
      ["image-detection-graph.yaml", undefined],
    ];
    const names: string[] = [];
    for (const [file, contentType] of twins) {
      const document = parseYaml(readExample(file)) as { hdaGraph: { id: string; services: { id: string; deployment: { trigger?: unknown } }[] } };
      document.hdaGraph.id = `${document.hdaGraph.id}-json`;
      names.push(document.hdaGraph.id);
      let body = JSON.stringify(document);
      // An event-triggered service owns its alert rules across projects: the twin's gets a name of its own.
      for (const service of document.hdaGraph.services) if (service.deployment.trigger) body = body.replaceAll(`"${service.id}"`, `"${service.id}-json"`);
      const response = await call("POST", "/project/json/graphs", { role: "operator", body, headers: contentType ? { "content-type": contentType } : {} });
      expect(response.status, file).toBe(202);
      expect(response.headers.get("location")).toBe(`/api/v1/graphs/${document.hdaGraph.id}`);
    }
    for (const name of names) {
      const fromJson = await waitForStatus(name, "Running");
      const fromYaml = await waitForStatus(name.replace(/-json$/, ""), "Running");
      const shape = (graph: Record<string, unknown>) =>
        (graph.services as Record<string, unknown>[]).map(({ name, status, cpu, memory, gpu, artifact_ref }) => ({ name: String(name).replace(/-json$/, ""), status, cpu, memory, gpu, artifact_ref }));
      expect(fromJson).toMatchObject({ name, project: "json", status: "Running" });
      expect(shape(fromJson), name).toEqual(shape(fromYaml));
    }
    const listed = (await (await call("GET", "/project/json/graphs", { role: "viewer" })).json()) as { name: string }[];
    expect(listed.map((graph) => graph.name)).toEqual([...names].sort());
    for (const name of names) expect((await call("DELETE", `/graphs/${name}`, { role: "operator" })).status).toBe(202);
    for (const name of names) await waitForStatus(name, 404);
  }, 180_000);

  it("stops, starts, re-places and removes a graph (202 each), refusing actions the state does not allow", async () => {
    const name = "resilience-critical-graph";
    await expectProblem(await call("POST", "/graphs/absent-graph/stop", { role: "operator" }), 404);
    const stop = await call("POST", `/graphs/${name}/stop`, { role: "operator" });
    expect(stop.status).toBe(202);
    expect(stop.headers.get("location")).toBe(`/api/v1/graphs/${name}`);
    const stopped = await waitForStatus(name, "Stopped");
    for (const service of stopped.services as { status: string }[]) expect(service.status).toBe("Not deployed");
    const twice = await expectProblem(await call("POST", `/graphs/${name}/stop`, { role: "operator" }), 409);
    expect(twice.detail).toMatch(/already stopped/);

    expect((await call("POST", `/graphs/${name}/start`, { role: "operator" })).status).toBe(202);
    await waitForStatus(name, "Running");

    await expectProblem(await call("POST", `/graphs/${name}/placement`, { role: "operator", body: JSON.stringify({ algorithm: "astrology" }) }), 400);
    const replace = await call("POST", `/graphs/${name}/placement`, { role: "operator", body: JSON.stringify({ algorithm: "optimal" }) });
    expect(replace.status).toBe(202);
    expect(((await replace.json()) as { operation: { kind: string } }).operation.kind).toBe("replace");
    const replaced = await waitForStatus(name, "Running");
    expect(replaced.placement_algorithm).toBeDefined();

    const removal = await call("DELETE", `/graphs/${name}`, { role: "operator" });
    expect(removal.status).toBe(202);
    expect(((await removal.json()) as { status: string }).status).toBe("Removing");
    await waitForStatus(name, 404);
    const lines = await auditLines();
    expect(lines[0]).toMatchObject({ action: "rest.removeGraph", result: "allowed", target: name, actor: "operator-user" });
  }, 120_000);

  it("takes Alertmanager notifications only with its own token, idempotently", async () => {
    await expectProblem(await call("POST", "/alerts", { body: firingFixture, base: unconfigured.url, headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } }), 503);
    await expectProblem(await call("POST", "/alerts", { body: firingFixture }), 401);
    await expectProblem(await call("POST", "/alerts", { body: firingFixture, headers: { authorization: "Bearer wrong" } }), 401);
    // A user's API token is not the webhook's.
    await expectProblem(await call("POST", "/alerts", { body: firingFixture, role: "admin" }), 401);
    await expectProblem(await call("POST", "/alerts", { body: "x".repeat(1024 * 1024 + 1), headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } }), 413);
    const notAlertmanager = await expectProblem(await call("POST", "/alerts", { body: JSON.stringify({ alerts: [{ nope: 1 }] }), headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } }), 400);
    expect(notAlertmanager.errors?.length).toBeGreaterThan(0);

    const fixture = JSON.parse(firingFixture) as { alerts: unknown[] };
    const first = await call("POST", "/alerts", { body: firingFixture, headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, "content-type": "application/json" } });
    expect(first.status).toBe(200);
    const { alerts } = (await first.json()) as { alerts: { outcome: string; fingerprint: string }[] };
    expect(alerts).toHaveLength(fixture.alerts.length);
    expect(alerts.every((alert) => alert.outcome !== "duplicate")).toBe(true);
    const repeat = await call("POST", "/alerts", { body: firingFixture, headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } });
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { alerts: { outcome: string }[] }).alerts.map((alert) => alert.outcome)).toEqual(fixture.alerts.map(() => "duplicate"));
    const [line] = await auditLines();
    expect(line).toMatchObject({ actor: "alertmanager", action: "rest.receiveAlerts", result: "allowed" });
  });

  it("answers 503 with Retry-After while the graph is mid-operation (here or in another console), then acts on Alertmanager's retry", async () => {
    const payload = {
      version: "4",
      status: "firing",
      receiver: "smo",
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "http://127.0.0.1:9093",
      groupKey: "{}:{service=\"image-compression-vo\"}",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "", service: "image-compression-vo" },
          annotations: {},
          startsAt: new Date().toISOString(),
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://127.0.0.1:9090/graph",
          fingerprint: "0123456789abcdef",
        },
      ],
    };
    const notify = () => call("POST", "/alerts", { body: JSON.stringify(payload), headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } });
    const notificationsOf = async () => (await handle.db.select().from(schema.alertNotifications).where(sql`${schema.alertNotifications.fingerprint} = '0123456789abcdef'`)).length;
    const ctx = await createCoreContext(test.deps, SYSTEM_ACTOR);
    const [graph] = await handle.db.select().from(schema.graphs).where(sql`${schema.graphs.name} = 'image-detection-graph'`);

    // This console runs an operation on the graph (held open by the test): the alert is refused at once, not queued.
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const busy = await startOperation(ctx, { kind: "scale", graphName: graph!.name, graphId: graph!.id, project: graph!.project }, () => gate);
    const refused = await notify();
    expect(refused.headers.get("retry-after")).toBe("5");
    const here = await expectProblem(refused, 503);
    expect(here.detail).toBe(`an operation (scale ${busy.operation.id}) is already running on graph image-detection-graph`);
    expect(await notificationsOf()).toBe(0);
    finish();
    expect((await busy.done).status).toBe("succeeded");

    // Another console's operation, seen only through the database.
    await handle.db.insert(schema.operations).values({
      id: "op_other_console",
      kind: "scale",
      status: "running",
      graphId: graph!.id,
      graphName: graph!.name,
      project: graph!.project,
      actor: "system",
      leaseOwner: "other-console",
      leaseExpiresAt: new Date(Date.now() + 60_000),
    });
    const elsewhere = await expectProblem(await notify(), 503);
    expect(elsewhere.detail).toBe("an operation (scale op_other_console) is already running on graph image-detection-graph");
    expect(await notificationsOf()).toBe(0);
    await handle.db.update(schema.operations).set({ status: "succeeded", finishedAt: new Date() }).where(sql`${schema.operations.id} = 'op_other_console'`);

    // Alertmanager retries the same notification: acted on, not taken for a repeat.
    const response = await notify();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { alerts: { outcome: string }[] }).alerts[0]?.outcome).toBe("deploying");
    const deadline = Date.now() + 30_000;
    let status: unknown;
    while (Date.now() < deadline) {
      const graph = (await (await call("GET", "/graphs/image-detection-graph", { role: "viewer" })).json()) as { services: { name: string; status: string }[] };
      status = graph.services.find((service) => service.name === "image-compression-vo")?.status;
      if (status === "Deployed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe("Deployed");
  }, 60_000);
});

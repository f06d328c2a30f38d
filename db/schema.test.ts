import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "./client";
import { clusters, events, graphs, operations, operationSteps, placements, projects, services } from "./schema";
import { databaseTargets } from "./testing";

const descriptor = {
  hdaGraph: { id: "demo", services: [{ id: "web", nested: { list: [1, 2.5, "x", null, true], empty: {} } }], unicode: "ünïcødé ✓" },
};

describe.each(databaseTargets())("database on $name", (target) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("applies every migration and creates every table", async () => {
    const rows = await handle.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`);
    const names = (Array.isArray(rows) ? rows : (rows as { rows: { table_name: string }[] }).rows).map((row) => (row as { table_name: string }).table_name);
    for (const table of ["users", "sessions", "api_tokens", "audit_log", "projects", "clusters", "graphs", "services", "placements", "operations", "operation_steps", "events", "scaling_policies", "scaling_decisions", "settings", "alert_notifications"]) {
      expect(names).toContain(table);
    }
  });

  it("keeps a descriptor's JSON identical and its services with the graph", async () => {
    await handle.db.insert(projects).values({ name: "team-a" });
    const [graph] = await handle.db
      .insert(graphs)
      .values({ name: "demo", project: "team-a", descriptor, descriptorText: "hdaGraph: {}", status: "Running" })
      .returning();
    expect(graph).toBeDefined();
    await handle.db.insert(services).values([
      { graphId: graph!.id, name: "web", cpu: 0.5, memory: 512 * 2 ** 20, artifactRef: "oci://127.0.0.1:5000/test/web", clusters: ["member1"] },
      { graphId: graph!.id, name: "db", cpu: 4, memory: 8 * 2 ** 30, artifactRef: "oci://127.0.0.1:5000/test/db", gpu: true },
    ]);
    const stored = await handle.db.query.graphs.findFirst({ where: eq(graphs.name, "demo") });
    expect(stored?.descriptor).toEqual(descriptor);
    const rows = await handle.db.select().from(services).where(eq(services.graphId, graph!.id)).orderBy(services.name);
    expect(rows.map((row) => [row.name, row.cpu, row.memory, row.gpu, row.clusters, row.status])).toEqual([
      ["db", 4, 8 * 2 ** 30, true, [], "Not deployed"],
      ["web", 0.5, 512 * 2 ** 20, false, ["member1"], "Not deployed"],
    ]);
  });

  it("refuses a second graph of the same name and a service name twice in one graph", async () => {
    await expect(handle.db.insert(graphs).values({ name: "demo", project: "team-a", descriptor, descriptorText: "" })).rejects.toThrow();
    const [graph] = await handle.db.select().from(graphs).where(eq(graphs.name, "demo"));
    await expect(
      handle.db.insert(services).values({ graphId: graph!.id, name: "web", cpu: 1, memory: 1, artifactRef: "oci://x/y" }),
    ).rejects.toThrow();
  });

  it("refuses a graph in a project that does not exist", async () => {
    await expect(handle.db.insert(graphs).values({ name: "orphan", project: "nope", descriptor, descriptorText: "" })).rejects.toThrow();
  });

  it("rejects a stale optimistic-concurrency write on a cluster", async () => {
    await handle.db.insert(clusters).values({ name: "member1", availableCpu: 8, availableMemory: 16 * 2 ** 30, ready: true });
    const update = (version: number, location: string) =>
      handle.db
        .update(clusters)
        .set({ location, version: sql`${clusters.version} + 1` })
        .where(and(eq(clusters.name, "member1"), eq(clusters.version, version)))
        .returning();
    expect(await update(1, "Athens")).toHaveLength(1);
    expect(await update(1, "Brussels")).toHaveLength(0);
    const [row] = await handle.db.select().from(clusters).where(eq(clusters.name, "member1"));
    expect([row?.location, row?.version]).toEqual(["Athens", 2]);
  });

  it("keeps operations and numbered steps, and the history after the graph is removed", async () => {
    const [graph] = await handle.db.select().from(graphs).where(eq(graphs.name, "demo"));
    await handle.db.insert(operations).values({ id: "op-1", kind: "deploy", graphId: graph!.id, graphName: "demo", actor: "admin" });
    await handle.db.insert(operationSteps).values([
      { operationId: "op-1", seq: 1, action: "helm-install", target: "web" },
      { operationId: "op-1", seq: 2, action: "grafana-dashboard", target: "web", status: "deferred" },
    ]);
    await expect(handle.db.insert(operationSteps).values({ operationId: "op-1", seq: 2, action: "again" })).rejects.toThrow();
    await handle.db.insert(placements).values({ graphId: graph!.id, graphName: "demo", algorithm: "optimal", status: "optimal", input: { a: 1 }, result: { b: [1, 0] } });

    await handle.db.delete(graphs).where(eq(graphs.id, graph!.id));
    const [operation] = await handle.db.select().from(operations).where(eq(operations.id, "op-1"));
    expect(operation?.graphId).toBeNull();
    expect(operation?.graphName).toBe("demo");
    expect(await handle.db.select().from(operationSteps).where(eq(operationSteps.operationId, "op-1"))).toHaveLength(2);
    expect(await handle.db.select().from(services)).toHaveLength(0);
    expect(await handle.db.select().from(placements)).toHaveLength(0);
  });

  it("orders events by time and identity", async () => {
    await handle.db.insert(events).values([
      { kind: "graph.deployed", message: "first", graphName: "demo" },
      { kind: "graph.stopped", message: "second", graphName: "demo", severity: "warning" },
    ]);
    const rows = await handle.db.select().from(events).where(eq(events.graphName, "demo")).orderBy(events.id);
    expect(rows.map((row) => [row.message, row.severity, row.actor])).toEqual([
      ["first", "info", "system"],
      ["second", "warning", "system"],
    ]);
    expect(rows[0]!.at).toBeInstanceOf(Date);
  });
});

/** Reading graphs a page at a time, and projects with their counts, straight from the database. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { graphs, placements, projects, services } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { ValidationError } from "../errors";
import { GRAPH_PAGE_SIZE, listGraphs, listProjects, type GraphSummary } from ".";

describe.each(databaseTargets())("graph queries on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: { db: DatabaseHandle["db"] };

  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db };
    await handle.db.insert(projects).values([{ name: "alpha" }, { name: "beta" }, { name: "empty" }]);
    // 130 graphs in alpha (every third stopped), 5 in beta; a graph's services: one Deployed, one Pending per graph in alpha.
    const rows = await handle.db
      .insert(graphs)
      .values([
        ...Array.from({ length: 130 }, (_, index) => ({ name: `a-${String(index).padStart(3, "0")}`, project: "alpha", status: index % 3 === 0 ? ("Stopped" as const) : ("Running" as const) })),
        ...Array.from({ length: 5 }, (_, index) => ({ name: `b-${index}`, project: "beta", status: "Running" as const })),
      ].map((graph) => ({ ...graph, descriptor: {}, descriptorText: "" })))
      .returning({ id: graphs.id, project: graphs.project });
    await handle.db.insert(services).values(
      rows
        .filter((row) => row.project === "alpha")
        .flatMap((row) => [
          { graphId: row.id, name: "web", status: "Deployed" as const, cpu: 1, memory: 1, artifactRef: "oci://r/web" },
          { graphId: row.id, name: "batch", status: "Pending" as const, cpu: 1, memory: 1, artifactRef: "oci://r/batch" },
        ]),
    );
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function everyPage(input: Parameters<typeof listGraphs>[1]): Promise<{ pages: GraphSummary[][]; totals: number[] }> {
    const pages: GraphSummary[][] = [];
    const totals: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listGraphs>> = await listGraphs(ctx, { ...input, cursor });
      pages.push(page.items);
      totals.push(page.total);
      cursor = page.nextCursor;
    } while (cursor);
    return { pages, totals };
  }

  it("answers the default page of 100 by project then name, with the total and a cursor to the rest", async () => {
    const first = await listGraphs(ctx);
    expect(first.items).toHaveLength(GRAPH_PAGE_SIZE.default);
    expect(first.total).toBe(135);
    expect(first.items[0]).toMatchObject({ name: "a-000", project: "alpha", status: "Stopped", services: 2, deployed: 1, pending: 1, createdAt: expect.any(Date) });
    expect(first.items.at(-1)!.name).toBe("a-099");
    const second = await listGraphs(ctx, { cursor: first.nextCursor });
    expect(second.items.map((graph) => graph.name)).toEqual([...Array.from({ length: 30 }, (_, index) => `a-${100 + index}`), "b-0", "b-1", "b-2", "b-3", "b-4"]);
    expect(second).toMatchObject({ nextCursor: null, total: 135 });
    expect(second.items.at(-1)).toMatchObject({ services: 0, deployed: 0, pending: 0 });
  });

  it("walks every page exactly once whatever the page size, with filters", async () => {
    for (const limit of [1, 7, 100, GRAPH_PAGE_SIZE.max]) {
      const { pages, totals } = await everyPage({ limit });
      const names = pages.flat().map((graph) => graph.name);
      expect(names, `limit ${limit}`).toHaveLength(135);
      expect(new Set(names).size).toBe(135);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      expect(new Set(totals)).toEqual(new Set([135]));
    }
    const stopped = await everyPage({ project: "alpha", status: "Stopped", limit: 20 });
    expect(stopped.pages.flat()).toHaveLength(44);
    expect(stopped.pages.flat().every((graph) => graph.status === "Stopped" && graph.project === "alpha")).toBe(true);
    expect(stopped.totals[0]).toBe(44);
    expect(await listGraphs(ctx, { project: "empty" })).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  it("keeps its place when graphs are added or removed between pages", async () => {
    const first = await listGraphs(ctx, { project: "beta", limit: 2 });
    expect(first.items.map((graph) => graph.name)).toEqual(["b-0", "b-1"]);
    await handle.db.insert(graphs).values({ name: "b-00", project: "beta", descriptor: {}, descriptorText: "" });
    const second = await listGraphs(ctx, { project: "beta", limit: 2, cursor: first.nextCursor });
    // "b-00" sorts before the cursor: it is not on a later page, and nothing already seen repeats.
    expect(second.items.map((graph) => graph.name)).toEqual(["b-2", "b-3"]);
    expect(second.total).toBe(6);
  });

  it("refuses a cursor it did not make and a page size out of range, naming the field", async () => {
    for (const cursor of ["not-a-cursor", Buffer.from('{"project":"x"}').toString("base64url"), Buffer.from("[1,2]").toString("base64url"), "x".repeat(2_000)]) {
      const error = await listGraphs(ctx, { cursor }).catch((caught: unknown) => caught);
      expect(error, cursor.slice(0, 20)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([{ path: "cursor", message: expect.stringContaining("start again without one") }]);
    }
    for (const limit of [0, GRAPH_PAGE_SIZE.max + 1, 2.5]) {
      await expect(listGraphs(ctx, { limit })).rejects.toMatchObject({ issues: [{ path: "limit" }] });
    }
  });

  it("counts each project's graphs, running graphs and services in one query, empty projects included", async () => {
    // A placement row per graph must not multiply the counts.
    const [first] = await handle.db.select({ id: graphs.id }).from(graphs).limit(1);
    await handle.db.insert(placements).values([1, 2].map(() => ({ graphId: first!.id, graphName: "a-000", algorithm: "first-fit", status: "ok", input: {}, result: {}, applied: true })));
    expect(await listProjects(ctx)).toEqual([
      expect.objectContaining({ name: "alpha", graphs: 130, running: 86, services: 260 }),
      expect.objectContaining({ name: "beta", graphs: 6, running: 5, services: 0 }),
      expect.objectContaining({ name: "empty", graphs: 0, running: 0, services: 0, description: "", createdAt: expect.any(Date) }),
    ]);
  });
});

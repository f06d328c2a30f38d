/**
 * graphs.fetchDescriptor: the console's "load from URL / oci://" reads a descriptor's text through
 * the server, unparsed (an invalid one is still shown in the editor), from a real HTTP server on
 * the loopback; bad references and upstream failures are named; only the audit line is written.
 */
import { readFile } from "node:fs/promises";
import { count, desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { auditLog, graphs } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import type { Caller } from "../../lib/auth";
import { addUser, createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "../testing";
import { createCallerFactory, createContextInner } from "../trpc";
import { appRouter } from "./_app";

const SAMPLE = new URL("../../examples/hdag/resilience-critical-graph.yaml", import.meta.url);
const BROKEN = "hdaGraph:\n  id: broken\n  services: [\n";
const LONG = 120_000;

const createCaller = createCallerFactory(appRouter);

describe.each(databaseTargets())("graphs.fetchDescriptor on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let served: ServedHandler;
  let sample: string;
  let operator: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    sample = await readFile(SAMPLE, "utf8");
    served = await serveFetchHandler(async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/graph.yaml") return new Response(sample, { headers: { "content-type": "application/yaml" } });
      if (path === "/broken.yaml") return new Response(BROKEN);
      return new Response("no such descriptor", { status: 404 });
    });
    const user = await addUser(test.deps, "operator-user", "operator");
    const caller: Caller = { kind: "user", userId: user.id, username: user.username, role: "operator", sessionId: "session-of-operator" };
    operator = createCaller(createContextInner({ deps: test.deps, caller }));
  }, LONG);
  afterAll(async () => {
    await served?.close();
    await test?.close();
    await handle?.close();
  });

  it("answers the text at a URL exactly, and an invalid descriptor's text too (validation is the editor's next step)", async () => {
    expect(await operator.graphs.fetchDescriptor({ url: `${served.url}/graph.yaml` })).toEqual({ text: sample, source: `${served.url}/graph.yaml` });
    expect(await operator.graphs.fetchDescriptor({ url: `${served.url}/broken.yaml` })).toEqual({ text: BROKEN, source: `${served.url}/broken.yaml` });
    const [line] = await handle.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(line).toMatchObject({ action: "graphs.fetchDescriptor", actor: "operator-user", result: "allowed" });
  });

  it("names what is wrong: a URL that is not http(s), an artifact that is not oci://, a missing document, an unknown field", async () => {
    await expect(operator.graphs.fetchDescriptor({ url: "file:///etc/passwd" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("http:// or https://") });
    await expect(operator.graphs.fetchDescriptor({ artifact: `${served.url}/graph.yaml` })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("oci://") });
    await expect(operator.graphs.fetchDescriptor({ url: `${served.url}/missing.yaml` })).rejects.toMatchObject({ code: "BAD_GATEWAY", message: expect.stringContaining("404") });
    await expect(operator.graphs.fetchDescriptor({ url: `${served.url}/graph.yaml`, text: "x" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // A dry read: no graph was created by any of it.
    expect(await handle.db.select({ total: count() }).from(graphs)).toEqual([{ total: 0 }]);
  });
});

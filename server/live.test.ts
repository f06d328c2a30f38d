/**
 * The live subscriptions over real HTTP, as the console's pages use them: tRPC's
 * httpSubscriptionLink over Server-Sent Events (through an EventSource, which Node 20 lacks, so
 * TestEventSource), the stream read as it comes, resumption from the last event id after the
 * connection drops, filters, and refusal without credentials.
 */
import { createTRPCClient, httpLink, httpSubscriptionLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db";
import { databaseTargets } from "../db/testing";
import { createApiToken } from "../lib/auth";
import { SYSTEM_ACTOR } from "../lib/context";
import { latestEventId, recordEvent, type EventRecord, type NewEvent } from "../lib/events";
import { handleTrpcRequest, TRPC_ENDPOINT } from "./http";
import type { AppRouter } from "./routers/_app";
import { addUser, createTestDeps, serveFetchHandler, TestEventSource, type ServedHandler, type TestDeps } from "./testing";

/** Values pushed by a subscription, awaited one by one. */
function queue<T>() {
  const items: T[] = [];
  const waiting: ((item: T) => void)[] = [];
  return {
    push(item: T) {
      const waiter = waiting.shift();
      if (waiter) waiter(item);
      else items.push(item);
    },
    next(): Promise<T> {
      const item = items.shift();
      return item !== undefined ? Promise.resolve(item) : new Promise<T>((resolve) => waiting.push(resolve));
    },
  };
}

type Subscribable<I, T> = { subscribe: (input: I, options: { onData: (value: T) => void; onError: (error: unknown) => void }) => { unsubscribe: () => void } };

/** Subscribes; `next()` gives the values in order, `error` the subscription's failure. */
function follow<I, T>(procedure: Subscribable<I, T>, input: I) {
  const values = queue<T>();
  let fail!: (error: unknown) => void;
  const error = new Promise<unknown>((resolve) => (fail = resolve));
  const subscription = procedure.subscribe(input, { onData: (value) => values.push(value), onError: (cause) => fail(cause) });
  return { next: () => values.next(), error, unsubscribe: () => subscription.unsubscribe() };
}

describe.each(databaseTargets())("live subscriptions over HTTP on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let served: ServedHandler;
  let viewerToken: string;
  let operatorToken: string;
  const sources: TestEventSource[] = [];
  const unsubscribes: (() => void)[] = [];

  /** A client as the console's: subscriptions over SSE, the rest over plain HTTP; credentials as a bearer token. */
  function client(token?: string): TRPCClient<AppRouter> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    class Source extends TestEventSource {
      constructor(url: string | URL) {
        super(url, { headers });
        sources.push(this);
      }
    }
    return createTRPCClient<AppRouter>({
      links: [
        (runtime) => {
          const subscriptions = httpSubscriptionLink({ url: `${served.url}${TRPC_ENDPOINT}`, transformer: superjson, EventSource: Source })(runtime);
          const requests = httpLink({ url: `${served.url}${TRPC_ENDPOINT}`, transformer: superjson, headers })(runtime);
          return (options) => (options.op.type === "subscription" ? subscriptions(options) : requests(options));
        },
      ],
    });
  }

  function tracked<I, T>(procedure: Subscribable<I, T>, input: I) {
    const subscription = follow(procedure, input);
    unsubscribes.push(subscription.unsubscribe);
    return subscription;
  }

  const record = (event: NewEvent): Promise<EventRecord> => recordEvent({ db: handle.db, actor: SYSTEM_ACTOR, logger: test.deps.logger, clock: () => new Date() }, event);

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    served = await serveFetchHandler((req) => handleTrpcRequest(req, test.deps));
    const authCtx = { db: handle.db, clock: () => new Date(), logger: test.deps.logger };
    const viewer = await addUser(test.deps, "vic", "viewer");
    const operator = await addUser(test.deps, "olga", "operator");
    viewerToken = (await createApiToken(authCtx, { userId: viewer.id, role: "viewer" }, { name: "live", role: "viewer" })).token;
    operatorToken = (await createApiToken(authCtx, { userId: operator.id, role: "operator" }, { name: "live", role: "operator" })).token;
  });
  afterAll(async () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    for (const source of sources) source.close();
    await served?.close();
    await test?.close();
    await handle?.close();
  });

  it("streams newly recorded events with their ids, filtered, and resumes after a dropped connection without loss or repeat", async () => {
    const since = await latestEventId({ db: handle.db });
    const live = tracked(client(viewerToken).events.live, { graphName: "demo", kind: "graph.deployed", lastEventId: String(since) });
    await record({ kind: "graph.deployed", message: "another graph", graphName: "other" });
    await record({ kind: "graph.stopped", message: "another kind", graphName: "demo" });
    const first = await record({ kind: "graph.deployed", message: "demo deployed", graphName: "demo", detail: { services: 3 } });

    const received = await live.next();
    expect(received.id).toBe(String(first.id));
    // The row as events.list gives it, dates included (superjson).
    expect(received.data).toEqual(first);
    expect(received.data.at).toBeInstanceOf(Date);

    const source = sources.at(-1)!;
    served.dropConnections();
    const whileAway = await record({ kind: "graph.deployed", message: "recorded while disconnected", graphName: "demo" });
    expect((await live.next()).data).toMatchObject({ id: whileAway.id, message: "recorded while disconnected" });
    expect(source.connections).toBe(2);
    const after = await record({ kind: "graph.deployed", message: "after the reconnection", graphName: "demo" });
    expect((await live.next()).data.id).toBe(after.id);
  });

  it("serves text/event-stream as it comes (not buffered to the end), starting after Last-Event-ID", async () => {
    const before = await record({ kind: "mark", message: "before", clusterName: "raw" });
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({ clusterName: "raw" })));
    const controller = new AbortController();
    const response = await fetch(`${served.url}${TRPC_ENDPOINT}/events.live?input=${input}`, {
      headers: { authorization: `Bearer ${viewerToken}`, "last-event-id": String(before.id - 1) },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    // The response is still open (the subscription never ends by itself): reading its first event proves it streams.
    while (!text.includes(`id: ${before.id}\n`)) text += (await reader.read()).value ?? "";
    const data = text.split("\n").find((line) => line.startsWith("data: {") && line.includes('"message":"before"'));
    expect(superjson.deserialize(JSON.parse(data!.slice("data: ".length)))).toMatchObject({ id: before.id, clusterName: "raw" });
    controller.abort();
  });

  it("refuses a subscription without credentials: the client gets UNAUTHORIZED (401) and does not retry", async () => {
    const anonymous = follow(client().events.live, {});
    const error = await anonymous.error;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
    expect(sources.at(-1)!.connections).toBe(1);
    expect(sources.at(-1)!.readyState).toBe(TestEventSource.CLOSED);
  });

  it("follows operations: the current ones first, then each change; one operation with its steps; NOT_FOUND for an unknown id", async () => {
    const operations = tracked(client(viewerToken).operations.live, {});
    const sync = await client(operatorToken).clusters.sync.mutate();
    // The initial sync of the sandbox may come first; wait for this sync to be reported finished.
    let update = await operations.next();
    while (!(update.id === sync.operation.id && update.status === "succeeded")) update = await operations.next();
    expect(update).toMatchObject({ kind: "sync", actor: "olga" });
    expect(update.steps).toBeUndefined();

    const one = tracked(client(viewerToken).operations.live, { id: sync.operation.id });
    const withSteps = await one.next();
    expect(withSteps).toMatchObject({ id: sync.operation.id, status: "succeeded" });
    expect(withSteps.steps?.length).toBeGreaterThan(0);

    const unknown = follow(client(viewerToken).operations.live, { id: "op-unknown" });
    expect(((await unknown.error) as TRPCClientError<AppRouter>).data).toMatchObject({ code: "NOT_FOUND" });
  });
});

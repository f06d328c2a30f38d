import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { databaseTargets } from "../../db/testing";
import { createSilentLogger } from "../logger";
import { getOperation, startOperation, watchOperation, watchOperations, type OperationContext } from ".";

function createGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe.each(databaseTargets())("watching operations on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: OperationContext;
  const stops: AbortController[] = [];
  beforeAll(async () => {
    handle = await target.open();
    ctx = {
      db: handle.db,
      logger: createSilentLogger(),
      clock: () => new Date(),
      actor: { kind: "user", name: "alice" },
      // Lease renewals every 20 ms: they must not count as changes.
      config: { instanceId: "watcher-test", reconciler: { initialBackoffMs: 1_000, maxBackoffMs: 5_000 } },
    };
  });
  afterAll(async () => {
    for (const stop of stops) stop.abort();
    await handle?.close();
  });

  function signal(): AbortSignal {
    const stop = new AbortController();
    stops.push(stop);
    return stop.signal;
  }

  /** Waits until the running operation's lease was renewed twice (the watcher polls meanwhile). */
  async function leaseRenewedTwice(id: string): Promise<void> {
    const leaseOf = async () => (await getOperation(ctx, id))?.leaseExpiresAt?.getTime();
    const seen = new Set([await leaseOf()]);
    while (seen.size < 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen.add(await leaseOf());
    }
  }

  it("gives an operation with its steps, then again at each step's change, and not for lease renewals", async () => {
    const gates = [createGate(), createGate()];
    const started = await startOperation(
      ctx,
      { kind: "deploy", graphName: "watched", project: "demo" },
      async (_ctx, op) => {
        await op.step({ action: "placement" }, () => gates[0]!.opened);
        await op.step({ action: "helm-install", target: "web" }, async (log) => {
          log("installing web");
          await gates[1]!.opened;
        });
      },
      { heartbeatMs: 20, leaseMs: 1_000 },
    );
    // Consumed in the background, as a subscriber would, while the test holds the gates.
    const states: string[] = [];
    const waiters: { state: string; resolve: () => void }[] = [];
    // Stopped and awaited before the test ends, so no poll is left running when the database closes.
    const watching = new AbortController();
    const consumer = (async () => {
      for await (const operation of watchOperation(ctx, started.operation.id, { signal: watching.signal, intervalMs: 10 })) {
        const state = `${operation.status}: ${operation.steps.map((step) => `${step.action} ${step.status}`).join(", ")}`;
        // Everything the watcher compares, but the lease: two equal entries would be a renewal passed on.
        states.push(`${state} ${JSON.stringify(operation.steps.map((step) => [step.attempts, step.log, step.error]))}`);
        for (const waiter of waiters.filter((candidate) => candidate.state === state)) waiter.resolve();
      }
    })();
    const reach = (state: string) => (states.some((entry) => entry.startsWith(`${state} `)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ state, resolve })));

    await reach("running: placement running");
    await leaseRenewedTwice(started.operation.id);
    gates[0]!.open();
    await reach("running: placement succeeded, helm-install running");
    await leaseRenewedTwice(started.operation.id);
    gates[1]!.open();
    await started.done;
    await reach("succeeded: placement succeeded, helm-install succeeded");
    // Each state came once: the lease renewals while a gate was closed produced nothing.
    expect(new Set(states).size).toBe(states.length);
    expect(states.at(-1)).toMatch(/^succeeded: placement succeeded, helm-install succeeded /);
    watching.abort();
    await consumer;
  });

  it("lists the newest operations first as they are, then each one that changes", async () => {
    const gate = createGate();
    const done = await startOperation(ctx, { kind: "stop", graphName: "listed" }, async () => undefined);
    await done.done;
    const updates = watchOperations(ctx, { graphName: "listed" }, { signal: signal(), intervalMs: 10 });
    expect((await updates.next()).value).toMatchObject({ id: done.operation.id, status: "succeeded" });

    const running = await startOperation(ctx, { kind: "start", graphName: "listed" }, async (_ctx, op) => {
      await op.step({ action: "helm-install", target: "web" }, () => gate.opened);
    });
    let update = (await updates.next()).value!;
    expect(update.id).toBe(running.operation.id);
    while (update.status !== "running") update = (await updates.next()).value!;
    gate.open();
    await running.done;
    while (update.status !== "succeeded") {
      update = (await updates.next()).value!;
      // The finished operation never comes again: it did not change.
      expect(update.id).toBe(running.operation.id);
    }
  });

  it("ends a watch when its signal is aborted, and when the operation does not exist", async () => {
    const stop = new AbortController();
    const updates = watchOperations(ctx, { graphName: "nothing-here" }, { signal: stop.signal, intervalMs: 10 });
    const next = updates.next();
    stop.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(await watchOperation(ctx, "op-missing", { signal: signal() }).next()).toEqual({ done: true, value: undefined });
  });
});

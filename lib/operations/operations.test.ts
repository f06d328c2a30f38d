import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { databaseTargets } from "../../db/testing";
import { ConflictError, NotFoundError, PreconditionFailedError, UpstreamError } from "../errors";
import { listEvents } from "../events";
import { createSilentLogger } from "../logger";
import {
  getOperation,
  listOperations,
  OperationLeaseLostError,
  reconcileDeferredSteps,
  recoverOperations,
  retryOperation,
  runOperation,
  skipDeferredSteps,
  startOperation,
  startReconciler,
  StepFailedError,
  type OperationContext,
  type OperationExecutor,
  type StepRecord,
} from ".";

const RECONCILER = { initialBackoffMs: 1_000, maxBackoffMs: 5_000 };

function createContext(handle: DatabaseHandle, overrides: Partial<OperationContext> & { instanceId?: string } = {}): OperationContext {
  return {
    db: handle.db,
    logger: createSilentLogger(),
    clock: () => new Date(),
    actor: { kind: "user", name: "alice" },
    ...overrides,
    config: { instanceId: overrides.instanceId ?? "instance-a", reconciler: RECONCILER },
  };
}

/** A promise the test resolves when it chooses: holds an executor inside a step. */
function createGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  return { open, opened, reached, arrived };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(databaseTargets())("operations on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: OperationContext;
  beforeAll(async () => {
    handle = await target.open();
    ctx = createContext(handle);
  });
  afterAll(async () => handle?.close());

  it("runs a 3-step operation, writing each step before and after its call", async () => {
    const seenInside: StepRecord[] = [];
    const operation = await runOperation(ctx, { kind: "deploy", graphName: "three-steps", project: "demo", input: { descriptor: "x" } }, async (_ctx, op) => {
      for (const [index, action] of ["placement", "helm-install", "grafana-dashboard"].entries()) {
        const result = await op.step({ action, target: "svc", detail: { index } }, async (log) => {
          const current = await getOperation(ctx, op.id);
          seenInside.push(current!.steps.find((step) => step.action === action)!);
          log(`running ${action}`);
          return (index + 1) * 10;
        });
        expect(result).toEqual({ status: "succeeded", value: (index + 1) * 10, resumed: false });
      }
    });

    expect(operation.id).toMatch(/^op_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(operation).toMatchObject({ kind: "deploy", status: "succeeded", graphName: "three-steps", project: "demo", actor: "alice", attempt: 1, error: null, leaseOwner: "instance-a", leaseExpiresAt: null, input: { descriptor: "x" } });
    expect(operation.finishedAt!.getTime()).toBeGreaterThanOrEqual(operation.startedAt!.getTime());

    expect(seenInside.map((step) => [step.seq, step.status, step.attempts, step.finishedAt])).toEqual([
      [1, "running", 1, null],
      [2, "running", 1, null],
      [3, "running", 1, null],
    ]);
    expect(seenInside.every((step) => step.startedAt instanceof Date)).toBe(true);

    const stored = await getOperation(ctx, operation.id);
    expect(stored!.steps.map((step) => [step.seq, step.action, step.target, step.status, step.attempts, step.detail, step.log])).toEqual([
      [1, "placement", "svc", "succeeded", 1, { index: 0, result: 10 }, "running placement\n"],
      [2, "helm-install", "svc", "succeeded", 1, { index: 1, result: 20 }, "running helm-install\n"],
      [3, "grafana-dashboard", "svc", "succeeded", 1, { index: 2, result: 30 }, "running grafana-dashboard\n"],
    ]);

    const events = await listEvents(ctx, { graphName: "three-steps" });
    expect(events.map((event) => [event.kind, event.operationId, event.actor, event.project])).toEqual([
      ["operation.succeeded", operation.id, "alice", "demo"],
      ["operation.started", operation.id, "alice", "demo"],
    ]);
    expect(events[0]!.message).toBe(`deploy of graph three-steps (${operation.id}) succeeded`);
    expect(await listOperations(ctx, { graphName: "three-steps", status: "succeeded" })).toEqual([operation]);
  });

  it("fails at an upstream error, keeps later steps unrun, and a retry resumes from the failed step", async () => {
    const calls = { placement: 0, install: 0, dashboard: 0 };
    const helmFailure = new UpstreamError("helm", 'Error: INSTALLATION FAILED: cannot re-use a name that is still in use', { status: 1, reason: "name-in-use" });
    const executor: OperationExecutor<OperationContext> = async (_ctx, op) => {
      const placement = await op.step({ action: "placement" }, async () => {
        calls.placement++;
        return { clusters: ["paris"] };
      });
      await op.step({ action: "helm-install", target: "svc-b" }, async (log) => {
        calls.install++;
        log(`installing on ${(placement as { value: { clusters: string[] } }).value.clusters[0]}`);
        if (calls.install === 1) throw helmFailure;
      });
      await op.step({ action: "grafana-dashboard", target: "svc-b" }, async () => {
        calls.dashboard++;
      });
    };

    const failed = await runOperation(ctx, { kind: "deploy", graphName: "failing" }, executor);
    expect(failed).toMatchObject({ status: "failed", error: helmFailure.message, attempt: 1 });
    expect(failed.error).toBe("helm: Error: INSTALLATION FAILED: cannot re-use a name that is still in use");
    expect(calls).toEqual({ placement: 1, install: 1, dashboard: 0 });
    const afterFailure = await getOperation(ctx, failed.id);
    expect(afterFailure!.steps.map((step) => [step.seq, step.action, step.status, step.error])).toEqual([
      [1, "placement", "succeeded", null],
      [2, "helm-install", "failed", helmFailure.message],
    ]);
    expect(afterFailure!.steps[1]!.log).toBe(`installing on paris\nerror: ${helmFailure.message}\n`);
    const [failedEvent] = await listEvents(ctx, { graphName: "failing" });
    expect(failedEvent).toMatchObject({ kind: "operation.failed", severity: "error", operationId: failed.id });
    expect(failedEvent!.message).toBe(`deploy of graph failing (${failed.id}) failed at step helm-install svc-b: ${helmFailure.message}`);

    const retried = await retryOperation(ctx, failed.id, { deploy: executor });
    expect(retried).toMatchObject({ id: failed.id, status: "succeeded", error: null, attempt: 2 });
    expect(calls).toEqual({ placement: 1, install: 2, dashboard: 1 });
    const afterRetry = await getOperation(ctx, failed.id);
    expect(afterRetry!.steps.map((step) => [step.seq, step.action, step.status, step.attempts, step.error])).toEqual([
      [1, "placement", "succeeded", 1, null],
      [2, "helm-install", "succeeded", 2, null],
      [3, "grafana-dashboard", "succeeded", 1, null],
    ]);
    // The first attempt's error stays readable in the log after the retry cleared it.
    expect(afterRetry!.steps[1]!.log).toBe(`installing on paris\nerror: ${helmFailure.message}\ninstalling on paris\n`);
    expect((await listEvents(ctx, { graphName: "failing" })).map((event) => event.kind)).toEqual([
      "operation.succeeded",
      "operation.retried",
      "operation.failed",
      "operation.started",
    ]);

    await expect(retryOperation(ctx, failed.id, { deploy: executor })).rejects.toThrow(PreconditionFailedError);
    await expect(retryOperation(ctx, failed.id, { deploy: executor })).rejects.toThrow(`operation ${failed.id} is succeeded; only a failed operation can be retried`);
    await expect(retryOperation(ctx, "op_missing", { deploy: executor })).rejects.toThrow(NotFoundError);
  });

  it("records an unexpected executor error on the operation and rethrows it", async () => {
    const bug = new TypeError("cannot read properties of undefined (reading 'clusters')");
    await expect(
      runOperation(ctx, { kind: "stop", graphName: "buggy" }, async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
    const [operation] = await listOperations(ctx, { graphName: "buggy" });
    expect(operation).toMatchObject({ status: "failed", error: bug.message });
    const retriedWithout = retryOperation(ctx, operation!.id, {});
    await expect(retriedWithout).rejects.toThrow(`operation ${operation!.id} cannot be retried: no executor for stop operations`);
  });

  it("defers a failing deferrable step and retries it with a doubling, capped backoff", async () => {
    let now = new Date("2026-11-26T10:00:00.000Z");
    const timed = { ...ctx, clock: () => now };
    const at = (ms: number) => new Date(Date.parse("2026-11-26T10:00:00.000Z") + ms);
    const operation = await runOperation(timed, { kind: "deploy", graphName: "deferring" }, async (_ctx, op) => {
      const result = await op.step({ action: "grafana-dashboard", target: "svc-a", deferrable: true, detail: { uid: "smo-svc-a" } }, async () => {
        throw new UpstreamError("grafana", "POST /api/dashboards/db: connect ECONNREFUSED 127.0.0.1:3000");
      });
      expect(result).toEqual({ status: "deferred", error: "grafana: POST /api/dashboards/db: connect ECONNREFUSED 127.0.0.1:3000" });
      await op.step({ action: "helm-install", target: "svc-a" }, async () => undefined);
    });
    expect(operation.status).toBe("succeeded");
    const deferredStep = () => getOperation(timed, operation.id).then((stored) => stored!.steps[0]!);
    expect(await deferredStep()).toMatchObject({ status: "deferred", attempts: 1, nextAttemptAt: at(1_000), error: "grafana: POST /api/dashboards/db: connect ECONNREFUSED 127.0.0.1:3000" });
    const events = await listEvents(timed, { graphName: "deferring" });
    expect(events.map((event) => event.kind)).toEqual(["operation.succeeded", "operation.step-deferred", "operation.started"]);
    expect(events[0]!.message).toContain("1 step deferred");

    const handled: StepRecord[] = [];
    let handlerFails = true;
    const handlers = {
      "grafana-dashboard": async (_ctx: OperationContext, step: StepRecord) => {
        handled.push(step);
        if (handlerFails) throw new UpstreamError("grafana", "still down");
      },
    };

    now = at(999);
    expect(await reconcileDeferredSteps(timed, handlers)).toEqual({ retried: 0, succeeded: 0, stillDeferred: 0 });
    expect(handled).toHaveLength(0);

    // Each failed retry doubles the wait (1 s → 2 s → 4 s), capped at the maximum (5 s).
    const expectedWaits = [2_000, 4_000, 5_000, 5_000];
    for (const [index, wait] of expectedWaits.entries()) {
      const step = await deferredStep();
      now = step.nextAttemptAt!;
      expect(await reconcileDeferredSteps(timed, handlers)).toEqual({ retried: 1, succeeded: 0, stillDeferred: 1 });
      expect(await deferredStep()).toMatchObject({ status: "deferred", attempts: index + 2, error: "grafana: still down", nextAttemptAt: new Date(now.getTime() + wait) });
    }
    expect(handled.map((step) => step.detail)).toEqual(Array(4).fill({ uid: "smo-svc-a" }));

    handlerFails = false;
    now = (await deferredStep()).nextAttemptAt!;
    expect(await reconcileDeferredSteps(timed, handlers)).toEqual({ retried: 1, succeeded: 1, stillDeferred: 0 });
    expect(await deferredStep()).toMatchObject({ status: "succeeded", attempts: 6, error: null, nextAttemptAt: null, finishedAt: now });
    expect((await deferredStep()).log).toContain("retry 5 succeeded");
    const [recovered] = await listEvents(timed, { graphName: "deferring" });
    expect(recovered).toMatchObject({ kind: "operation.step-recovered", operationId: operation.id, message: "deferred grafana-dashboard svc-a succeeded on retry 5" });

    now = at(3_600_000);
    expect(await reconcileDeferredSteps(timed, handlers)).toEqual({ retried: 0, succeeded: 0, stillDeferred: 0 });
  });

  it("keeps a deferred step without a handler deferred, and skips deferred steps of a graph on request", async () => {
    let now = new Date("2026-11-27T10:00:00.000Z");
    const timed = { ...ctx, clock: () => now };
    const operation = await runOperation(timed, { kind: "deploy", graphName: "skipping" }, async (_ctx, op) => {
      for (const action of ["alert-rule", "grafana-dashboard"]) {
        await op.step({ action, target: "svc", deferrable: true }, async () => {
          throw new UpstreamError("prometheus", "unreachable");
        });
      }
    });
    now = new Date(now.getTime() + 1_000);
    expect(await reconcileDeferredSteps(timed, {})).toEqual({ retried: 2, succeeded: 0, stillDeferred: 2 });
    expect((await getOperation(timed, operation.id))!.steps.map((step) => step.error)).toEqual([
      'no handler is registered for deferred "alert-rule" steps',
      'no handler is registered for deferred "grafana-dashboard" steps',
    ]);
    const skipped = await skipDeferredSteps(timed, { graphName: "skipping", actions: ["alert-rule"] });
    expect(skipped.map((step) => [step.action, step.status])).toEqual([["alert-rule", "skipped"]]);
    now = new Date(now.getTime() + 60_000);
    expect(await reconcileDeferredSteps(timed, {})).toEqual({ retried: 1, succeeded: 0, stillDeferred: 1 });
  });

  it("runs steps() with bounded concurrency, attempts every step and reports the first failure", async () => {
    let active = 0;
    let maxActive = 0;
    const attempted: string[] = [];
    const targets = ["s1", "s2", "s3", "s4", "s5", "s6"];
    let thrown: unknown;
    const operation = await runOperation(ctx, { kind: "deploy", graphName: "parallel" }, async (_ctx, op) => {
      try {
        await op.steps(
          targets.map((service) => ({
            spec: { action: "helm-install", target: service },
            run: async () => {
              attempted.push(service);
              active++;
              maxActive = Math.max(maxActive, active);
              await sleep(15);
              active--;
              if (service === "s3" || service === "s5") throw new UpstreamError("helm", `Error: INSTALLATION FAILED: ${service} has an invalid chart`);
              return service.toUpperCase();
            },
          })),
          2,
        );
      } catch (error) {
        thrown = error;
        throw error;
      }
    });
    expect(maxActive).toBe(2);
    expect(attempted.sort()).toEqual(targets);
    expect(thrown).toBeInstanceOf(StepFailedError);
    const failure = thrown as StepFailedError;
    expect(failure.step.target).toBe("s3");
    expect(failure.failedSteps.map((step) => step.target)).toEqual(["s3", "s5"]);
    expect(operation).toMatchObject({ status: "failed", error: "helm: Error: INSTALLATION FAILED: s3 has an invalid chart" });
    const steps = (await getOperation(ctx, operation.id))!.steps;
    expect(steps.map((step) => step.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.filter((step) => step.status === "failed").map((step) => step.target).sort()).toEqual(["s3", "s5"]);
    expect(steps.filter((step) => step.status === "succeeded").map((step) => step.detail)).toEqual(
      expect.arrayContaining([{ result: "S1" }, { result: "S2" }, { result: "S4" }, { result: "S6" }]),
    );
  });

  it("returns every result of steps(), deferrals included, when nothing fails", async () => {
    const operation = await runOperation(ctx, { kind: "start", graphName: "parallel-ok" }, async (_ctx, op) => {
      const results = await op.steps(
        [
          { spec: { action: "helm-install", target: "a" }, run: async () => 1 },
          { spec: { action: "alert-rule", target: "a", deferrable: true }, run: async () => Promise.reject(new UpstreamError("prometheus", "503")) },
          { spec: { action: "helm-install", target: "b" }, run: async () => 2 },
        ],
        3,
      );
      expect(results).toEqual([
        { status: "succeeded", value: 1, resumed: false },
        { status: "deferred", error: "prometheus: 503" },
        { status: "succeeded", value: 2, resumed: false },
      ]);
    });
    expect(operation.status).toBe("succeeded");
  });

  it("serialises operations on one graph in this process, not across graphs", async () => {
    const gate = createGate();
    const timeline: string[] = [];
    const blocking = runOperation(ctx, { kind: "deploy", graphName: "serial" }, async (_ctx, op) => {
      timeline.push("first started");
      await op.step({ action: "wait" }, async () => {
        gate.reached();
        await gate.opened;
      });
      timeline.push("first finished");
    });
    await gate.arrived;
    const second = runOperation(ctx, { kind: "stop", graphName: "serial" }, async () => {
      timeline.push("second started");
    });
    // Another graph is not held up by the busy one.
    const elsewhere = await runOperation(ctx, { kind: "deploy", graphName: "serial-other" }, async () => {
      timeline.push("other graph ran");
    });
    expect(elsewhere.status).toBe("succeeded");
    expect(await listOperations(ctx, { graphName: "serial" })).toHaveLength(1);
    gate.open();
    const [first, then] = await Promise.all([blocking, second]);
    expect(timeline).toEqual(["first started", "other graph ran", "first finished", "second started"]);
    expect(then.startedAt!.getTime()).toBeGreaterThanOrEqual(first.finishedAt!.getTime());
  });

  it("refuses a second process's operation on a busy graph with a ConflictError", async () => {
    const otherProcess = createContext(handle, { instanceId: "instance-b" });
    const gate = createGate();
    const first = runOperation(ctx, { kind: "deploy", graphName: "guarded" }, async (_ctx, op) => {
      await op.step({ action: "wait" }, async () => {
        gate.reached();
        await gate.opened;
      });
    });
    await gate.arrived;
    const [running] = await listOperations(ctx, { graphName: "guarded", status: "running" });
    const refused = runOperation(otherProcess, { kind: "stop", graphName: "guarded" }, async () => undefined);
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(`an operation (deploy ${running!.id}) is already running on graph guarded`);
    expect(await listOperations(ctx, { graphName: "guarded" })).toHaveLength(1);
    gate.open();
    expect((await first).status).toBe("succeeded");
    expect((await runOperation(otherProcess, { kind: "stop", graphName: "guarded" }, async () => undefined)).status).toBe("succeeded");
  });

  it("refuses at once with ifGraphBusy: conflict, and refuses a retry while another operation runs on the graph", async () => {
    const failed = await runOperation(ctx, { kind: "deploy", graphName: "busy" }, async (_ctx, op) => {
      await op.step({ action: "helm-install" }, async () => Promise.reject(new UpstreamError("helm", "Error: timed out waiting for the condition")));
    });
    const gate = createGate();
    const holder = runOperation(createContext(handle, { instanceId: "instance-b" }), { kind: "sync", graphName: "busy" }, async (_ctx, op) => {
      await op.step({ action: "wait" }, async () => {
        gate.reached();
        await gate.opened;
      });
    });
    await gate.arrived;
    const [running] = await listOperations(ctx, { graphName: "busy", status: "running" });
    const message = `an operation (sync ${running!.id}) is already running on graph busy`;
    const retry = retryOperation(ctx, failed.id, { deploy: async () => undefined });
    await expect(retry).rejects.toThrow(ConflictError);
    await expect(retry).rejects.toThrow(message);
    expect((await getOperation(ctx, failed.id))!).toMatchObject({ status: "failed", attempt: 1, error: "helm: Error: timed out waiting for the condition" });
    gate.open();
    await holder;

    const local = createGate();
    const first = runOperation(ctx, { kind: "deploy", graphName: "busy-here" }, async (_ctx, op) => {
      await op.step({ action: "wait" }, async () => {
        local.reached();
        await local.opened;
      });
    });
    await local.arrived;
    const [busyHere] = await listOperations(ctx, { graphName: "busy-here" });
    await expect(startOperation(ctx, { kind: "stop", graphName: "busy-here" }, async () => undefined, { ifGraphBusy: "conflict" })).rejects.toThrow(
      `an operation (deploy ${busyHere!.id}) is already running on graph busy-here`,
    );
    local.open();
    await first;
    expect((await retryOperation(ctx, failed.id, { deploy: async () => undefined })).status).toBe("succeeded");
  });

  it("retries deferred steps in a background reconciler until stopped", async () => {
    let grafanaUp = false;
    const operation = await runOperation(createContext(handle, { instanceId: "instance-r" }), { kind: "deploy", graphName: "reconciled" }, async (_ctx, op) => {
      await op.step({ action: "grafana-dashboard", target: "graph", deferrable: true }, async () => {
        if (!grafanaUp) throw new UpstreamError("grafana", "503 Service Unavailable");
      });
    });
    grafanaUp = true;
    // A clock past the backoff makes the step due at the loop's first pass.
    const later = createContext(handle, { clock: () => new Date(Date.now() + 10_000) });
    const reconciled = createGate();
    const reconciler = startReconciler(later, {
      // Steps of other tests' graphs may be due too; only this one opens the gate.
      "grafana-dashboard": async (_ctx, step) => {
        if (step.operationId === operation.id) reconciled.reached();
      },
    }, { intervalMs: 20 });
    await reconciled.arrived;
    await reconciler.stop();
    expect((await getOperation(ctx, operation.id))!.steps[0]).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("answers startOperation once the row exists and finishes in the background", async () => {
    const gate = createGate();
    const { operation, done } = await startOperation(ctx, { kind: "reapply", graphName: "background" }, async (_ctx, op) => {
      await op.step({ action: "wait" }, async () => {
        await gate.opened;
      });
    });
    expect(operation.status).toBe("running");
    expect((await getOperation(ctx, operation.id))!.status).toBe("running");
    gate.open();
    expect((await done).status).toBe("succeeded");
  });

  it("renews the lease while an executor runs, and stops a run whose lease another process claimed", async () => {
    const gate = createGate();
    let leaseSeenInside: Date | null = null;
    const startedAt = Date.now();
    const renewed = await runOperation(
      ctx,
      { kind: "sync", graphName: "heartbeat" },
      async (_ctx, op) => {
        await op.step({ action: "wait" }, async () => {
          await sleep(400);
          leaseSeenInside = (await getOperation(ctx, op.id))!.leaseExpiresAt;
        });
      },
      { leaseMs: 300, heartbeatMs: 50 },
    );
    expect(renewed.status).toBe("succeeded");
    expect(leaseSeenInside!.getTime()).toBeGreaterThan(startedAt + 300);

    let secondStepRan = false;
    const stolen = runOperation(
      ctx,
      { kind: "sync", graphName: "stolen" },
      async (_ctx, op) => {
        await op.step({ action: "wait" }, async () => {
          gate.reached();
          await gate.opened;
        });
        await op.step({ action: "after" }, async () => {
          secondStepRan = true;
        });
      },
      { leaseMs: 60_000 },
    );
    await gate.arrived;
    // Another process whose clock is past the lease believes this one died and claims the operation.
    const claimer = createContext(handle, { instanceId: "instance-c", clock: () => new Date(Date.now() + 3_600_000) });
    const claimerRuns: string[] = [];
    const recovered = await recoverOperations(claimer, {
      sync: async (_ctx, op) => {
        claimerRuns.push(op.id);
        await op.step({ action: "wait" }, async () => undefined);
      },
    });
    expect(recovered.map((operation) => [operation.graphName, operation.status, operation.leaseOwner])).toEqual([["stolen", "succeeded", "instance-c"]]);
    gate.open();
    await expect(stolen).rejects.toThrow(OperationLeaseLostError);
    expect(secondStepRan).toBe(false);
    expect((await getOperation(ctx, recovered[0]!.id))!.status).toBe("succeeded");
  });

  it("refuses a bad kind without writing anything, and fails an operation on a step without an action", async () => {
    const before = (await listOperations(ctx, { limit: 500 })).length;
    await expect(runOperation(ctx, { kind: "explode" as "deploy", graphName: "x" }, async () => undefined)).rejects.toThrow(
      "kind: must be one of deploy, start, stop, remove, replace, scale, sync, reapply, got \"explode\"",
    );
    await expect(runOperation(ctx, { kind: "deploy", graphName: "bad-step" }, async (_ctx, op) => void (await op.step({ action: " " }, async () => undefined)))).rejects.toThrow(
      "a step needs a non-empty action",
    );
    expect((await listOperations(ctx, { limit: 500 })).length).toBe(before + 1);
  });
});


/**
 * Crash recovery for real: a child process begins two operations and is killed with SIGKILL
 * inside step 2; this process then recovers them from the database the child left behind.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type DatabaseHandle } from "../../db";
import { ConflictError } from "../errors";
import { listEvents } from "../events";
import { createSilentLogger } from "../logger";
import { getOperation, listOperations, recoverOperations, runOperation, type OperationContext, type OperationExecutor } from ".";

const CHILD_SCRIPT = fileURLToPath(new URL("./testdata/crash-child.ts", import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD_LEASE_MS = 1_000;
/** Starting tsx and a fresh PGlite folder takes seconds, many more on a loaded machine. */
const CHILD_DEADLINE_MS = 90_000;

type RecoveryTarget = {
  name: string;
  /** Where the child writes: a PGlite folder or a postgres:// URL. */
  location: string;
  /** Creates the (empty) database before the child runs. */
  prepare: () => Promise<void>;
  open: () => Promise<DatabaseHandle>;
  cleanup: () => Promise<void>;
};

function pgliteFolderTarget(): RecoveryTarget {
  const folder = mkdtempSync(path.join(tmpdir(), "smo-operations-crash-"));
  const dataDir = path.join(folder, "pglite");
  return {
    name: "pglite folder",
    location: dataDir,
    prepare: async () => undefined,
    open: () => createDb({ dataDir }),
    cleanup: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

function postgresTarget(adminUrl: string): RecoveryTarget {
  const name = `smo_test_crash_${randomBytes(6).toString("hex")}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: "postgres",
    location: url.toString(),
    prepare: () => adminQuery(adminUrl, `create database ${name}`),
    open: () => createDb({ url: url.toString() }),
    cleanup: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

function recoveryTargets(): RecoveryTarget[] {
  const adminUrl = process.env.TEST_DATABASE_URL;
  return adminUrl ? [pgliteFolderTarget(), postgresTarget(adminUrl)] : [pgliteFolderTarget()];
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Starts the child, waits until both operations are blocked inside step 2, kills it, and returns their ids. */
async function crashChildInsideStepTwo(location: string, graphs: [string, string]): Promise<string[]> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT, location, ...graphs, String(CHILD_LEASE_MS)], {
    cwd: REPOSITORY_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  // A child that never blocks must not outlive the test.
  const deadline = setTimeout(() => child.kill("SIGKILL"), CHILD_DEADLINE_MS);
  const blocked = await new Promise<string[]>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const ids = [...stdout.matchAll(/^BLOCKED (op_\w+)$/gm)].map((match) => match[1]!);
      if (ids.length === 2) resolve(ids);
    });
    void exited.then((how) => reject(new Error(`the crash child exited (${how}) before blocking; stderr:\n${stderr}`)));
  });
  clearTimeout(deadline);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  return blocked;
}

describe.each(recoveryTargets())("recovery after a crash on $name", (target) => {
  let handle: DatabaseHandle | undefined;
  afterAll(async () => {
    await handle?.close();
    await target.cleanup();
  });

  it("resumes a killed process's operation without redoing finished steps, and fails one it has no executor for", { timeout: 150_000 }, async () => {
    await target.prepare();
    const [deployId, syncId] = await crashChildInsideStepTwo(target.location, ["crashed-deploy", "crashed-sync"]);
    // PGlite allows one process per folder: open it only now that the child is dead.
    handle = await target.open();
    const ctx: OperationContext = {
      db: handle.db,
      logger: createSilentLogger(),
      clock: () => new Date(),
      actor: { kind: "system", name: "system" },
      config: { instanceId: "recovering-instance", reconciler: { initialBackoffMs: 1_000, maxBackoffMs: 5_000 } },
    };

    const leftBehind = await getOperation(ctx, deployId!);
    expect(leftBehind!.status).toBe("running");
    expect(leftBehind!.steps.map((step) => [step.seq, step.action, step.status])).toEqual([
      [1, "prepare", "succeeded"],
      [2, "helm-install", "running"],
    ]);

    const calls = { prepare: 0, install: 0 };
    let resumedValue: unknown;
    const deploy: OperationExecutor<OperationContext> = async (_ctx, op) => {
      const prepared = await op.step({ action: "prepare", target: "plan" }, async () => {
        calls.prepare++;
        return { token: "from-the-recovering-process" };
      });
      resumedValue = prepared;
      await op.step({ action: "helm-install", target: "svc" }, async (log) => {
        calls.install++;
        log("installed after recovery");
      });
    };

    // While the dead child's lease still runs, nothing is claimed (seen at the instant before it expires).
    const expiries = (await listOperations(ctx, { status: "running" })).map((operation) => operation.leaseExpiresAt!.getTime());
    expect(expiries).toHaveLength(2);
    expect(await recoverOperations({ ...ctx, clock: () => new Date(Math.min(...expiries) - 1) }, { deploy })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(Math.max(...expiries) - Date.now() + 50, 0)));
    const recovered = await recoverOperations(ctx, { deploy });

    expect(recovered.map((operation) => [operation.id, operation.kind, operation.status, operation.attempt, operation.leaseOwner]).sort()).toEqual(
      [
        [deployId, "deploy", "succeeded", 2, "recovering-instance"],
        [syncId, "sync", "failed", 2, "recovering-instance"],
      ].sort(),
    );
    expect(calls).toEqual({ prepare: 0, install: 1 });
    expect(resumedValue).toEqual({ status: "succeeded", value: { token: "from-crashed-deploy" }, resumed: true });

    const deployed = await getOperation(ctx, deployId!);
    expect(deployed!.steps.map((step) => [step.seq, step.action, step.status, step.attempts])).toEqual([
      [1, "prepare", "succeeded", 1],
      [2, "helm-install", "succeeded", 2],
    ]);
    expect(deployed!.steps[0]!.log).toMatch(/^prepared by \d+\n$/);
    expect(deployed!.steps[1]!.log).toBe("installed after recovery\n");

    const synced = await getOperation(ctx, syncId!);
    expect(synced!.error).toBe("interrupted by a restart; no executor for sync operations to resume it");
    expect(synced!.steps.map((step) => [step.action, step.status, step.error])).toEqual([
      ["prepare", "succeeded", null],
      ["helm-install", "failed", "interrupted by a restart"],
    ]);
    expect((await listEvents(ctx, { graphName: "crashed-deploy" })).map((event) => event.kind)).toEqual(["operation.succeeded", "operation.resumed", "operation.started"]);
    expect((await listEvents(ctx, { graphName: "crashed-sync" }))[0]).toMatchObject({
      kind: "operation.failed",
      severity: "error",
      message: `sync of graph crashed-sync (${syncId}) failed: interrupted by a restart; no executor for sync operations to resume it`,
    });

    // Nothing is left to recover, and the graphs are free for new operations.
    expect(await recoverOperations(ctx, { deploy })).toEqual([]);
    expect((await runOperation(ctx, { kind: "stop", graphName: "crashed-sync" }, async () => undefined)).status).toBe("succeeded");
  });
});

const adminUrl = process.env.TEST_DATABASE_URL;
describe.runIf(adminUrl)("two processes on one PostgreSQL database", () => {
  const target = postgresTarget(adminUrl!);
  const handles: DatabaseHandle[] = [];
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await target.cleanup();
  });

  it("lets exactly one of two racing instances run an operation on a graph", async () => {
    await target.prepare();
    handles.push(await target.open(), await target.open());
    const contexts = handles.map(
      (handle, index): OperationContext => ({
        db: handle.db,
        logger: createSilentLogger(),
        clock: () => new Date(),
        actor: { kind: "system", name: "system" },
        config: { instanceId: `instance-${index}`, reconciler: { initialBackoffMs: 1_000, maxBackoffMs: 5_000 } },
      }),
    );
    for (let round = 0; round < 5; round++) {
      const graphName = `raced-${round}`;
      const outcomes = await Promise.allSettled(
        contexts.map((ctx) =>
          runOperation(ctx, { kind: "deploy", graphName }, async (_ctx, op) => {
            await op.step({ action: "hold" }, () => new Promise((resolve) => setTimeout(resolve, 50)));
          }),
        ),
      );
      const refused = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      expect((refused[0] as PromiseRejectedResult).reason.message).toMatch(new RegExp(`^an operation \\(deploy op_\\w+\\) is already running on graph ${graphName}$`));
    }
  });
});

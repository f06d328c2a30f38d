/**
 * A process that dies mid-operation, for the crash-recovery test. It begins a "deploy" on graph
 * A and a "sync" on graph B against the database given as argument (a PGlite folder or a
 * postgres:// URL), completes step 1 of each, then blocks inside step 2 and prints
 * `BLOCKED <operation id>` per operation; the test kills it with SIGKILL.
 * Usage: node --import tsx crash-child.ts <dataDir | postgres-url> <graph A> <graph B> <leaseMs>
 */
import { createDb } from "../../../db";
import { DEFAULT_CORE_CONFIG } from "../../context";
import { createSilentLogger } from "../../logger";
import { runOperation, type OperationContext, type OperationHandle } from "..";

const [location, graphA, graphB, leaseMsText] = process.argv.slice(2);
if (!location || !graphA || !graphB || !leaseMsText) throw new Error("usage: crash-child.ts <dataDir | postgres-url> <graph A> <graph B> <leaseMs>");

const database = await createDb(location.startsWith("postgres") ? { url: location } : { dataDir: location });
const ctx: OperationContext = {
  db: database.db,
  logger: createSilentLogger(),
  clock: () => new Date(),
  actor: { kind: "user", name: "crash-child" },
  config: { instanceId: `crash-child-${process.pid}`, reconciler: DEFAULT_CORE_CONFIG.reconciler },
};
// Keeps the process alive while it blocks (the lease heartbeat is unref'd on purpose).
setInterval(() => undefined, 60_000);

const blockInStepTwo = async (_ctx: OperationContext, operation: OperationHandle) => {
  await operation.step({ action: "prepare", target: "plan" }, async (log) => {
    log(`prepared by ${process.pid}`);
    return { token: `from-${operation.record.graphName}` };
  });
  await operation.step({ action: "helm-install", target: "svc" }, async () => {
    process.stdout.write(`BLOCKED ${operation.id}\n`);
    await new Promise(() => undefined);
  });
};
const leaseMs = Number(leaseMsText);
void runOperation(ctx, { kind: "deploy", graphName: graphA, project: "demo" }, blockInStepTwo, { leaseMs });
void runOperation(ctx, { kind: "sync", graphName: graphB }, blockInStepTwo, { leaseMs });

/**
 * One console replica's scaling worker as its own process, for the leader-election test: it
 * joins the shared PostgreSQL database and the parent's sandbox federation named in the
 * environment, and runs until SIGTERM (graceful) or SIGKILL (a crash).
 */
import { createDb } from "../../../db";
import { createCoreClients } from "../../../lib/clients";
import { DEFAULT_CORE_CONFIG, SYSTEM_ACTOR, type CoreContext } from "../../../lib/context";
import { createLogger } from "../../../lib/logger";
import { startScalingWorker } from "../scaler";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const instanceId = required("SMO_INSTANCE_ID");
const databaseUrl = required("DATABASE_URL");
const logger = createLogger({ name: instanceId, level: "info" });
const database = await createDb({ url: databaseUrl, migrate: false });
const clients = createCoreClients({
  kubeconfigPath: required("KARMADA_KUBECONFIG"),
  prometheusUrl: required("PROMETHEUS_URL"),
  helm: { bin: required("HELM_BIN"), plainHttp: true },
  alertRule: { namespace: "monitoring", name: "kube-prometheus-stack-0", group: "smo-alerts" },
  logger,
});
const ctx: CoreContext = { db: database.db, clients, config: { ...DEFAULT_CORE_CONFIG, instanceId }, logger, clock: () => new Date(), actor: SYSTEM_ACTOR };

const worker = await startScalingWorker(ctx, {
  databaseUrl,
  tickMs: Number(required("SCALER_TICK_MS")),
  leaderRetryMs: Number(required("SCALER_LEADER_RETRY_MS")),
  onInfeasible: async (graphName, reason) => logger.warn({ graphName, reason }, "infeasible: a re-placement would start here"),
});
logger.info("scaling worker started");

process.once("SIGTERM", () => {
  void worker
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, "stopping failed");
      process.exit(1);
    });
});

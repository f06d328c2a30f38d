/**
 * A console process for the crash test: connects to the parent's sandbox (kubeconfig, URLs and
 * helm executable from the environment) and to a PGlite folder, deploys one descriptor, and is
 * killed by the parent part-way through. Prints "deploying <graph>" when the deploy begins.
 */
import { createDb } from "../../../db";
import { createCoreClients } from "../../clients";
import { DEFAULT_CORE_CONFIG, SYSTEM_ACTOR, type CoreContext } from "../../context";
import { createLogger } from "../../logger";
import { deployGraph } from "..";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const logger = createLogger({ level: "info", name: "deploy-child" });
const database = await createDb({ dataDir: required("SMO_CHILD_DATA_DIR") });
const clients = createCoreClients({
  kubeconfigPath: required("SMO_CHILD_KUBECONFIG"),
  prometheusUrl: required("SMO_CHILD_PROMETHEUS_URL"),
  grafana: { url: required("SMO_CHILD_GRAFANA_URL"), auth: { kind: "basic", user: required("SMO_CHILD_GRAFANA_USER"), password: required("SMO_CHILD_GRAFANA_PASSWORD") } },
  helm: {
    bin: required("SMO_CHILD_HELM_BIN"),
    plainHttp: true,
    env: { SMO_SIM_HELM_LATENCY_MS: required("SMO_CHILD_HELM_LATENCY_MS"), SMO_SIM_HELM_LOG: required("SMO_CHILD_HELM_LOG") },
  },
  alertRule: { namespace: "monitoring", name: "kube-prometheus-stack-0", group: "smo-alerts" },
  logger,
});
const ctx: CoreContext = {
  db: database.db,
  clients,
  config: { ...DEFAULT_CORE_CONFIG, instanceId: "crashing-console", deploy: { serviceConcurrency: Number(required("SMO_CHILD_CONCURRENCY")) } },
  logger,
  clock: () => new Date(),
  actor: SYSTEM_ACTOR,
};
process.stdout.write(`deploying ${process.env.SMO_CHILD_GRAPH}\n`);
const result = await deployGraph(ctx, { project: required("SMO_CHILD_PROJECT"), descriptor: { file: required("SMO_CHILD_DESCRIPTOR") } });
process.stdout.write(`finished ${result.operation.status}\n`);
await database.close();

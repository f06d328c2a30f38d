/**
 * `npm run sim`: the sandbox federation alone, for people and for kubectl. The first line of
 * output is one JSON object with the kubeconfig path, the Prometheus and Grafana URLs and the
 * helm executable; it runs until interrupted.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../lib/logger";
import { startSandbox } from "./sandbox";

const { values } = parseArgs({
  options: { "data-dir": { type: "string" }, ephemeral: { type: "boolean", default: false } },
  strict: true,
});
const dataDir = values.ephemeral ? undefined : path.resolve(values["data-dir"] ?? path.join(process.env.SMO_DATA_DIR ?? "data", "sandbox"));
// Logs go to stderr so that stdout starts with the endpoints line.
const logger = createLogger({ name: "smo-sim", destination: process.stderr });
const sandbox = await startSandbox({ dataDir, logger });
process.stdout.write(JSON.stringify(sandbox.endpoints) + "\n");
logger.info({ dataDir: dataDir ?? "memory", grafanaUser: sandbox.grafanaAuth.user }, "sandbox federation running; Ctrl-C stops it");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sandbox
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "closing the sandbox failed");
        process.exit(1);
      });
  });
}

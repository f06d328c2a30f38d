/**
 * A core context wired to a fresh sandbox federation and a fresh database, for tests and
 * benchmarks of the orchestration services: the same clients as production, real protocols.
 */
import { randomUUID } from "node:crypto";
import { createDb, type DatabaseHandle } from "../db";
import { createCoreClients } from "../lib/clients";
import { DEFAULT_CORE_CONFIG, SYSTEM_ACTOR, type CoreConfig, type CoreContext } from "../lib/context";
import { createSilentLogger, type Logger } from "../lib/logger";
import { startSandbox, type Sandbox, type SandboxOptions } from "./sandbox";

export type SandboxCoreOptions = SandboxOptions & {
  /** A database to use instead of a fresh in-memory PGlite (e.g. a throwaway PostgreSQL). */
  database?: DatabaseHandle;
  /** Extra environment for the helm-compatible executable (latency and failure injection). */
  helmEnv?: Record<string, string>;
  config?: Partial<Omit<CoreConfig, "instanceId">> & { instanceId?: string };
  logger?: Logger;
};

export type SandboxCore = { ctx: CoreContext; sandbox: Sandbox; database: DatabaseHandle; close: () => Promise<void> };

export async function startSandboxCore(options: SandboxCoreOptions = {}): Promise<SandboxCore> {
  const logger = options.logger ?? createSilentLogger();
  const sandbox = await startSandbox({ ...options, logger, schedulerDelayMs: options.schedulerDelayMs ?? 50 });
  let database: DatabaseHandle | undefined = options.database;
  try {
    database ??= await createDb({ dataDir: "memory://" });
    const clients = createCoreClients({
      kubeconfigPath: sandbox.endpoints.kubeconfig,
      prometheusUrl: sandbox.endpoints.prometheusUrl,
      grafana: { url: sandbox.endpoints.grafanaUrl, auth: sandbox.grafanaAuth },
      helm: { bin: sandbox.endpoints.helmBin, plainHttp: true, env: options.helmEnv },
      alertRule: { namespace: "monitoring", name: "kube-prometheus-stack-0", group: "smo-alerts" },
      logger,
    });
    const config: CoreConfig = { ...DEFAULT_CORE_CONFIG, ...options.config, instanceId: options.config?.instanceId ?? `test-${randomUUID().slice(0, 8)}` };
    const ctx: CoreContext = { db: database.db, clients, config, logger, clock: () => new Date(), actor: SYSTEM_ACTOR };
    const ownedDatabase = options.database ? undefined : database;
    return {
      ctx,
      sandbox,
      database,
      close: async () => {
        await sandbox.close();
        await ownedDatabase?.close();
      },
    };
  } catch (error) {
    await sandbox.close();
    if (!options.database) await database?.close();
    throw error;
  }
}

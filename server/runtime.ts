/**
 * The process-wide wiring behind the Next.js route handlers: configuration, database, the
 * sandbox federation in sandbox mode, the clients of the outside world, the bootstrap admin.
 * getRuntime() builds it once per process (kept on globalThis, so Next's module reloading in
 * development does not open a second database or start a second sandbox).
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { createDb, type DatabaseHandle } from "../db";
import { BOOTSTRAP_ADMIN_USERNAME, createLoginThrottle, DEFAULT_SESSION_POLICY, deleteExpiredSessions, ensureBootstrapAdmin } from "../lib/auth";
import { createCoreClients, type ExternalSystems } from "../lib/clients";
import { DEFAULT_CORE_CONFIG, type CoreConfig } from "../lib/context";
import { createLogger, type Logger } from "../lib/logger";
import type { Sandbox, SandboxEndpoints } from "../sim/sandbox";
import { ConfigError, loadConfig, type SmoConfig } from "./config";
import type { ServerDeps } from "./deps";
import { startWorkers } from "./workers";

export type Runtime = ServerDeps & {
  /** Stops background work, the sandbox and the database, in that order. */
  close: () => Promise<void>;
};

export type RuntimeOptions = {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Where the sandbox endpoints line goes (default stdout, as `npm run sim` prints it). */
  writeLine?: (line: string) => void;
  /**
   * Background workers (server/workers/: operation runner, scaler, reconciler) start here, once
   * the runtime is complete; the returned function stops them before the database closes.
   */
  startWorkers?: (runtime: ServerDeps) => Promise<() => Promise<void>>;
};

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const config = loadConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: "smo-console" });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const database = await openDatabase(config);
    cleanups.push(() => database.close());

    let sandbox: Sandbox | undefined;
    let sandboxEndpoints: SandboxEndpoints | undefined;
    if (config.mode === "sandbox") {
      // The simulator is loaded only in sandbox mode; production code never reaches it otherwise.
      const { startSandbox } = await import("../sim/sandbox");
      sandbox = await startSandbox({ dataDir: path.join(config.dataDir, "sandbox"), logger });
      cleanups.push(() => sandbox!.close());
      sandboxEndpoints = { ...sandbox.endpoints, helmBin: resolveSandboxHelm(sandbox.endpoints.helmBin) };
      // The same one-line JSON object as `npm run sim`, so kubectl and the CLI can reach the sandbox.
      (options.writeLine ?? ((line) => process.stdout.write(`${line}\n`)))(JSON.stringify(sandboxEndpoints));
    }

    const clients = createCoreClients({
      ...externalSystems(config, sandbox && sandboxEndpoints ? { endpoints: sandboxEndpoints, grafanaAuth: sandbox.grafanaAuth } : undefined),
      logger,
    });
    const coreConfig: CoreConfig = {
      ...DEFAULT_CORE_CONFIG,
      instanceId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      grafana: { ...DEFAULT_CORE_CONFIG.grafana, publicUrl: sandboxEndpoints?.grafanaUrl ?? config.grafana.url },
    };
    const deps: ServerDeps = {
      config,
      database,
      clients,
      coreConfig,
      logger,
      clock: () => new Date(),
      loginThrottle: createLoginThrottle(),
      sessionPolicy: DEFAULT_SESSION_POLICY,
      sandbox: sandboxEndpoints,
      sandboxControls: sandbox?.controls,
    };

    const authCtx = { db: database.db, clock: deps.clock, logger };
    const bootstrap = await ensureBootstrapAdmin(authCtx, { password: config.adminPassword });
    if (bootstrap.created && bootstrap.generatedPassword) {
      // Printed once, at the creation of the first user; it is not stored anywhere in clear.
      logger.warn({ username: BOOTSTRAP_ADMIN_USERNAME, password: bootstrap.generatedPassword }, "bootstrap admin created with a generated password: sign in and change it");
    } else if (bootstrap.created) {
      logger.info({ username: BOOTSTRAP_ADMIN_USERNAME }, "bootstrap admin created with SMO_ADMIN_PASSWORD");
    }

    // Expired sessions are refused anyway; removing them at start keeps the table from growing across restarts.
    const expiredSessions = await deleteExpiredSessions(authCtx);
    if (expiredSessions) logger.info({ expiredSessions }, "expired sessions removed");

    if (options.startWorkers) cleanups.push(await options.startWorkers(deps));
    logger.info({ mode: config.mode, database: database.location }, "SMO Console runtime ready");
    return { ...deps, close: () => closeInReverse(cleanups) };
  } catch (error) {
    await closeInReverse(cleanups).catch((closeError: unknown) => logger.error({ err: closeError }, "cleaning up a failed start failed"));
    throw error;
  }
}

const RUNTIME_KEY = Symbol.for("smo.console.runtime");
type RuntimeHolder = { [RUNTIME_KEY]?: Promise<Runtime> };

/** The process's runtime, created on first use. A failed start is forgotten so the next request retries. */
export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as RuntimeHolder;
  holder[RUNTIME_KEY] ??= createRuntime({ startWorkers: (deps) => startWorkers(deps) }).catch((error: unknown) => {
    delete holder[RUNTIME_KEY];
    throw error;
  });
  return holder[RUNTIME_KEY];
}

async function openDatabase(config: SmoConfig): Promise<DatabaseHandle> {
  return config.databaseUrl ? createDb({ url: config.databaseUrl }) : createDb({ dataDir: path.join(config.dataDir, "pglite") });
}

function externalSystems(config: SmoConfig, sandbox: Pick<Sandbox, "endpoints" | "grafanaAuth"> | undefined): Omit<ExternalSystems, "logger"> {
  const alertRule = config.prometheus.rule;
  if (sandbox) {
    return {
      kubeconfigPath: sandbox.endpoints.kubeconfig,
      prometheusUrl: sandbox.endpoints.prometheusUrl,
      grafana: { url: sandbox.endpoints.grafanaUrl, auth: sandbox.grafanaAuth },
      helm: { bin: sandbox.endpoints.helmBin, plainHttp: true },
      alertRule,
    };
  }
  // loadConfig guarantees these in production mode; the checks only narrow the types.
  if (!config.karmada.kubeconfigPath || !config.prometheus.url) throw new ConfigError([{ variable: "PROMETHEUS_URL", message: "is required when KARMADA_KUBECONFIG is set" }]);
  if (config.grafana.url && !config.grafana.auth) throw new ConfigError([{ variable: "GRAFANA_URL", message: "needs GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD" }]);
  return {
    kubeconfigPath: config.karmada.kubeconfigPath,
    prometheusUrl: config.prometheus.url,
    grafana: config.grafana.url && config.grafana.auth ? { url: config.grafana.url, auth: config.grafana.auth } : undefined,
    helm: config.helm,
    alertRule,
  };
}

/**
 * The sandbox's helm script locates the repository from its own path; inside a Next.js bundle
 * the module URL it is computed from may point into `.next/`, so prefer the checkout's copy.
 */
function resolveSandboxHelm(reported: string): string {
  const inCheckout = path.resolve("sim", "helm", "helm");
  return existsSync(reported) && !reported.includes(`${path.sep}.next${path.sep}`) ? reported : existsSync(inCheckout) ? inCheckout : reported;
}

async function closeInReverse(cleanups: (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length) throw new AggregateError(failures, "closing the runtime failed");
}

/**
 * What the web layer needs from the process, request after request: configuration, database,
 * clients, clock, throttles. server/runtime.ts builds it for Next.js; tests build it from the
 * sandbox (server/testing.ts). createCoreContext turns it into the core's context for one actor.
 */
import type { DatabaseHandle } from "../db";
import type { LoginThrottle, SessionPolicy } from "../lib/auth";
import type { Actor, CoreClients, CoreConfig, CoreContext } from "../lib/context";
import type { Logger } from "../lib/logger";
import { applyConsoleSettings, getConsoleSettings } from "../lib/settings";
import type { SandboxControls, SandboxEndpoints } from "../sim/sandbox";
import type { SmoConfig } from "./config";

export type ServerDeps = {
  config: SmoConfig;
  database: DatabaseHandle;
  clients: CoreClients;
  /** The core configuration before admin-edited settings are applied. */
  coreConfig: CoreConfig;
  logger: Logger;
  clock: () => Date;
  loginThrottle: LoginThrottle;
  sessionPolicy: SessionPolicy;
  /** Present in sandbox mode: where the simulated federation answers (shown, labelled, in the console). */
  sandbox?: SandboxEndpoints;
  /** Present in sandbox mode: the scenario knobs of the simulated federation (cluster readiness, request load). */
  sandboxControls?: SandboxControls;
};

/** The core context acting as `actor`, with the settings stored by admins applied. */
export async function createCoreContext(deps: ServerDeps, actor: Actor): Promise<CoreContext> {
  const ctx = { db: deps.database.db, logger: deps.logger };
  const { settings } = await getConsoleSettings(ctx, deps.coreConfig);
  return {
    db: deps.database.db,
    clients: deps.clients,
    config: applyConsoleSettings(deps.coreConfig, settings),
    logger: deps.logger,
    clock: deps.clock,
    actor,
  };
}

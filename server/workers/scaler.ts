/**
 * The scaling worker: every tick, if this process leads, one scaling pass. Policies, the time of
 * each policy's last evaluation and its cooldown live in the database, so a restarted or newly
 * elected process continues where the previous leader stopped.
 */
import { withActor, type CoreContext } from "../../lib/context";
import { createLeaderElector, type LeaderElector } from "../../lib/scaling/leader";
import { runScalingPass } from "../../lib/scaling/loop";

export type ScalingWorkerOptions = {
  /** The PostgreSQL URL of the shared database; absent for the embedded PGlite (this process always leads). */
  databaseUrl?: string;
  tickMs?: number;
  /** How often a non-leader tries to take leadership; default 3 s. */
  leaderRetryMs?: number;
  /** What to do when a graph's replicas cannot fit (the server re-places the graph). */
  onInfeasible: (graphName: string, reason: string) => Promise<void>;
  /** Tests inject an elector; by default one is made from databaseUrl. */
  elector?: LeaderElector;
};

export type ScalingWorker = { stop: () => Promise<void> };

/** The actor of everything the loop does, in events and operations. */
export const SCALER_ACTOR = { kind: "system", name: "scaler" } as const;

export async function startScalingWorker(ctx: CoreContext, options: ScalingWorkerOptions): Promise<ScalingWorker> {
  const tickMs = options.tickMs ?? 5_000;
  const logger = ctx.logger.child({ worker: "scaler", instance: ctx.config.instanceId });
  const scalerCtx = withActor({ ...ctx, logger }, SCALER_ACTOR);
  const elector =
    options.elector ??
    createLeaderElector(
      options.databaseUrl ? { kind: "postgres", url: options.databaseUrl, retryMs: options.leaderRetryMs, logger } : { kind: "pglite" },
    );
  await elector.start();
  let stopped = false;
  let wasLeader = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    const leading = await elector.isLeader();
    if (leading !== wasLeader) logger.info({ leader: leading }, leading ? "scaling loop: leading" : "scaling loop: standing by");
    wasLeader = leading;
    if (!leading || stopped) return;
    const started = Date.now();
    const pass = await runScalingPass(scalerCtx, { onInfeasible: options.onInfeasible, confirmLeadership: () => elector.isLeader() });
    if (pass.evaluated > 0 || pass.stoppedEarly) {
      logger.info(
        {
          evaluated: pass.evaluated,
          decisions: pass.decisions.map((decision) => ({ graph: decision.graphName, cluster: decision.cluster, action: decision.action, status: decision.status })),
          stoppedEarly: pass.stoppedEarly,
          durationMs: Date.now() - started,
        },
        "scaling pass",
      );
    }
  }

  function schedule(delayMs = tickMs): void {
    if (stopped) return;
    timer = setTimeout(() => {
      current = tick()
        .catch((error: unknown) => logger.error({ err: error }, "scaling pass failed; trying again at the next tick"))
        .finally(() => schedule());
    }, delayMs);
  }
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      await elector.stop();
      logger.info("scaling loop stopped");
    },
  };
}

/** The state of the console's connections, for signed-in users (GET /api/health is the public one), and what pages embed. */
import { checkHealth } from "../../lib/system";
import { grafanaOrigin } from "../security-headers";
import { publicProcedure, router, viewerProcedure } from "../trpc";

export const systemRouter = router({
  /**
   * The origin browsers load embedded Grafana panels from, or null without Grafana. Public: the
   * pages' Content-Security-Policy (proxy.ts asks here) names it on every page, sign-in included.
   */
  embedding: publicProcedure.query(({ ctx }) => ({ grafanaOrigin: grafanaOrigin(ctx.deps) })),

  health: viewerProcedure.query(async ({ ctx }) =>
    checkHealth({ db: ctx.deps.database.db, clients: ctx.deps.clients }, { databaseLocation: ctx.deps.database.location }),
  ),
});

/** The state of the console's connections, for signed-in users (GET /api/health is the public one). */
import { checkHealth } from "../../lib/system";
import { router, viewerProcedure } from "../trpc";

export const systemRouter = router({
  health: viewerProcedure.query(async ({ ctx }) =>
    checkHealth({ db: ctx.deps.database.db, clients: ctx.deps.clients }, { databaseLocation: ctx.deps.database.location }),
  ),
});

/**
 * The console's API. Each area's router lives in server/routers/<area>.ts and is listed here;
 * build procedures from the bases in server/trpc.ts so that roles and the audit log apply.
 */
import { router } from "../trpc";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
import { clustersRouter } from "./clusters";
import { eventsRouter } from "./events";
import { graphsRouter } from "./graphs";
import { operationsRouter } from "./operations";
import { placementRouter } from "./placement";
import { sandboxRouter } from "./sandbox";
import { scalingRouter } from "./scaling";
import { settingsRouter } from "./settings";
import { systemRouter } from "./system";
import { tokensRouter } from "./tokens";
import { usersRouter } from "./users";

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  tokens: tokensRouter,
  settings: settingsRouter,
  system: systemRouter,
  audit: auditRouter,
  graphs: graphsRouter,
  clusters: clustersRouter,
  placement: placementRouter,
  scaling: scalingRouter,
  events: eventsRouter,
  operations: operationsRouter,
  sandbox: sandboxRouter,
});

export type AppRouter = typeof appRouter;

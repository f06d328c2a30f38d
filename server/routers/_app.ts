/**
 * The console's API. Each area's router lives in server/routers/<area>.ts and is listed here;
 * build procedures from the bases in server/trpc.ts so that roles and the audit log apply.
 */
import { router } from "../trpc";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
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
});

export type AppRouter = typeof appRouter;

/** The audit log, newest first, for admins. */
import { z } from "zod";
import { listAudit } from "../../lib/auth";
import { adminProcedure, router } from "../trpc";

export const auditRouter = router({
  list: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1_000).default(100) }).default({ limit: 100 }))
    .query(async ({ ctx, input }) => listAudit(await ctx.core(), input)),
});

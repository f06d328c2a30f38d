/**
 * API tokens: every signed-in user manages their own (a viewer too, so that `smo login` works for
 * everyone), admins everyone's. A token's role is at most its creator's (the core refuses more).
 * The plaintext is returned once, by create.
 */
import { z } from "zod";
import { createApiToken, hasRole, listApiTokens, revokeApiToken, ROLES, type Caller } from "../../lib/auth";
import { router, viewerProcedure } from "../trpc";

/** Admins see every token; others only their own. */
const ownerScope = (caller: Caller) => (hasRole(caller.role, "admin") ? undefined : caller.userId);

export const tokensRouter = router({
  create: viewerProcedure
    .input(z.object({ name: z.string().min(1).max(64), role: z.enum(ROLES), expiresInDays: z.number().int().min(1).max(3_650).optional() }))
    .mutation(async ({ ctx, input }) => createApiToken(await ctx.core(), { userId: ctx.caller.userId, role: ctx.caller.role }, input)),
  list: viewerProcedure.query(async ({ ctx }) => listApiTokens(await ctx.core(), { ownerId: ownerScope(ctx.caller) })),
  revoke: viewerProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(async ({ ctx, input }) => revokeApiToken(await ctx.core(), { id: input.id, ownerId: ownerScope(ctx.caller) })),
});

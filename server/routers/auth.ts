/** Sign-in and sign-out with the session cookie, and who the caller is. */
import { z } from "zod";
import { PASSWORD_MAX_LENGTH, serializeClearedSessionCookie, serializeSessionCookie, signIn, signOut } from "../../lib/auth";
import { publicProcedure, router } from "../trpc";

export const authRouter = router({
  /** Sets the HttpOnly session cookie; the session secret never appears in the response body. */
  signIn: publicProcedure
    .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(PASSWORD_MAX_LENGTH + 1) }))
    .mutation(async ({ ctx, input }) => {
      const { deps } = ctx;
      const signedIn = await signIn(await ctx.core(), input, { throttle: deps.loginThrottle, address: ctx.request.address, sessionPolicy: deps.sessionPolicy });
      ctx.responseHeaders.append("set-cookie", serializeSessionCookie(signedIn.token, signedIn.expiresAt, ctx.request, deps.clock()));
      return { user: { username: signedIn.user.username, role: signedIn.user.role }, expiresAt: signedIn.expiresAt };
    }),

  /** Ends the cookie's session (if any) and clears the cookie. */
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.caller?.kind === "user") await signOut(await ctx.core(), ctx.caller.sessionId);
    ctx.responseHeaders.append("set-cookie", serializeClearedSessionCookie(ctx.request));
    return { signedOut: true };
  }),

  /** The caller, or null when not signed in (the console's sign-in page asks this). */
  me: publicProcedure.query(({ ctx }) => {
    const caller = ctx.caller;
    if (!caller) return null;
    return { username: caller.username, role: caller.role, via: caller.kind, tokenName: caller.kind === "token" ? caller.tokenName : undefined };
  }),
});

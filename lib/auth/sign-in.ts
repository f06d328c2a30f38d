/**
 * Sign-in with user name and password. Unknown names, wrong passwords and disabled accounts get
 * the same error after the same argon2 work; repeated failures lock the account (durably, on the
 * users row) and throttle the name and the client address (in memory).
 */
import { eq, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { AuthenticationError, RateLimitedError } from "../errors";
import { DUMMY_PASSWORD_HASH, PASSWORD_MAX_LENGTH, verifyPassword } from "./password";
import { LOCKOUT_POLICY, type LoginThrottle } from "./rate-limit";
import type { Role } from "./roles";
import { createSession, DEFAULT_SESSION_POLICY, invalidateSession, type IssuedSession, type SessionPolicy } from "./sessions";
import type { AuthContext } from "./types";
import { normalizeUsername } from "./users";

export const INVALID_CREDENTIALS_MESSAGE = "invalid user name or password";

export type SignInInput = { username: string; password: string };
export type SignInOptions = {
  throttle: LoginThrottle;
  /** The client address as the server sees it, for per-address throttling. */
  address: string;
  sessionPolicy?: SessionPolicy;
};

export type SignedIn = IssuedSession & { user: { id: number; username: string; role: Role } };

export async function signIn(ctx: AuthContext, input: SignInInput, options: SignInOptions): Promise<SignedIn> {
  const username = normalizeUsername(input.username);
  const attempt = { username, address: options.address };
  const now = ctx.clock();
  const verdict = options.throttle.admit(attempt, now);
  if (!verdict.allowed) throw tooManyAttempts(verdict.retryAfterMs);

  const [user] = await ctx.db
    .select({ id: users.id, username: users.username, role: users.role, passwordHash: users.passwordHash, disabled: users.disabled, lockedUntil: users.lockedUntil })
    .from(users)
    .where(eq(users.username, username))
    .limit(1);
  // Always one argon2 verification, whichever branch follows, so timing tells nothing.
  const passwordMatches = await verifyPassword(user?.passwordHash ?? DUMMY_PASSWORD_HASH, input.password.slice(0, PASSWORD_MAX_LENGTH + 1));

  if (user?.lockedUntil && user.lockedUntil.getTime() > now.getTime()) {
    throw tooManyAttempts(user.lockedUntil.getTime() - now.getTime());
  }
  if (!user || !passwordMatches || user.disabled) {
    options.throttle.recordFailure(attempt, now);
    if (user) await recordFailedSignIn(ctx, user.id, now);
    ctx.logger.info({ username, address: options.address, known: Boolean(user) }, "sign-in refused");
    throw new AuthenticationError(INVALID_CREDENTIALS_MESSAGE);
  }

  options.throttle.recordSuccess(attempt);
  await ctx.db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
  const session = await createSession(ctx, user.id, options.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  ctx.logger.info({ username, address: options.address }, "signed in");
  return { ...session, user: { id: user.id, username: user.username, role: user.role } };
}

export async function signOut(ctx: AuthContext, sessionId: string): Promise<void> {
  await invalidateSession(ctx, sessionId);
}

/** One atomic update: count the failure (restarting after an expired lock) and lock at the threshold. */
async function recordFailedSignIn(ctx: AuthContext, userId: number, now: Date): Promise<void> {
  const lockUntil = new Date(now.getTime() + LOCKOUT_POLICY.lockMs);
  const failures = sql<number>`case when ${users.lockedUntil} is not null and ${users.lockedUntil} <= ${now.toISOString()}::timestamptz then 1 else ${users.failedLogins} + 1 end`;
  await ctx.db
    .update(users)
    .set({
      failedLogins: failures,
      lockedUntil: sql`case when ${failures} >= ${LOCKOUT_POLICY.maxFailures} then ${lockUntil.toISOString()}::timestamptz else ${users.lockedUntil} end`,
    })
    .where(eq(users.id, userId));
}

function tooManyAttempts(retryAfterMs: number): RateLimitedError {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return new RateLimitedError(`too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, Math.ceil(retryAfterMs / 1000));
}

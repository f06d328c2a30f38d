/**
 * Browser sessions, after the design of the Lucia guide: the cookie carries `<id>.<secret>`, the
 * table keeps the id and the SHA-256 of the secret only, so a leaked table opens no session.
 * Separate id and secret let the lookup be an ordinary index hit while the secret is compared
 * in constant time. Sessions slide: used in the second half of their life, they are renewed.
 */
import { eq, lte } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import { digestsEqual, generateSecret, sha256Hex } from "./secrets";
import type { Role } from "./roles";
import type { AuthContext } from "./types";

export type SessionPolicy = {
  lifetimeMs: number;
  /** Renew (push expiry back to a full lifetime) once less than this remains. */
  renewBelowMs: number;
};

export const DEFAULT_SESSION_POLICY: SessionPolicy = { lifetimeMs: 7 * 24 * 3_600_000, renewBelowMs: 3.5 * 24 * 3_600_000 };

export type IssuedSession = { token: string; sessionId: string; expiresAt: Date };

export type ValidatedSession = {
  sessionId: string;
  user: { id: number; username: string; role: Role };
  expiresAt: Date;
  /** True when this validation pushed the expiry back: the cookie must be sent again. */
  renewed: boolean;
};

export async function createSession(ctx: AuthContext, userId: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<IssuedSession> {
  const sessionId = generateSecret(16);
  const secret = generateSecret(32);
  const now = ctx.clock();
  const expiresAt = new Date(now.getTime() + policy.lifetimeMs);
  await ctx.db.insert(sessions).values({ id: sessionId, secretHash: sha256Hex(secret), userId, createdAt: now, lastSeenAt: now, expiresAt });
  return { token: `${sessionId}.${secret}`, sessionId, expiresAt };
}

/** The session a cookie value designates, or undefined when it is malformed, unknown, expired or its user is disabled. */
export async function validateSessionToken(ctx: AuthContext, token: string, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<ValidatedSession | undefined> {
  const parsed = parseSessionToken(token);
  if (!parsed) return undefined;
  const [row] = await ctx.db
    .select({ session: sessions, user: { id: users.id, username: users.username, role: users.role, disabled: users.disabled } })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, parsed.sessionId))
    .limit(1);
  if (!row || !digestsEqual(row.session.secretHash, sha256Hex(parsed.secret))) return undefined;
  const now = ctx.clock();
  if (row.session.expiresAt.getTime() <= now.getTime()) {
    await ctx.db.delete(sessions).where(eq(sessions.id, row.session.id));
    return undefined;
  }
  if (row.user.disabled) return undefined;
  let expiresAt = row.session.expiresAt;
  const renewed = expiresAt.getTime() - now.getTime() < policy.renewBelowMs;
  if (renewed) {
    expiresAt = new Date(now.getTime() + policy.lifetimeMs);
    await ctx.db.update(sessions).set({ expiresAt, lastSeenAt: now }).where(eq(sessions.id, row.session.id));
  }
  return { sessionId: row.session.id, user: { id: row.user.id, username: row.user.username, role: row.user.role }, expiresAt, renewed };
}

export async function invalidateSession(ctx: AuthContext, sessionId: string): Promise<void> {
  await ctx.db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(ctx: Pick<AuthContext, "db">, userId: number): Promise<void> {
  await ctx.db.delete(sessions).where(eq(sessions.userId, userId));
}

/** Removes expired rows; expired sessions are refused anyway, this only keeps the table small. */
export async function deleteExpiredSessions(ctx: AuthContext): Promise<number> {
  const deleted = await ctx.db.delete(sessions).where(lte(sessions.expiresAt, ctx.clock())).returning({ id: sessions.id });
  return deleted.length;
}

function parseSessionToken(token: string): { sessionId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { sessionId: match[1]!, secret: match[2]! } : undefined;
}


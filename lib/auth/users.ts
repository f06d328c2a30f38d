/**
 * People who sign in: created, re-roled, disabled, reset and deleted by admins. The last enabled
 * admin can be neither demoted, disabled nor deleted, checked under row locks so two admins
 * demoting each other at the same time cannot both succeed.
 */
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { Transaction } from "../../db";
import { users } from "../../db/schema";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { generateSecret } from "./secrets";
import { hashPassword } from "./password";
import type { Role } from "./roles";
import { invalidateUserSessions } from "./sessions";
import type { AuthContext } from "./types";

export type UserSummary = {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  /** Set while the account is locked after repeated failed sign-ins. */
  lockedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const BOOTSTRAP_ADMIN_USERNAME = "admin";

/** User names are case-insensitive: stored and compared in lowercase. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function explainInvalidUsername(username: string): string | undefined {
  return USERNAME_PATTERN.test(username) ? undefined : "must be 1 to 63 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";
}

const summaryColumns = {
  id: users.id,
  username: users.username,
  role: users.role,
  disabled: users.disabled,
  lockedUntil: users.lockedUntil,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export async function listUsers(ctx: Pick<AuthContext, "db">): Promise<UserSummary[]> {
  return ctx.db.select(summaryColumns).from(users).orderBy(asc(users.username));
}

export async function createUser(ctx: AuthContext, input: { username: string; password: string; role: Role }): Promise<UserSummary> {
  const username = normalizeUsername(input.username);
  const problem = explainInvalidUsername(username);
  if (problem) throw new ValidationError([{ path: "username", message: problem }]);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock();
  const [created] = await ctx.db
    .insert(users)
    .values({ username, passwordHash, role: input.role, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: users.username })
    .returning(summaryColumns);
  if (!created) throw new ConflictError(`user "${username}" already exists`);
  return created;
}

export async function setUserRole(ctx: AuthContext, input: { username: string; role: Role }): Promise<UserSummary> {
  return changeUser(ctx, input.username, { demotesAdmin: input.role !== "admin" }, (tx, id) => updateUser(tx, id, { role: input.role, updatedAt: ctx.clock() }));
}

/** Disabling also ends the user's sessions; their tokens stop working while the user is disabled. */
export async function setUserDisabled(ctx: AuthContext, input: { username: string; disabled: boolean }): Promise<UserSummary> {
  return changeUser(ctx, input.username, { demotesAdmin: input.disabled }, async (tx, id) => {
    const updated = await updateUser(tx, id, { disabled: input.disabled, updatedAt: ctx.clock() });
    if (input.disabled) await invalidateUserSessions({ db: tx }, id);
    return updated;
  });
}

/** Sets a new password, lifts any lockout and ends the user's sessions. */
export async function resetUserPassword(ctx: AuthContext, input: { username: string; password: string }): Promise<UserSummary> {
  const passwordHash = await hashPassword(input.password);
  return changeUser(ctx, input.username, { demotesAdmin: false }, async (tx, id) => {
    const updated = await updateUser(tx, id, { passwordHash, failedLogins: 0, lockedUntil: null, updatedAt: ctx.clock() });
    await invalidateUserSessions({ db: tx }, id);
    return updated;
  });
}

/** Deletes the user with their sessions and tokens (cascade). */
export async function deleteUser(ctx: AuthContext, input: { username: string }): Promise<UserSummary> {
  return changeUser(ctx, input.username, { demotesAdmin: true }, async (tx, id) => {
    const [deleted] = await tx.delete(users).where(eq(users.id, id)).returning(summaryColumns);
    return deleted!;
  });
}

/**
 * When no user exists, creates `admin` with the given password, or a generated one that the
 * caller must show once. Safe when several processes start together: the unique user name lets
 * exactly one insert win.
 */
export async function ensureBootstrapAdmin(ctx: AuthContext, options: { password?: string } = {}): Promise<{ created: false } | { created: true; generatedPassword?: string }> {
  const [existing] = await ctx.db.select({ total: count() }).from(users);
  if ((existing?.total ?? 0) > 0) return { created: false };
  const generatedPassword = options.password ? undefined : generateSecret(18);
  const passwordHash = await hashPassword(options.password ?? generatedPassword!, "SMO_ADMIN_PASSWORD");
  const now = ctx.clock();
  const [created] = await ctx.db
    .insert(users)
    .values({ username: BOOTSTRAP_ADMIN_USERNAME, passwordHash, role: "admin", createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: users.username })
    .returning({ id: users.id });
  return created ? { created: true, generatedPassword } : { created: false };
}

async function updateUser(tx: Transaction, id: number, values: Partial<typeof users.$inferInsert>): Promise<UserSummary> {
  const [row] = await tx
    .update(users)
    .set({ ...values, version: sql`${users.version} + 1` })
    .where(eq(users.id, id))
    .returning(summaryColumns);
  return row!;
}

/** Runs one change on a user under row locks, refusing it when it would leave no enabled admin. */
async function changeUser<T>(ctx: AuthContext, rawUsername: string, options: { demotesAdmin: boolean }, apply: (tx: Transaction, id: number) => Promise<T>): Promise<T> {
  const username = normalizeUsername(rawUsername);
  return ctx.db.transaction(async (tx) => {
    const enabledAdmins = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.disabled, false)))
      .orderBy(asc(users.id))
      .for("update");
    const [target] = await tx.select({ id: users.id, role: users.role, disabled: users.disabled }).from(users).where(eq(users.username, username)).for("update");
    if (!target) throw new NotFoundError("user", username);
    const isEnabledAdmin = target.role === "admin" && !target.disabled;
    if (options.demotesAdmin && isEnabledAdmin && enabledAdmins.length <= 1) {
      throw new PreconditionFailedError(`"${username}" is the last enabled admin: make another user admin first`);
    }
    return apply(tx, target.id);
  });
}

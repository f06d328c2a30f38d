import { parseOptions } from "@node-rs/argon2";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { apiTokens, sessions, users } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { AuthenticationError, ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RateLimitedError, ValidationError } from "../errors";
import { createSilentLogger } from "../logger";
import {
  authenticateApiToken,
  authenticateRequest,
  createApiToken,
  createLoginThrottle,
  createUser,
  deleteUser,
  DUMMY_PASSWORD_HASH,
  ensureBootstrapAdmin,
  hashPassword,
  INVALID_CREDENTIALS_MESSAGE,
  listApiTokens,
  listUsers,
  LOCKOUT_POLICY,
  resetUserPassword,
  revokeApiToken,
  SESSION_COOKIE_NAME,
  setUserDisabled,
  setUserRole,
  signIn,
  validateSessionToken,
  verifyPassword,
  type AuthContext,
  type LoginThrottle,
} from ".";

/** A throttle that never refuses: isolates the durable lockout on the users row. */
const unlimitedThrottle = (): LoginThrottle =>
  createLoginThrottle({ perUsername: { maxFailures: 1e9, windowMs: 1 }, perAddress: { maxFailures: 1e9, windowMs: 1 }, attemptsPerAddress: { maxFailures: 1e9, windowMs: 1 } });

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

describe("password hashing", () => {
  it("uses argon2id with the documented parameters, and the dummy hash uses the same ones", async () => {
    const stored = await hashPassword("correct horse battery");
    const expected = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 };
    expect(parseOptions(stored)).toMatchObject(expected);
    expect(parseOptions(DUMMY_PASSWORD_HASH)).toMatchObject(expected);
    expect(stored.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword(stored, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored, "correct horse batterY")).toBe(false);
    expect(await verifyPassword("not a hash", "anything")).toBe(false);
  });

  it("refuses short passwords with a message naming the field", async () => {
    const error = await errorOf(hashPassword("short"));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "password", message: "must be at least 8 characters" }]);
  });
});

describe.each(databaseTargets())("auth core on $name", (target) => {
  let handle: DatabaseHandle;
  let now: Date;
  let ctx: AuthContext;

  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db, clock: () => now, logger: createSilentLogger() };
  });
  afterAll(async () => {
    await handle?.close();
  });
  beforeEach(async () => {
    now = new Date("2030-01-01T00:00:00Z");
    await handle.db.execute(sql`truncate users, sessions, api_tokens restart identity cascade`);
  });

  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  it("creates the bootstrap admin once, with a generated password that signs in", async () => {
    const first = await ensureBootstrapAdmin(ctx);
    expect(first.created).toBe(true);
    const generated = first.created ? first.generatedPassword! : "";
    expect(generated.length).toBeGreaterThanOrEqual(24);
    expect(await ensureBootstrapAdmin(ctx)).toEqual({ created: false });
    const signedIn = await signIn(ctx, { username: "admin", password: generated }, { throttle: unlimitedThrottle(), address: "127.0.0.1" });
    expect(signedIn.user).toMatchObject({ username: "admin", role: "admin" });
    const [row] = await handle.db.select().from(users);
    expect(row!.passwordHash).not.toContain(generated);
  });

  it("takes the bootstrap password from the configuration when given, and prints nothing", async () => {
    expect(await ensureBootstrapAdmin(ctx, { password: "from-the-environment" })).toEqual({ created: true, generatedPassword: undefined });
    await signIn(ctx, { username: "admin", password: "from-the-environment" }, { throttle: unlimitedThrottle(), address: "127.0.0.1" });
  });

  it("signs in, and answers an unknown user and a wrong password with the same error", async () => {
    await createUser(ctx, { username: "alice", password: "alice-password", role: "operator" });
    const throttle = unlimitedThrottle();
    const signedIn = await signIn(ctx, { username: "Alice", password: "alice-password" }, { throttle, address: "10.0.0.1" });
    expect(signedIn.user).toMatchObject({ username: "alice", role: "operator" });
    expect(signedIn.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);

    const wrongPassword = await errorOf(signIn(ctx, { username: "alice", password: "not-her-password" }, { throttle, address: "10.0.0.1" }));
    const unknownUser = await errorOf(signIn(ctx, { username: "mallory", password: "alice-password" }, { throttle, address: "10.0.0.1" }));
    await setUserDisabled(ctx, { username: "alice", disabled: true });
    const disabledUser = await errorOf(signIn(ctx, { username: "alice", password: "alice-password" }, { throttle, address: "10.0.0.1" }));
    for (const error of [wrongPassword, unknownUser, disabledUser]) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.message).toBe(INVALID_CREDENTIALS_MESSAGE);
    }
  });

  it("locks an account after five failures, refusing even the right password until the lock ends", async () => {
    await createUser(ctx, { username: "bob", password: "bob-password", role: "viewer" });
    const throttle = unlimitedThrottle();
    for (let attempt = 0; attempt < LOCKOUT_POLICY.maxFailures; attempt++) {
      expect(await errorOf(signIn(ctx, { username: "bob", password: `guess-${attempt}-xx` }, { throttle, address: "10.0.0.2" }))).toBeInstanceOf(AuthenticationError);
    }
    const [locked] = await handle.db.select().from(users).where(eq(users.username, "bob"));
    expect(locked!.failedLogins).toBe(5);
    expect(locked!.lockedUntil?.toISOString()).toBe(new Date(now.getTime() + LOCKOUT_POLICY.lockMs).toISOString());

    const refused = await errorOf(signIn(ctx, { username: "bob", password: "bob-password" }, { throttle, address: "10.0.0.2" }));
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused.message).toBe("too many failed sign-ins: try again in 15 minutes");
    // The lock is on the row: a new process (a new throttle) is refused too.
    expect(await errorOf(signIn(ctx, { username: "bob", password: "bob-password" }, { throttle: unlimitedThrottle(), address: "10.0.0.9" }))).toBeInstanceOf(RateLimitedError);

    advance(LOCKOUT_POLICY.lockMs - 1_000);
    expect(await errorOf(signIn(ctx, { username: "bob", password: "bob-password" }, { throttle, address: "10.0.0.2" }))).toBeInstanceOf(RateLimitedError);
    advance(1_000);
    await signIn(ctx, { username: "bob", password: "bob-password" }, { throttle, address: "10.0.0.2" });
    const [unlocked] = await handle.db.select().from(users).where(eq(users.username, "bob"));
    expect([unlocked!.failedLogins, unlocked!.lockedUntil]).toEqual([0, null]);
  });

  it("after an expired lock, counts failures from one again instead of locking at once", async () => {
    await createUser(ctx, { username: "carol", password: "carol-password", role: "viewer" });
    const throttle = unlimitedThrottle();
    for (let attempt = 0; attempt < 5; attempt++) await errorOf(signIn(ctx, { username: "carol", password: "wrong-password" }, { throttle, address: "a" }));
    advance(LOCKOUT_POLICY.lockMs);
    expect(await errorOf(signIn(ctx, { username: "carol", password: "wrong-password" }, { throttle, address: "a" }))).toBeInstanceOf(AuthenticationError);
    const [row] = await handle.db.select().from(users).where(eq(users.username, "carol"));
    expect(row!.failedLogins).toBe(1);
    await signIn(ctx, { username: "carol", password: "carol-password" }, { throttle, address: "a" });
  });

  it("throttles a name in memory exactly like a locked account, whether the user exists or not", async () => {
    await createUser(ctx, { username: "dave", password: "dave-password", role: "viewer" });
    const throttle = createLoginThrottle();
    const messages: Record<string, string> = {};
    for (const username of ["dave", "nobody"]) {
      for (let attempt = 0; attempt < 5; attempt++) await errorOf(signIn(ctx, { username, password: "wrong-password" }, { throttle, address: `addr-${username}` }));
      const error = await errorOf(signIn(ctx, { username, password: "dave-password" }, { throttle, address: `addr-${username}` }));
      expect(error).toBeInstanceOf(RateLimitedError);
      messages[username] = error.message;
    }
    expect(messages.dave).toBe(messages.nobody);
  });

  it("limits failures per client address across user names", async () => {
    const throttle = createLoginThrottle({ perAddress: { maxFailures: 3, windowMs: 60_000 } });
    for (const username of ["u1", "u2", "u3"]) await errorOf(signIn(ctx, { username, password: "wrong-password" }, { throttle, address: "203.0.113.7" }));
    expect(await errorOf(signIn(ctx, { username: "u4", password: "wrong-password" }, { throttle, address: "203.0.113.7" }))).toBeInstanceOf(RateLimitedError);
    expect(await errorOf(signIn(ctx, { username: "u4", password: "wrong-password" }, { throttle, address: "203.0.113.8" }))).toBeInstanceOf(AuthenticationError);
    advance(60_000);
    expect(await errorOf(signIn(ctx, { username: "u4", password: "wrong-password" }, { throttle, address: "203.0.113.7" }))).toBeInstanceOf(AuthenticationError);
  });

  it("keeps only a hash of the session secret, slides the expiry and ends sessions at expiry", async () => {
    const user = await createUser(ctx, { username: "erin", password: "erin-password", role: "viewer" });
    const policy = { lifetimeMs: 10 * 60_000, renewBelowMs: 5 * 60_000 };
    const { token } = await signIn(ctx, { username: "erin", password: "erin-password" }, { throttle: unlimitedThrottle(), address: "a", sessionPolicy: policy });
    const secret = token.split(".")[1]!;
    const rows = await handle.db.select().from(sessions);
    expect(JSON.stringify(rows)).not.toContain(secret);

    advance(4 * 60_000);
    expect(await validateSessionToken(ctx, token, policy)).toMatchObject({ renewed: false, user: { id: user.id, role: "viewer" } });
    advance(2 * 60_000); // 4 minutes left: renewed to a full lifetime from now
    const renewed = await validateSessionToken(ctx, token, policy);
    expect(renewed?.renewed).toBe(true);
    expect(renewed?.expiresAt.getTime()).toBe(now.getTime() + policy.lifetimeMs);
    advance(9 * 60_000);
    expect(await validateSessionToken(ctx, token, policy)).toBeDefined();
    advance(10 * 60_000);
    expect(await validateSessionToken(ctx, token, policy)).toBeUndefined();
    expect(await handle.db.select().from(sessions)).toEqual([]);

    const tampered = `${token.split(".")[0]}.${"A".repeat(43)}`;
    expect(await validateSessionToken(ctx, tampered, policy)).toBeUndefined();
  });

  it("reads the session cookie, and never falls back to it when a bearer header is present", async () => {
    await createUser(ctx, { username: "fay", password: "fay-password", role: "operator" });
    const { token } = await signIn(ctx, { username: "fay", password: "fay-password" }, { throttle: unlimitedThrottle(), address: "a" });
    const cookieHeader = `theme=dark; ${SESSION_COOKIE_NAME}=${token}`;
    expect(await authenticateRequest(ctx, { cookieHeader })).toMatchObject({ via: "cookie", caller: { kind: "user", username: "fay", role: "operator" } });
    expect(await authenticateRequest(ctx, { cookieHeader, authorizationHeader: "Bearer smo_wrong" })).toEqual({ via: "bearer", caller: undefined });
    expect(await authenticateRequest(ctx, {})).toEqual({ via: "none", caller: undefined });
  });

  it("issues API tokens shown once, stored as SHA-256, capped by the creator's role, expiring and revocable", async () => {
    const owner = await createUser(ctx, { username: "gina", password: "gina-password", role: "operator" });
    expect(await errorOf(createApiToken(ctx, { userId: owner.id, role: "operator" }, { name: "too-strong", role: "admin" }))).toBeInstanceOf(ForbiddenError);
    const { token, summary } = await createApiToken(ctx, { userId: owner.id, role: "operator" }, { name: "ci", role: "viewer", expiresInDays: 1 });
    expect(token).toMatch(/^smo_[A-Za-z0-9_-]{43}$/);
    expect(summary).toMatchObject({ name: "ci", role: "viewer", owner: "gina", prefix: token.slice(0, 12), revokedAt: null });

    const stored = await handle.db.select().from(apiTokens);
    expect(JSON.stringify(stored)).not.toContain(token.slice(12));
    expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    expect(await authenticateApiToken(ctx, token)).toMatchObject({ kind: "token", username: "gina", role: "viewer", tokenName: "ci" });
    expect((await listApiTokens(ctx, { ownerId: owner.id }))[0]!.lastUsedAt?.toISOString()).toBe(now.toISOString());
    advance(86_400_000);
    expect(await authenticateApiToken(ctx, token)).toBeUndefined();

    const second = await createApiToken(ctx, { userId: owner.id, role: "operator" }, { name: "cli", role: "operator" });
    expect(await authenticateApiToken(ctx, second.token)).toMatchObject({ role: "operator" });
    const other = await createUser(ctx, { username: "hank", password: "hank-password", role: "operator" });
    expect(await errorOf(revokeApiToken(ctx, { id: second.summary.id, ownerId: other.id }))).toBeInstanceOf(NotFoundError);
    expect((await revokeApiToken(ctx, { id: second.summary.id, ownerId: owner.id })).revokedAt?.toISOString()).toBe(now.toISOString());
    expect(await authenticateApiToken(ctx, second.token)).toBeUndefined();
  });

  it("acts with the lower of the token's role and its owner's current role, and not at all for a disabled owner", async () => {
    const owner = await createUser(ctx, { username: "ivy", password: "ivy-password", role: "admin" });
    await createUser(ctx, { username: "root", password: "root-password", role: "admin" });
    const { token } = await createApiToken(ctx, { userId: owner.id, role: "admin" }, { name: "ops", role: "operator" });
    await setUserRole(ctx, { username: "ivy", role: "viewer" });
    expect(await authenticateApiToken(ctx, token)).toMatchObject({ role: "viewer" });
    await setUserDisabled(ctx, { username: "ivy", disabled: true });
    expect(await authenticateApiToken(ctx, token)).toBeUndefined();
  });

  it("never demotes, disables or deletes the last enabled admin", async () => {
    await createUser(ctx, { username: "root", password: "root-password", role: "admin" });
    await createUser(ctx, { username: "jo", password: "jo-password1", role: "viewer" });
    for (const change of [
      () => setUserRole(ctx, { username: "root", role: "operator" }),
      () => setUserDisabled(ctx, { username: "root", disabled: true }),
      () => deleteUser(ctx, { username: "root" }),
    ]) {
      const error = await errorOf(change());
      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect(error.message).toContain("last enabled admin");
    }
    await setUserRole(ctx, { username: "jo", role: "admin" });
    await setUserRole(ctx, { username: "root", role: "operator" });
    expect((await listUsers(ctx)).map((user) => [user.username, user.role])).toEqual([
      ["jo", "admin"],
      ["root", "operator"],
    ]);
  });

  it("lets only one of two concurrent demotions of the last two admins succeed", async () => {
    await createUser(ctx, { username: "a1", password: "a1-password", role: "admin" });
    await createUser(ctx, { username: "a2", password: "a2-password", role: "admin" });
    const results = await Promise.allSettled([setUserRole(ctx, { username: "a1", role: "viewer" }), setUserRole(ctx, { username: "a2", role: "viewer" })]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect((await listUsers(ctx)).filter((user) => user.role === "admin")).toHaveLength(1);
  });

  it("validates user names, refuses duplicates and ends sessions on password reset", async () => {
    expect(((await errorOf(createUser(ctx, { username: "bad name!", password: "long-enough", role: "viewer" }))) as ValidationError).issues[0]!.path).toBe("username");
    await createUser(ctx, { username: "kim", password: "kim-password", role: "viewer" });
    expect(await errorOf(createUser(ctx, { username: "KIM", password: "kim-password", role: "viewer" }))).toBeInstanceOf(ConflictError);
    expect(await errorOf(setUserRole(ctx, { username: "nobody", role: "admin" }))).toBeInstanceOf(NotFoundError);
    const { token } = await signIn(ctx, { username: "kim", password: "kim-password" }, { throttle: unlimitedThrottle(), address: "a" });
    await resetUserPassword(ctx, { username: "kim", password: "kim-new-password" });
    expect(await validateSessionToken(ctx, token)).toBeUndefined();
    await signIn(ctx, { username: "kim", password: "kim-new-password" }, { throttle: unlimitedThrottle(), address: "a" });
  });
});

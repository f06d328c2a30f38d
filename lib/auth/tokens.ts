/**
 * API tokens for the CLI and tools: `smo_` + 32 random bytes (base64url), shown once, stored as
 * SHA-256. A fast hash is right here, unlike for passwords: 256 random bits cannot be guessed or
 * brute-forced from their digest, so a slow hash would add cost to every request and no safety.
 * A token acts with its own role, never above its owner's current role.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { apiTokens, users } from "../../db/schema";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { generateSecret, sha256Hex } from "./secrets";
import { hasRole, lowerRole, type Role } from "./roles";
import type { AuthContext, Caller } from "./types";

export const API_TOKEN_PREFIX = "smo_";
/** Characters kept in clear to tell tokens apart: the prefix and 8 random characters. */
const DISPLAY_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 8;
const TOKEN_PATTERN = /^smo_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is refreshed at most this often, so a busy CLI does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_EXPIRY_DAYS = 3_650;

export type ApiTokenSummary = {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  owner: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
};

export type CreateApiTokenInput = { name: string; role: Role; expiresInDays?: number };
export type TokenCreator = { userId: number; role: Role };

const summaryColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  role: apiTokens.role,
  owner: users.username,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
  lastUsedAt: apiTokens.lastUsedAt,
  createdAt: apiTokens.createdAt,
};

/** Creates a token owned by `creator`; the plaintext is in the result and nowhere else. */
export async function createApiToken(ctx: AuthContext, creator: TokenCreator, input: CreateApiTokenInput): Promise<{ token: string; summary: ApiTokenSummary }> {
  const name = input.name.trim();
  const issues = [];
  if (name.length < 1 || name.length > 64) issues.push({ path: "name", message: "must be 1 to 64 characters" });
  if (input.expiresInDays !== undefined && !(Number.isInteger(input.expiresInDays) && input.expiresInDays >= 1 && input.expiresInDays <= MAX_EXPIRY_DAYS)) {
    issues.push({ path: "expiresInDays", message: `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}` });
  }
  if (issues.length) throw new ValidationError(issues);
  if (!hasRole(creator.role, input.role)) throw new ForbiddenError(`a token cannot have a role above its creator's (${creator.role})`);

  const token = `${API_TOKEN_PREFIX}${generateSecret(32)}`;
  const now = ctx.clock();
  const expiresAt = input.expiresInDays === undefined ? null : new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const [row] = await ctx.db
    .insert(apiTokens)
    .values({ name, prefix: token.slice(0, DISPLAY_PREFIX_LENGTH), tokenHash: sha256Hex(token), role: input.role, userId: creator.userId, expiresAt, createdAt: now })
    .returning({ id: apiTokens.id });
  const [summary] = await selectSummaries(ctx).where(eq(apiTokens.id, row!.id));
  ctx.logger.info({ tokenId: row!.id, name, role: input.role, userId: creator.userId }, "API token created");
  return { token, summary: summary! };
}

/** Tokens of one owner, or of everyone when `ownerId` is undefined; newest first. */
export async function listApiTokens(ctx: Pick<AuthContext, "db">, scope: { ownerId?: number }): Promise<ApiTokenSummary[]> {
  const query = selectSummaries(ctx);
  return (scope.ownerId === undefined ? query : query.where(eq(apiTokens.userId, scope.ownerId))).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes a token (idempotent). With `ownerId`, only that owner's tokens are visible. */
export async function revokeApiToken(ctx: AuthContext, input: { id: number; ownerId?: number }): Promise<ApiTokenSummary> {
  const visible = input.ownerId === undefined ? eq(apiTokens.id, input.id) : and(eq(apiTokens.id, input.id), eq(apiTokens.userId, input.ownerId));
  await ctx.db
    .update(apiTokens)
    .set({ revokedAt: ctx.clock() })
    .where(and(visible, isNull(apiTokens.revokedAt)));
  const [summary] = await selectSummaries(ctx).where(visible);
  if (!summary) throw new NotFoundError("API token", String(input.id));
  return summary;
}

/** The caller a bearer token stands for, or undefined when it is malformed, unknown, revoked, expired or its owner disabled. */
export async function authenticateApiToken(ctx: AuthContext, token: string): Promise<Extract<Caller, { kind: "token" }> | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  // Looked up by digest: equality on a SHA-256 of a 256-bit secret leaks nothing useful through timing.
  const [row] = await ctx.db
    .select({ token: apiTokens, owner: { id: users.id, username: users.username, role: users.role, disabled: users.disabled } })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row || row.token.revokedAt || row.owner.disabled) return undefined;
  const now = ctx.clock();
  if (row.token.expiresAt && row.token.expiresAt.getTime() <= now.getTime()) return undefined;
  if (!row.token.lastUsedAt || now.getTime() - row.token.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await ctx.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
  }
  return {
    kind: "token",
    userId: row.owner.id,
    username: row.owner.username,
    role: lowerRole(row.token.role, row.owner.role),
    tokenId: row.token.id,
    tokenName: row.token.name,
  };
}

function selectSummaries(ctx: Pick<AuthContext, "db">) {
  return ctx.db.select(summaryColumns).from(apiTokens).leftJoin(users, eq(users.id, apiTokens.userId)).$dynamic();
}

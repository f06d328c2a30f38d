/**
 * Who a request comes from: an `Authorization: Bearer` API token, else the session cookie.
 * A bearer header, even a bad one, is never topped up with the cookie: tools get a clear 401.
 */
import { readBearerToken, readCookie, SESSION_COOKIE_NAME } from "./cookies";
import { DEFAULT_SESSION_POLICY, validateSessionToken, type SessionPolicy } from "./sessions";
import { authenticateApiToken } from "./tokens";
import type { AuthContext, Caller } from "./types";

export type RequestCredentials = { cookieHeader?: string | null; authorizationHeader?: string | null };

export type Authentication = {
  caller: Caller | undefined;
  /** How the request presented credentials; "cookie" requests are the ones CSRF checks guard. */
  via: "bearer" | "cookie" | "none";
  /** Set when the session was renewed: the cookie must be sent again with this expiry. */
  renewedSession?: { token: string; expiresAt: Date };
};

export async function authenticateRequest(ctx: AuthContext, credentials: RequestCredentials, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<Authentication> {
  if (credentials.authorizationHeader) {
    const token = readBearerToken(credentials.authorizationHeader);
    return { caller: token ? await authenticateApiToken(ctx, token) : undefined, via: "bearer" };
  }
  const sessionToken = readCookie(credentials.cookieHeader, SESSION_COOKIE_NAME);
  if (!sessionToken) return { caller: undefined, via: "none" };
  const session = await validateSessionToken(ctx, sessionToken, policy);
  if (!session) return { caller: undefined, via: "cookie" };
  return {
    caller: { kind: "user", userId: session.user.id, username: session.user.username, role: session.user.role, sessionId: session.sessionId },
    via: "cookie",
    renewedSession: session.renewed ? { token: sessionToken, expiresAt: session.expiresAt } : undefined,
  };
}

/** The session cookie: HttpOnly (no script reads it), SameSite=Lax, Secure when served over https. */

export const SESSION_COOKIE_NAME = "smo_session";

export type CookieOptions = { secure: boolean };

export function serializeSessionCookie(token: string, expiresAt: Date, options: CookieOptions, now: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return [`${SESSION_COOKIE_NAME}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`, `Expires=${expiresAt.toUTCString()}`, ...(options.secure ? ["Secure"] : [])].join("; ");
}

export function serializeClearedSessionCookie(options: CookieOptions): string {
  return [`${SESSION_COOKIE_NAME}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", ...(options.secure ? ["Secure"] : [])].join("; ");
}

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function readBearerToken(authorizationHeader: string | null | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorizationHeader ?? "");
  return match?.[1];
}

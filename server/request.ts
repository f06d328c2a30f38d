/**
 * What a procedure may know about the HTTP request: the client address, the origins involved
 * and whether it came over https. Read once in createContext; tests can state it directly.
 */

export type RequestMeta = {
  /** The client address for throttling: the nearest proxy's X-Forwarded-For entry, else "unknown". */
  address: string;
  /** The Origin header, when the browser sent one. */
  origin: string | null;
  /** Sec-Fetch-Site, when the browser sent it: "same-origin", "same-site", "cross-site" or "none". */
  fetchSite: string | null;
  /** The origins this server is reached at: the request URL's, and the forwarded host's behind a proxy. */
  ownOrigins: string[];
  /** Whether the client reached us over https (the cookie gets `Secure`). */
  secure: boolean;
};

/** A request made in-process (tests, server-side calls): same-origin, from the loopback address. */
export const IN_PROCESS_REQUEST: RequestMeta = { address: "127.0.0.1", origin: null, fetchSite: null, ownOrigins: [], secure: false };

export function readRequestMeta(req: Request): RequestMeta {
  const url = new URL(req.url);
  const headers = req.headers;
  const forwardedProto = firstValue(headers.get("x-forwarded-proto"));
  const forwardedHost = firstValue(headers.get("x-forwarded-host"));
  const secure = url.protocol === "https:" || forwardedProto === "https";
  const ownOrigins = [url.origin];
  // Cross-site pages cannot set X-Forwarded-Host without a CORS preflight we never grant, so trusting it here cannot help an attacker.
  if (forwardedHost) ownOrigins.push(`${forwardedProto ?? url.protocol.replace(":", "")}://${forwardedHost}`);
  // The rightmost X-Forwarded-For entry is the one the nearest proxy appended; leftmost ones are the client's word.
  const forwardedFor = headers.get("x-forwarded-for")?.split(",").map((part) => part.trim()).filter(Boolean);
  return {
    address: forwardedFor?.at(-1) ?? headers.get("x-real-ip") ?? "unknown",
    origin: headers.get("origin"),
    fetchSite: headers.get("sec-fetch-site"),
    ownOrigins,
    secure,
  };
}

/**
 * Why a cookie-authenticated mutation looks cross-site, or undefined. SameSite=Lax already keeps
 * the cookie off cross-site POSTs; this also refuses same-site (sibling subdomain) and foreign
 * origins, and works when a browser omits SameSite enforcement.
 */
export function explainCrossSite(meta: RequestMeta): string | undefined {
  if (meta.fetchSite && meta.fetchSite !== "same-origin" && meta.fetchSite !== "none") return `Sec-Fetch-Site is "${meta.fetchSite}"`;
  if (meta.origin !== null && !meta.ownOrigins.includes(meta.origin)) return `Origin ${meta.origin} is not this console's`;
  return undefined;
}

function firstValue(header: string | null): string | undefined {
  const value = header?.split(",")[0]?.trim();
  return value ? value : undefined;
}

/**
 * The security headers of the console's pages, applied by the Next.js Proxy (proxy.ts) to every
 * page response. Kept free of server state so the proxy can import it: the one runtime value it
 * needs, the origin of the Grafana whose panels the pages embed, comes from `system.embedding`.
 *
 * Choices:
 * - `script-src` allows inline scripts ('unsafe-inline') instead of per-request nonces: Next.js
 *   writes its hydration data as inline scripts, and a nonce reaches them only in pages rendered
 *   per request, while some console pages (sign-in) are prerendered. Everything else stays
 *   closed: scripts only from this origin, no plugins, no <base>, forms only to this origin.
 * - `frame-src` is this origin and Grafana's (GRAFANA_URL, or the sandbox's Grafana emulator,
 *   whose port is chosen when the sandbox starts), for the `/d-solo/` panel iframes.
 * - `connect-src 'self'`: the pages talk to this console only (tRPC, SSE subscriptions).
 * - The console itself may only be framed by its own pages (`frame-ancestors`, and
 *   X-Frame-Options for browsers without CSP 2).
 */
import type { ServerDeps } from "./deps";

export type SecurityHeaderOptions = {
  /** Origins besides this one that pages may frame (Grafana's). */
  frameOrigins: string[];
  /** `next dev`: React reconstructs server errors with eval. */
  development?: boolean;
};

export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", "'unsafe-inline'", ...(options.development ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'"],
    ["frame-src", "'self'", ...options.frameOrigins],
    ["frame-ancestors", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
  ];
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** Every header the proxy sets on a page response. */
export function consoleSecurityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    "x-content-type-options": "nosniff",
    // Page addresses name graphs and clusters: they are not sent to Grafana or anywhere else.
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  };
}

/** The origin of the Grafana browsers load panels from (the public URL, else the API's), or null without Grafana. */
export function grafanaOrigin(deps: Pick<ServerDeps, "coreConfig" | "clients">): string | null {
  return originOf(deps.coreConfig.grafana.publicUrl ?? deps.clients.grafana?.url);
}

/** `scheme://host[:port]` of an http(s) URL; null for anything else (a CSP source must not carry a path or odd characters). */
export function originOf(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

export const EMBEDDING_PATH = "/api/trpc/system.embedding";

export type GrafanaOriginLookup = (pageUrl: string) => Promise<string | null>;

/**
 * Asks this console (at the page request's own address) for its Grafana origin, once: the answer
 * holds for the life of the process, so it is kept after the first success. A failure (the runtime
 * could not start) gives null — pages then may not frame Grafana — and the next page asks again.
 */
export function createGrafanaOriginLookup(options: { fetch?: typeof fetch; timeoutMs?: number; onError?: (error: unknown) => void } = {}): GrafanaOriginLookup {
  const fetchImpl = options.fetch ?? fetch;
  let known: Promise<string | null> | undefined;
  return (pageUrl) => {
    known ??= (async () => {
      const response = await fetchImpl(new URL(EMBEDDING_PATH, pageUrl), { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      if (!response.ok) throw new Error(`${EMBEDDING_PATH} answered ${response.status}`);
      const body = (await response.json()) as { result?: { data?: { json?: { grafanaOrigin?: unknown } } } };
      const origin = body.result?.data?.json?.grafanaOrigin;
      if (origin !== null && typeof origin !== "string") throw new Error(`${EMBEDDING_PATH} gave no grafanaOrigin`);
      return origin === null ? null : originOf(origin);
    })();
    const attempt = known;
    return attempt.catch((error: unknown) => {
      if (known === attempt) {
        known = undefined;
        options.onError?.(error);
      }
      return null;
    });
  };
}

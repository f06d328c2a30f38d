/**
 * The security headers of the console's pages, applied by the Next.js Proxy (proxy.ts) to every
 * page response. Kept free of server state so the proxy can import it: the one runtime value it
 * needs in sandbox mode, the Grafana emulator's origin, comes from `system.embedding`.
 *
 * Choices:
 * - `script-src` allows inline scripts ('unsafe-inline') instead of per-request nonces: Next.js
 *   writes its hydration data as inline scripts, and a nonce reaches them only in pages rendered
 *   per request, while some console pages (sign-in) are prerendered. Everything else stays
 *   closed: scripts only from this origin, no plugins, no <base>, forms only to this origin.
 * - `frame-src` is this origin and Grafana's (GRAFANA_URL, or the sandbox's Grafana emulator,
 *   whose port is chosen when the sandbox starts), for the `/d-solo/` panel iframes.
 *   createFrameOriginResolver says which.
 * - `connect-src 'self'`: the pages talk to this console only (tRPC, SSE subscriptions).
 * - The console itself may only be framed by its own pages (`frame-ancestors`, and
 *   X-Frame-Options for browsers without CSP 2).
 */
import { loadConfig, type SmoConfig } from "./config";
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
/**
 * Where the sandbox's Grafana emulator is before the runtime says exactly: the runtime starts the
 * sandbox on the loopback address (sim/sandbox's default host), on a port chosen then.
 */
export const SANDBOX_GRAFANA_FALLBACK = "http://127.0.0.1:*";

export type FrameOriginResolver = (pageUrl: string) => Promise<string[]>;

export type FrameOriginOptions = {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** How long a page waits for the runtime's answer before the sandbox fallback is used (default 2 s). */
  waitMs?: number;
  /** The background question's own deadline (default 120 s: a first start creates the database). */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
};

/**
 * The origins pages may frame besides their own. In production: the configured Grafana (GRAFANA_URL,
 * which the runtime also gives browsers as Grafana's public URL). In sandbox mode: the emulator's
 * origin, asked of this console's `system.embedding` (at the page request's own address) once and
 * kept for the life of the process; while the runtime is still starting, or if it failed, any
 * loopback port (SANDBOX_GRAFANA_FALLBACK), and the next page asks again.
 */
export function createFrameOriginResolver(options: FrameOriginOptions = {}): FrameOriginResolver {
  let config: SmoConfig | undefined;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    // The console cannot start with this configuration; its pages frame nothing meanwhile.
    options.onError?.(error);
  }
  if (!config) return async () => [];
  if (config.mode === "production") {
    const origin = originOf(config.grafana.url);
    return async () => (origin ? [origin] : []);
  }
  const fetchImpl = options.fetch ?? fetch;
  const waitMs = options.waitMs ?? 2_000;
  let known: Promise<string | null | undefined> | undefined;
  const ask = (pageUrl: string): Promise<string | null | undefined> => {
    known ??= (async () => {
      const response = await fetchImpl(new URL(EMBEDDING_PATH, pageUrl), { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
      if (!response.ok) throw new Error(`${EMBEDDING_PATH} answered ${response.status}`);
      const body = (await response.json()) as { result?: { data?: { json?: { grafanaOrigin?: unknown } } } };
      const origin = body.result?.data?.json?.grafanaOrigin;
      if (origin !== null && typeof origin !== "string") throw new Error(`${EMBEDDING_PATH} gave no grafanaOrigin`);
      return originOf(origin);
    })();
    const attempt = known;
    // undefined: no answer (the question failed); it is asked again by the next page.
    return attempt.catch((error: unknown) => {
      if (known === attempt) {
        known = undefined;
        options.onError?.(error);
      }
      return undefined;
    });
  };
  return async (pageUrl) => {
    const pending = Symbol("pending");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = await Promise.race([ask(pageUrl), new Promise<typeof pending>((resolve) => (timer = setTimeout(() => resolve(pending), waitMs)))]);
    clearTimeout(timer);
    if (answer === pending || answer === undefined) return [SANDBOX_GRAFANA_FALLBACK];
    return answer === null ? [] : [answer];
  };
}

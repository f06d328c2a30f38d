/**
 * Next.js Proxy: the security headers of every console page (server/security-headers.ts). They
 * are computed per request because the Grafana origin that pages may frame is known only once
 * the runtime has started (in sandbox mode, the emulator's port); it is asked of the console's
 * own API at the first page and remembered.
 */
import { NextResponse, type NextRequest } from "next/server";
import { consoleSecurityHeaders, createGrafanaOriginLookup } from "./server/security-headers";

const lookupGrafanaOrigin = createGrafanaOriginLookup({
  onError: (error) => console.warn(JSON.stringify({ level: "warn", msg: "the Grafana origin is unknown: pages may not frame Grafana panels yet", err: error instanceof Error ? error.message : String(error) })),
});

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const grafana = await lookupGrafanaOrigin(request.url);
  const response = NextResponse.next();
  const headers = consoleSecurityHeaders({ frameOrigins: grafana ? [grafana] : [], development: process.env.NODE_ENV === "development" });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages only: API answers are not documents, and static assets need no policy.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico).*)"],
};

/**
 * Next.js Proxy: the security headers of every console page (server/security-headers.ts). They
 * are computed per request because, in sandbox mode, the Grafana origin that pages may frame is
 * known only once the runtime has started the sandbox (the emulator's port).
 */
import { NextResponse, type NextRequest } from "next/server";
import { consoleSecurityHeaders, createFrameOriginResolver } from "./server/security-headers";

const frameOrigins = createFrameOriginResolver({
  onError: (error) => console.warn(JSON.stringify({ level: "warn", msg: "the Grafana origin of the pages' frame-src could not be determined", err: error instanceof Error ? error.message : String(error) })),
});

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.next();
  const headers = consoleSecurityHeaders({ frameOrigins: await frameOrigins(request.url), development: process.env.NODE_ENV === "development" });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages only: API answers are not documents, and static assets need no policy.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico).*)"],
};

import { handleRestRequest } from "@/server/rest/handler";
import { getRuntime } from "@/server/runtime";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every /api/v1 path and method goes to the one REST handler (it answers 404 and 405 itself). */
async function handler(req: Request): Promise<Response> {
  return handleRestRequest(req, await getRuntime());
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as HEAD };

import { handleTrpcRequest } from "@/server/http";
import { getRuntime } from "@/server/runtime";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  return handleTrpcRequest(req, await getRuntime());
}

export { handler as GET, handler as POST };

import { describe, expect, it } from "vitest";
import { AuthenticationError, ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RateLimitedError, UpstreamError, ValidationError } from "../../lib/errors";
import { createSilentLogger } from "../../lib/logger";
import { errorResponse, webhookStatusOf } from "./problem";

const logger = createSilentLogger();

describe("errorResponse", () => {
  it.each([
    [new NotFoundError("graph", "g"), 404],
    [new ConflictError("graph g already exists"), 409],
    [new ValidationError([{ path: "services[0].id", message: "required" }]), 400],
    [new PreconditionFailedError("graph g is Stopped"), 409],
    [new UpstreamError("karmada", "connection refused"), 502],
    [new AuthenticationError("invalid credentials"), 401],
    [new ForbiddenError("needs admin"), 403],
    [new RateLimitedError("slow down", 30), 429],
  ])("maps %s to %i as problem+json", async (error, status) => {
    const response = errorResponse(error, "/api/v1/graphs/g", logger);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = (await response.json()) as { status: number; detail: string; instance: string; errors?: unknown };
    expect(body).toMatchObject({ status, detail: error.message, instance: "/api/v1/graphs/g" });
    if (error instanceof ValidationError) expect(body.errors).toEqual([{ path: "services[0].id", message: "required" }]);
    if (error instanceof RateLimitedError) expect(response.headers.get("retry-after")).toBe("30");
  });

  it("turns an unknown error into a bare 500 that leaks nothing", async () => {
    const response = errorResponse(new Error("relation \"users\" password=hunter2 at /srv/app/db.ts:12"), "/api/v1/clusters", logger);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/hunter2|relation|\/srv/);
    expect(JSON.parse(text)).toMatchObject({ status: 500, detail: "internal error" });
  });

  it("lets the webhook answer conflicts with 503 and Retry-After, so Alertmanager retries", () => {
    const response = errorResponse(new ConflictError("another operation runs on graph g"), "/api/v1/alerts", logger, webhookStatusOf);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(errorResponse(new NotFoundError("graph", "g"), "/api/v1/alerts", logger, webhookStatusOf).status).toBe(404);
  });
});

/**
 * The tRPC endpoint over real HTTP (the fetch handler Next.js serves, here behind node:http):
 * sign-in and its cookie, lockout and throttling, API tokens as Bearer, cross-site refusal,
 * batch limits, error mapping without leaks, the audit log and settings without secrets.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { count, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db";
import { apiTokens, auditLog, events, graphs, operations, placements, projects, services, sessions, users } from "../db/schema";
import { databaseTargets } from "../db/testing";
import { createApiToken } from "../lib/auth";
import { NotFoundError, PreconditionFailedError, UpstreamError } from "../lib/errors";
import { handleTrpcRequest, MAX_BATCH_SIZE, MAX_TRPC_BODY_BYTES, TRPC_ENDPOINT } from "./http";
import type { AppRouter } from "./routers/_app";
import { appRouter } from "./routers/_app";
import { addUser, createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "./testing";
import { createCallerFactory, createContext, createContextInner, router, viewerProcedure } from "./trpc";

type Answer = { status: number; json: Record<string, unknown>; text: string; cookies: string[] };

/** One tRPC call over HTTP, in the wire format of @trpc/client with superjson. */
async function call(base: string, path: string, options: { input?: unknown; query?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
  const serialized = JSON.stringify(superjson.serialize(options.input));
  const url = `${base}${TRPC_ENDPOINT}/${path}${options.query ? `?input=${encodeURIComponent(serialized)}` : ""}`;
  const response = await fetch(url, {
    method: options.query ? "GET" : "POST",
    headers: { "content-type": "application/json", ...options.headers },
    body: options.query ? undefined : serialized,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, text, cookies: response.headers.getSetCookie() };
}

const dataOf = (answer: Answer) => superjson.deserialize((answer.json.result as { data: never }).data) as Record<string, unknown>;
const errorOf = (answer: Answer) => (answer.json.error as { json: { message: string; code: number; data: Record<string, unknown> } }).json;
const sessionCookieOf = (answer: Answer) => answer.cookies.find((cookie) => cookie.startsWith("smo_session="))!.split(";")[0]!;

describe.each(databaseTargets())("the tRPC endpoint over HTTP on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let served: ServedHandler;
  let now: Date;
  let sameOrigin: Record<string, string>;
  let adminCookie: string;

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({
      database: handle,
      clock: () => now,
      throttle: { perAddress: { maxFailures: 3, windowMs: 60_000 } },
      env: { SMO_ALERT_WEBHOOK_TOKEN: "webhook-secret-0123456789", SMO_ADMIN_PASSWORD: "admin-secret-from-env" },
      sandbox: { grafanaPassword: "grafana-secret-password" },
    });
    served = await serveFetchHandler((req) => handleTrpcRequest(req, test.deps));
    sameOrigin = { origin: served.url, "sec-fetch-site": "same-origin" };
    now = new Date();
    await addUser(test.deps, "root", "admin", "root-password");
    await addUser(test.deps, "olga", "operator", "olga-password");
    await addUser(test.deps, "vic", "viewer", "vic-password");
  });
  afterAll(async () => {
    await served?.close();
    await test?.close();
    await handle?.close();
  });
  beforeEach(async () => {
    // Tests move the clock forward (expiry); each starts with a fresh admin session at the current time.
    adminCookie = sessionCookieOf(await call(served.url, "auth.signIn", { input: { username: "root", password: "root-password" }, headers: sameOrigin }));
  });

  it("signs in with an HttpOnly SameSite cookie (Secure behind https), knows the caller, and signs out", async () => {
    const answer = await call(served.url, "auth.signIn", { input: { username: "vic", password: "vic-password" }, headers: sameOrigin });
    expect(answer.status).toBe(200);
    expect(dataOf(answer)).toMatchObject({ user: { username: "vic", role: "viewer" } });
    expect(answer.text).not.toMatch(/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/);
    const [cookie] = answer.cookies;
    expect(cookie).toMatch(/^smo_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800; Expires=/);
    expect(cookie).not.toContain("Secure");

    const viaHttps = await call(served.url, "auth.signIn", { input: { username: "vic", password: "vic-password" }, headers: { ...sameOrigin, "x-forwarded-proto": "https" } });
    expect(viaHttps.cookies[0]).toMatch(/; Secure$/);

    const me = await call(served.url, "auth.me", { query: true, headers: { cookie: sessionCookieOf(answer) } });
    expect(dataOf(me)).toEqual({ username: "vic", role: "viewer", via: "user", tokenName: undefined });

    const signOut = await call(served.url, "auth.signOut", { headers: { ...sameOrigin, cookie: sessionCookieOf(answer) } });
    expect(signOut.cookies[0]).toMatch(/^smo_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
    expect(dataOf(await call(served.url, "auth.me", { query: true, headers: { cookie: sessionCookieOf(answer) } }))).toBeNull();
  });

  it("gives an unknown user and a wrong password the same answer, then locks the account even for the right password", async () => {
    await addUser(test.deps, "lena", "viewer", "lena-password");
    const address = { "x-forwarded-for": "192.0.2.10" };
    const wrong = await call(served.url, "auth.signIn", { input: { username: "lena", password: "wrong-password" }, headers: { ...sameOrigin, ...address } });
    const unknown = await call(served.url, "auth.signIn", { input: { username: "no-such-user", password: "lena-password" }, headers: { ...sameOrigin, "x-forwarded-for": "192.0.2.11" } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(errorOf(wrong).message).toBe(errorOf(unknown).message);
    expect(errorOf(wrong).message).toBe("invalid user name or password");

    for (let attempt = 1; attempt < 5; attempt++) {
      // Different addresses, so that only the per-name limit and the durable lock are in play.
      await call(served.url, "auth.signIn", { input: { username: "lena", password: "wrong-password" }, headers: { ...sameOrigin, "x-forwarded-for": `192.0.2.${20 + attempt}` } });
    }
    const locked = await call(served.url, "auth.signIn", { input: { username: "lena", password: "lena-password" }, headers: { ...sameOrigin, "x-forwarded-for": "192.0.2.99" } });
    expect(locked.status).toBe(429);
    expect(errorOf(locked).message).toMatch(/^too many failed sign-ins: try again in 15 minutes$/);
    expect(errorOf(locked).data.retryAfterSeconds).toBeGreaterThan(800);
    const [row] = await handle.db.select().from(users).where(eq(users.username, "lena"));
    expect(row!.lockedUntil).not.toBeNull();
  });

  it("throttles one client address that tries many names", async () => {
    const address = { "x-forwarded-for": "10.1.1.1, 198.51.100.4" };
    for (const name of ["x1", "x2", "x3"]) await call(served.url, "auth.signIn", { input: { username: name, password: "wrong-password" }, headers: { ...sameOrigin, ...address } });
    const refused = await call(served.url, "auth.signIn", { input: { username: "vic", password: "vic-password" }, headers: { ...sameOrigin, ...address } });
    expect(refused.status).toBe(429);
    const elsewhere = await call(served.url, "auth.signIn", { input: { username: "vic", password: "vic-password" }, headers: { ...sameOrigin, "x-forwarded-for": "198.51.100.5" } });
    expect(elsewhere.status).toBe(200);
  });

  it("runs an API token's whole life: shown once, used as Bearer by @trpc/client, expired by the clock, revoked", async () => {
    const olga = sessionCookieOf(await call(served.url, "auth.signIn", { input: { username: "olga", password: "olga-password" }, headers: sameOrigin }));
    const created = await call(served.url, "tokens.create", { input: { name: "laptop-cli", role: "operator", expiresInDays: 30 }, headers: { ...sameOrigin, cookie: olga } });
    expect(created.status).toBe(200);
    const { token, summary } = dataOf(created) as { token: string; summary: { id: number; prefix: string } };
    expect(token).toMatch(/^smo_[A-Za-z0-9_-]{43}$/);

    const listed = await call(served.url, "tokens.list", { query: true, headers: { cookie: olga } });
    expect(listed.text).not.toContain(token.slice(12));
    expect(listed.text).toContain(summary.prefix);

    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${served.url}${TRPC_ENDPOINT}`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })],
    });
    expect(await client.auth.me.query()).toEqual({ username: "olga", role: "operator", via: "token", tokenName: "laptop-cli" });
    const [mine, denied] = await Promise.allSettled([client.tokens.list.query(), client.users.list.query()]);
    expect(mine.status).toBe("fulfilled");
    expect(denied.status === "rejected" && denied.reason instanceof TRPCClientError && denied.reason.data?.code).toBe("FORBIDDEN");

    const second = dataOf(await call(served.url, "tokens.create", { input: { name: "ci", role: "viewer" }, headers: { ...sameOrigin, cookie: adminCookie } })) as { token: string; summary: { id: number } };
    // A viewer-role token manages its owner's tokens (as any signed-in user), within its role.
    expect((await call(served.url, "tokens.list", { query: true, headers: { authorization: `Bearer ${second.token}` } })).status).toBe(200);
    expect((await call(served.url, "tokens.create", { input: { name: "above", role: "operator" }, headers: { authorization: `Bearer ${second.token}` } })).status).toBe(403);
    expect((await call(served.url, "users.list", { query: true, headers: { authorization: `Bearer ${second.token}` } })).status).toBe(403);
    expect((await call(served.url, "system.health", { query: true, headers: { authorization: `Bearer ${second.token}` } })).status).toBe(200);
    const revoked = await call(served.url, "tokens.revoke", { input: { id: second.summary.id }, headers: { ...sameOrigin, cookie: adminCookie } });
    expect(revoked.status).toBe(200);
    expect((await call(served.url, "system.health", { query: true, headers: { authorization: `Bearer ${second.token}` } })).status).toBe(401);

    now = new Date(now.getTime() + 30 * 86_400_000);
    const expired = await call(served.url, "auth.me", { query: true, headers: { authorization: `Bearer ${token}` } });
    expect(dataOf(expired)).toBeNull();
    expect((await call(served.url, "tokens.list", { query: true, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    const rows = await handle.db.select().from(apiTokens);
    const stored = JSON.stringify(rows);
    for (const plaintext of [token, second.token]) expect(stored).not.toContain(plaintext.slice(4));
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.tokenHash))).toBe(true);
  });

  it("refuses cookie-borne mutations from other sites, writing nothing but the denial; bearer calls are not cookie-based", async () => {
    const usersBefore = await handle.db.select({ total: count() }).from(users);
    const input = { username: "intruder", password: "intruder-password", role: "admin" };
    const foreign: Record<string, string>[] = [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "null" }];
    for (const headers of foreign) {
      const answer = await call(served.url, "users.create", { input, headers: { ...headers, cookie: adminCookie } });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(errorOf(answer).message).toMatch(/^cross-site request refused: /);
      const [line] = await handle.db.select().from(auditLog).orderBy(sql`${auditLog.id} desc`).limit(1);
      expect(line).toMatchObject({ action: "users.create", actor: "root", target: "intruder", result: "denied", detail: { code: "FORBIDDEN" } });
    }
    expect(await handle.db.select({ total: count() }).from(users)).toEqual(usersBefore);

    const adminToken = dataOf(await call(served.url, "tokens.create", { input: { name: "automation", role: "admin" }, headers: { ...sameOrigin, cookie: adminCookie } })) as { token: string };
    const viaBearer = await call(served.url, "users.create", { input, headers: { origin: "http://evil.example", authorization: `Bearer ${adminToken.token}` } });
    expect(viaBearer.status).toBe(200);
    const [line] = await handle.db.select().from(auditLog).orderBy(sql`${auditLog.id} desc`).limit(1);
    expect(line!.tokenId).toBeGreaterThan(0);
  });

  it("rejects a 1,000-call batch with a 400 before any procedure runs, and accepts the limit", async () => {
    const [auditBefore] = await handle.db.select({ total: count() }).from(auditLog);
    const [sessionsBefore] = await handle.db.select({ total: count() }).from(sessions);
    const paths = Array.from({ length: 1_000 }, () => "auth.signOut").join(",");
    const inputs = JSON.stringify(Object.fromEntries(Array.from({ length: 1_000 }, (_, index) => [index, {}])));
    const response = await fetch(`${served.url}${TRPC_ENDPOINT}/${paths}?batch=1`, { method: "POST", headers: { ...sameOrigin, cookie: adminCookie, "content-type": "application/json" }, body: inputs });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Batch call exceeds maximum size");
    expect(await handle.db.select({ total: count() }).from(auditLog)).toEqual([auditBefore]);
    expect(await handle.db.select({ total: count() }).from(sessions)).toEqual([sessionsBefore]);
    expect(dataOf(await call(served.url, "auth.me", { query: true, headers: { cookie: adminCookie } }))).toMatchObject({ username: "root" });

    const atLimit = await fetch(`${served.url}${TRPC_ENDPOINT}/${Array.from({ length: MAX_BATCH_SIZE }, () => "auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`);
    expect(atLimit.status).toBe(200);
    expect(((await atLimit.json()) as unknown[]).length).toBe(MAX_BATCH_SIZE);
  });

  it("refuses hostile input at the boundary with a clear error, writing nothing but the audit line", async () => {
    const headers = { ...sameOrigin, cookie: adminCookie };
    const rows = async () => Promise.all([graphs, services, projects, operations, placements, events].map(async (table) => (await handle.db.select({ total: count() }).from(table))[0]!.total));
    const before = await rows();
    const descriptor = readFileSync(join(import.meta.dirname, "../examples/hdag/gpu-offloading-graph.yaml"), "utf8");
    const deploy = (input: unknown) => call(served.url, "graphs.deploy", { input, headers });

    const bomb = ["hdaGraph:", "  id: bomb", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) bomb.push(`  ${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(",")}]`);
    const aliasBomb = await deploy({ project: "demo", descriptor: { text: bomb.join("\n") } });
    expect([aliasBomb.status, errorOf(aliasBomb).data.code]).toEqual([400, "BAD_REQUEST"]);
    expect(errorOf(aliasBomb).data.issues).toEqual([expect.objectContaining({ message: expect.stringContaining("alias bomb") })]);

    const yamlPrototype = await deploy({ project: "demo", descriptor: { text: descriptor.replace("hdaGraph:", "__proto__: {polluted: true}\nhdaGraph:") } });
    expect(yamlPrototype.status).toBe(400);
    expect(errorOf(yamlPrototype).data.issues).toEqual([expect.objectContaining({ path: "__proto__" })]);

    // A __proto__ key in the call's own JSON input: superjson would drop it silently; it is refused by name instead.
    const rawPrototype = await fetch(`${served.url}${TRPC_ENDPOINT}/graphs.deploy`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: `{"json":{"project":"demo","descriptor":{"text":${JSON.stringify(descriptor)}},"__proto__":{"polluted":true}}}`,
    });
    expect(rawPrototype.status).toBe(400);
    expect(((await rawPrototype.json()) as { error: { json: { message: string } } }).error.json.message).toBe(
      "input has a forbidden key at __proto__: keys named __proto__, constructor or prototype are not allowed",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    for (const name of ["$(id)", "--set=x"]) {
      const badProject = await deploy({ project: name, descriptor: { text: descriptor } });
      expect([badProject.status, (errorOf(badProject).data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors.project]).toEqual([400, [expect.stringContaining("not a DNS-1123 label")]]);
      const badGraph = await call(served.url, "graphs.stop", { input: { name }, headers });
      expect([badGraph.status, (errorOf(badGraph).data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors.name]).toEqual([400, [expect.stringContaining("not a DNS-1123 label")]]);
      const badId = await deploy({ project: "demo", descriptor: { text: descriptor.replace("id: gpu-offloading-graph", `id: "${name}"`) } });
      expect(badId.status).toBe(400);
      expect(errorOf(badId).data.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "hdaGraph.id" })]));
    }

    const huge = await fetch(`${served.url}${TRPC_ENDPOINT}/graphs.deploy`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ json: { project: "demo", descriptor: { text: "a".repeat(10 * 1024 * 1024) } } }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { json: { message: string; data: { code: string } } } }).error.json).toMatchObject({
      message: `request body is larger than ${MAX_TRPC_BODY_BYTES} bytes`,
      data: { code: "PAYLOAD_TOO_LARGE" },
    });

    expect(await rows()).toEqual(before);
    const [line] = await handle.db.select().from(auditLog).orderBy(sql`${auditLog.id} desc`).limit(1);
    expect(line).toMatchObject({ action: "graphs.deploy", actor: "root", result: "failed", detail: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("maps core errors to their codes and records allowed and failed mutations", async () => {
    const headers = { ...sameOrigin, cookie: adminCookie };
    const created = await call(served.url, "users.create", { input: { username: "nina", password: "nina-password", role: "viewer" }, headers });
    expect(created.status).toBe(200);
    const duplicate = await call(served.url, "users.create", { input: { username: "nina", password: "nina-password", role: "viewer" }, headers });
    expect([duplicate.status, errorOf(duplicate).data.code, errorOf(duplicate).message]).toEqual([409, "CONFLICT", 'user "nina" already exists']);
    const missing = await call(served.url, "users.setRole", { input: { username: "nobody", role: "viewer" }, headers });
    expect([missing.status, errorOf(missing).data.code]).toEqual([404, "NOT_FOUND"]);
    const invalid = await call(served.url, "users.create", { input: { username: "Bad Name!", password: "long-password", role: "viewer" }, headers });
    expect([invalid.status, errorOf(invalid).data.issues]).toEqual([400, [{ path: "username", message: expect.stringContaining("lowercase letters") }]]);
    const badShape = await call(served.url, "users.create", { input: { username: "ok", password: "long-password", role: "superuser" }, headers });
    expect(badShape.status).toBe(400);
    expect((errorOf(badShape).data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors.role).toHaveLength(1);
    const lines = await handle.db.select().from(auditLog).where(eq(auditLog.target, "nina")).orderBy(auditLog.id);
    expect(lines.map((line) => [line.action, line.result, line.actor])).toEqual([
      ["users.create", "allowed", "root"],
      ["users.create", "failed", "root"],
    ]);
  });

  it("answers an internal error as 'internal error' with no stack, SQL or path", async () => {
    await handle.db.execute(sql`alter table settings rename to settings_moved_away`);
    try {
      const answer = await call(served.url, "settings.get", { query: true, headers: { cookie: adminCookie } });
      expect(answer.status).toBe(500);
      expect(errorOf(answer).message).toBe("internal error");
      for (const leak of ["stack", "select", "relation", "Failed query", "settings_moved", "/work", "node_modules", ".ts:"]) expect(answer.text).not.toContain(leak);
    } finally {
      await handle.db.execute(sql`alter table settings_moved_away rename to settings`);
    }
  });

  it("shows which systems are configured without any secret, and applies admin settings to the core", async () => {
    const caller = createCallerFactory(appRouter)(createContextInner({ deps: test.deps, caller: { kind: "user", userId: 1, username: "root", role: "admin", sessionId: "s" } }));
    const shown = await caller.settings.get();
    const text = JSON.stringify(shown);
    for (const secret of ["webhook-secret-0123456789", "admin-secret-from-env", "grafana-secret-password"]) expect(text).not.toContain(secret);
    expect(shown.systems).toMatchObject({ mode: "sandbox", grafana: { configured: true, auth: "basic" }, alertWebhook: { configured: true } });
    expect(shown.placement.initialAlgorithm).toBe("first-fit");

    const placement = { initialAlgorithm: "optimal", replaceAlgorithm: "green-best-fit", weights: { migration: 2, carbon: 1, communication: 0, balance: 0.5 }, timeLimitSeconds: 5 } as const;
    expect((await caller.settings.set({ key: "placement", value: placement })).placement).toEqual(placement);
    const core = await createContextInner({ deps: test.deps }).core();
    expect(core.config.placement).toEqual(placement);
    await expect(caller.settings.set({ key: "placement", value: { ...placement, weights: { ...placement.weights, carbon: -1 } } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("error mapping of any procedure", () => {
  let test: TestDeps;
  let handle: DatabaseHandle;
  let served: ServedHandler;
  let eve: { id: number };
  const failing = router({
    bug: viewerProcedure.query(() => {
      const error = new Error('relation "users" at /srv/smo/lib/secret.ts:12: select password_hash from users where token = \'smo_x\'');
      throw error;
    }),
    karmadaDown: viewerProcedure.query(() => {
      throw new UpstreamError("karmada", "GET https://karmada:5443/apis/cluster.karmada.io/v1alpha1/clusters answered HTTP 503", { status: 503 });
    }),
    missing: viewerProcedure.query(() => {
      throw new NotFoundError("graph", "demo");
    }),
    blocked: viewerProcedure.query(() => {
      throw new PreconditionFailedError("the graph is being removed");
    }),
  });

  beforeAll(async () => {
    handle = await databaseTargets()[0]!.open();
    test = await createTestDeps({ database: handle });
    eve = await addUser(test.deps, "eve", "viewer", "eve-password");
    served = await serveFetchHandler((req) => fetchRequestHandler({ endpoint: TRPC_ENDPOINT, req, router: failing, createContext: ({ req, resHeaders }) => createContext({ req, resHeaders, deps: test.deps }) }));
  });
  afterAll(async () => {
    await served?.close();
    await test?.close();
    await handle?.close();
  });

  it("keeps an unexpected error's message, stack and SQL in the server log, and names the failing system for upstream errors", async () => {
    const { token } = await createApiToken({ db: handle.db, clock: () => new Date(), logger: test.deps.logger }, { userId: eve.id, role: "viewer" }, { name: "probe", role: "viewer" });
    const headers = { authorization: `Bearer ${token}` };

    const bug = await call(served.url, "bug", { query: true, headers });
    expect([bug.status, errorOf(bug).message, errorOf(bug).data.code]).toEqual([500, "internal error", "INTERNAL_SERVER_ERROR"]);
    for (const leak of ["stack", "select", "password_hash", "relation", "/srv/smo", "secret.ts", "smo_x"]) expect(bug.text).not.toContain(leak);

    const upstream = await call(served.url, "karmadaDown", { query: true, headers });
    expect([upstream.status, errorOf(upstream).data.code]).toEqual([502, "BAD_GATEWAY"]);
    expect(errorOf(upstream).message).toMatch(/^karmada: GET https:\/\/karmada:5443\/.* answered HTTP 503$/);

    const blocked = await call(served.url, "blocked", { query: true, headers });
    expect([blocked.status, errorOf(blocked).data.code, errorOf(blocked).message]).toEqual([412, "PRECONDITION_FAILED", "the graph is being removed"]);
    const missing = await call(served.url, "missing", { query: true, headers });
    expect([missing.status, errorOf(missing).message]).toEqual([404, 'graph "demo" not found']);

    // createCaller (server-side calls, tests) sees the same mapped errors.
    const caller = createCallerFactory(failing)(createContextInner({ deps: test.deps, caller: { kind: "user", userId: eve.id, username: "eve", role: "viewer", sessionId: "s" } }));
    await expect(caller.bug()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: "internal error" });
    await expect(caller.karmadaDown()).rejects.toMatchObject({ code: "BAD_GATEWAY" });
  });
});

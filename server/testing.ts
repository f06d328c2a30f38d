/**
 * Test wiring for the web layer: server dependencies on a fresh sandbox federation and a given
 * database, and a node:http server around a fetch handler, so tests go through real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DatabaseHandle } from "../db";
import { createLoginThrottle, createUser, DEFAULT_SESSION_POLICY, type LoginThrottleOptions, type Role, type SessionPolicy } from "../lib/auth";
import { createSilentLogger, type Logger } from "../lib/logger";
import type { SandboxOptions } from "../sim/sandbox";
import { startSandboxCore, type SandboxCore } from "../sim/testing";
import { loadConfig } from "./config";
import type { ServerDeps } from "./deps";

export type TestDepsOptions = {
  database: DatabaseHandle;
  /** A movable clock; defaults to the real one. */
  clock?: () => Date;
  throttle?: LoginThrottleOptions;
  sessionPolicy?: SessionPolicy;
  logger?: Logger;
  /** Environment for loadConfig (e.g. secrets that must never be shown). */
  env?: Record<string, string>;
  sandbox?: Pick<SandboxOptions, "grafanaPassword">;
};

export type TestDeps = {
  deps: ServerDeps;
  /** The sandbox behind the deps (its federation, for tests that drive it). */
  sandbox: SandboxCore["sandbox"];
  close: () => Promise<void>;
};

/** Server dependencies in sandbox mode on `database` (not closed by `close`). */
export async function createTestDeps(options: TestDepsOptions): Promise<TestDeps> {
  const logger = options.logger ?? createSilentLogger();
  const core = await startSandboxCore({ ...options.sandbox, database: options.database, logger });
  const deps: ServerDeps = {
    config: loadConfig({ SMO_DATA_DIR: "memory", ...options.env }),
    database: options.database,
    clients: core.ctx.clients,
    coreConfig: core.ctx.config,
    logger,
    clock: options.clock ?? (() => new Date()),
    loginThrottle: createLoginThrottle(options.throttle),
    sessionPolicy: options.sessionPolicy ?? DEFAULT_SESSION_POLICY,
    sandbox: core.sandbox.endpoints,
  };
  return { deps, sandbox: core.sandbox, close: core.close };
}

/** Creates a user directly through the core (test setup). */
export async function addUser(deps: ServerDeps, username: string, role: Role, password = `${username}-password`): Promise<{ username: string; password: string; id: number }> {
  const user = await createUser({ db: deps.database.db, clock: deps.clock, logger: deps.logger }, { username, password, role });
  return { username, password, id: user.id };
}

export type ServedHandler = { url: string; close: () => Promise<void> };

/** Serves a fetch-style handler on 127.0.0.1 at an ephemeral port. */
export async function serveFetchHandler(handler: (req: Request) => Promise<Response>): Promise<ServedHandler> {
  const server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing, handler).catch((error: unknown) => {
      outgoing.statusCode = 500;
      outgoing.end(`test server: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function forward(incoming: IncomingMessage, outgoing: ServerResponse, handler: (req: Request) => Promise<Response>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = incoming.method ?? "GET";
  const request = new Request(`http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  const response = await handler(request);
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") outgoing.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) outgoing.setHeader("set-cookie", cookies);
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

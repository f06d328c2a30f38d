/**
 * Test wiring for the web layer: server dependencies on a fresh sandbox federation and a given
 * database, and a node:http server around a fetch handler, so tests go through real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { once } from "node:events";
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
    sandboxControls: core.sandbox.controls,
  };
  return { deps, sandbox: core.sandbox, close: core.close };
}

/** Creates a user directly through the core (test setup). */
export async function addUser(deps: ServerDeps, username: string, role: Role, password = `${username}-password`): Promise<{ username: string; password: string; id: number }> {
  const user = await createUser({ db: deps.database.db, clock: deps.clock, logger: deps.logger }, { username, password, role });
  return { username, password, id: user.id };
}

export type ServedHandler = {
  url: string;
  /** Cuts every open connection (streams included), as a network failure would. */
  dropConnections: () => void;
  close: () => Promise<void>;
};

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
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Streams (SSE) a test left open would keep the server from closing.
        server.closeAllConnections();
      }),
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
  // The request's signal ends when the client goes away, as Next.js's does: streams (SSE) stop then.
  const disconnected = new AbortController();
  outgoing.once("close", () => disconnected.abort());
  const request = new Request(`http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
    signal: disconnected.signal,
  });
  const response = await handler(request);
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") outgoing.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) outgoing.setHeader("set-cookie", cookies);
  if (!response.body) {
    outgoing.end();
    return;
  }
  // Written as it comes, chunk by chunk (not buffered), so that streamed responses stream.
  outgoing.flushHeaders();
  const reader = response.body.getReader();
  disconnected.signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined), { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || outgoing.destroyed) break;
      if (!outgoing.write(value)) await once(outgoing, "drain", { signal: disconnected.signal }).catch(() => undefined);
    }
  } catch (error) {
    // A cancelled body (the client left) ends quietly; anything else ends the response abruptly.
    if (!disconnected.signal.aborted) {
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
  }
  outgoing.end();
}

export type TestEventSourceInit = {
  /** Sent with every (re)connection: a session cookie or an `authorization` header. */
  headers?: Record<string, string>;
  /** Pause before reconnecting after the stream ended (default 50 ms; a `retry:` field overrides it). */
  reconnectMs?: number;
};

/**
 * Node 20 has no EventSource: this one reads the stream with fetch and follows the WHATWG rules
 * that tRPC's httpSubscriptionLink relies on — named events, `id:` kept as the last event id and
 * sent back as `Last-Event-ID` when it reconnects after the stream ends, a non-200 answer or
 * another content type failing the connection for good.
 */
export class TestEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readonly url: string;
  readonly withCredentials = false;
  readyState = 0;
  /** How many times a connection was opened (1 + reconnections). */
  connections = 0;
  private readonly headers: Record<string, string>;
  private reconnectMs: number;
  private lastEventId = "";
  private readonly stopped = new AbortController();

  constructor(url: string | URL, init: TestEventSourceInit = {}) {
    super();
    this.url = String(url);
    this.headers = init.headers ?? {};
    this.reconnectMs = init.reconnectMs ?? 50;
    void this.connect();
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.stopped.abort();
  }

  private async connect(): Promise<void> {
    const headers: Record<string, string> = { accept: "text/event-stream", "cache-control": "no-cache", ...this.headers };
    if (this.lastEventId) headers["last-event-id"] = this.lastEventId;
    try {
      this.connections++;
      const response = await fetch(this.url, { headers, signal: this.stopped.signal });
      if (response.status !== 200 || !response.headers.get("content-type")?.startsWith("text/event-stream") || !response.body) {
        await response.body?.cancel();
        this.readyState = this.CLOSED;
        this.dispatchEvent(new Event("error"));
        return;
      }
      this.readyState = this.OPEN;
      this.dispatchEvent(new Event("open"));
      await this.read(response.body);
    } catch {
      // A network error: reconnect, as after the end of the stream.
    }
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CONNECTING;
    this.dispatchEvent(new Event("error"));
    if (this.readyState === this.CONNECTING) setTimeout(() => void this.connect(), this.reconnectMs);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    let data: string[] = [];
    let type = "";
    let idBuffer = this.lastEventId;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split(/\r\n|\r|\n/);
      pending = lines.pop()!;
      for (const line of lines) {
        if (this.readyState === this.CLOSED) {
          await reader.cancel();
          return;
        }
        if (line === "") {
          this.lastEventId = idBuffer;
          if (data.length > 0) this.dispatchEvent(new MessageEvent(type || "message", { data: data.join("\n"), lastEventId: this.lastEventId, origin: new URL(this.url).origin }));
          data = [];
          type = "";
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(value);
        else if (field === "event") type = value;
        else if (field === "id" && !value.includes("\0")) idBuffer = value;
        else if (field === "retry" && /^\d+$/.test(value)) this.reconnectMs = Number(value);
      }
    }
  }
}

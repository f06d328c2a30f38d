/**
 * The online side of the CLI: the config file (`~/.smo/config.json`, or `$SMO_CONFIG_DIR/config.json`)
 * holding the console's URL and an API token, and the tRPC client built from it.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../server/routers/_app";
import { UsageError, type CliIo } from "./io";

export type CliConfig = { url: string; token: string };
export type ConsoleClient = TRPCClient<AppRouter>;
/** The environment the config location is read from (`SMO_CONFIG_DIR`); process.env by default. */
export type ConfigEnv = Record<string, string | undefined>;

/** The console's tRPC path and batch limit (server/http.ts); the link must not exceed the server's batch size. */
const TRPC_PATH = "/api/trpc";
const MAX_BATCH_ITEMS = 20;

export function configDirectory(env: ConfigEnv = process.env): string {
  return env.SMO_CONFIG_DIR || join(homedir(), ".smo");
}

export function configPath(env: ConfigEnv = process.env): string {
  return join(configDirectory(env), "config.json");
}

/** The stored config, or undefined when `smo login` has not run. A malformed file is an error naming it. */
export async function readConfig(env: ConfigEnv = process.env): Promise<CliConfig | undefined> {
  const path = configPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON; run smo login again`, { cause: error });
  }
  const record = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof record.url !== "string" || typeof record.token !== "string") throw new Error(`${path} lacks "url" or "token"; run smo login again`);
  return { url: record.url, token: record.token };
}

/** Writes the config readable by its owner only (it holds a token). */
export async function writeConfig(config: CliConfig, env: ConfigEnv = process.env): Promise<string> {
  const directory = configDirectory(env);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = configPath(env);
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an older file keeps its mode otherwise.
  await chmod(path, 0o600);
  return path;
}

/** Accepts "https://console.example" or with a trailing slash; refuses anything but http(s). */
export function normalizeConsoleUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url "${url}" is not a URL (e.g. https://smo.example.org)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`--url must be http:// or https:// (got "${url}")`);
  return parsed.origin + parsed.pathname.replace(/\/+$/, "");
}

export type ClientOptions = {
  url: string;
  headers?: Record<string, string>;
  /** Sees every HTTP response (login reads the session cookie from it). */
  onResponse?: (response: Response) => void;
};

export function createConsoleClient(options: ClientOptions): ConsoleClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url}${TRPC_PATH}`,
        transformer: superjson,
        maxItems: MAX_BATCH_ITEMS,
        headers: () => options.headers ?? {},
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          options.onResponse?.(response);
          return response;
        },
      }),
    ],
  });
}

/** The client of the configured console, authenticated with the stored token. */
export async function connectConsole(env: ConfigEnv = process.env): Promise<ConsoleClient> {
  const config = await readConfig(env);
  if (!config) throw new Error("not configured: run smo login first");
  return createConsoleClient({ url: config.url, headers: { authorization: `Bearer ${config.token}` } });
}

type ErrorData = {
  code?: string;
  issues?: { path: string; message: string }[] | null;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
};

/**
 * Runs one call of the console and turns its failure into one line a person can act on
 * (`action` completes "your role may not …"). Other errors pass unchanged.
 */
export async function callConsole<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    throw new Error(explainClientError(error as TRPCClientError<AppRouter>, action), { cause: error });
  }
}

export function explainClientError(error: TRPCClientError<AppRouter>, action: string): string {
  const data = (error.data ?? {}) as ErrorData;
  switch (data.code) {
    case "UNAUTHORIZED":
      return "not signed in or token expired: run smo login";
    case "FORBIDDEN":
      return `your role may not ${action}: ${error.message}`;
    case "NOT_FOUND":
      return `not found: ${error.message}`;
    case "CONFLICT":
      return `conflict: ${error.message}`;
    case "PRECONDITION_FAILED":
      return `not possible now: ${error.message}`;
    case "BAD_REQUEST":
      return `invalid input: ${describeIssues(data) ?? error.message}`;
    case undefined:
      // No tRPC answer at all: the console is unreachable or answered something else.
      return `cannot reach the console: ${error.message}`;
    default:
      return error.message;
  }
}

function describeIssues(data: ErrorData): string | undefined {
  if (data.issues?.length) return data.issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
  if (data.zodError) {
    const fields = Object.entries(data.zodError.fieldErrors).map(([path, messages]) => `${path}: ${(messages ?? []).join(", ")}`);
    const parts = [...data.zodError.formErrors, ...fields];
    if (parts.length) return parts.join("; ");
  }
  return undefined;
}

/** node:util parseArgs with its errors as usage errors (exit 2). */
export function parseCommandArgs<const T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length < positionals.min) throw new UsageError(`missing ${positionals.names}`);
  if (parsed.positionals.length > positionals.max) throw new UsageError(`unexpected arguments: ${parsed.positionals.slice(positionals.max).join(" ")}`);
  return parsed;
}

/** An instant for tables: "2026-11-26 06:20", or "-" when absent. */
export function formatInstant(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return "-";
  return new Date(value).toISOString().slice(0, 16).replace("T", " ");
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

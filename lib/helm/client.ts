/**
 * The helm client SMO uses (SPEC §3): runs the helm executable as a child process with an
 * argument array (never a shell), a private values file, a timeout, captured output, and at
 * most one operation per release at a time.
 */

import { execFile, type ExecFileException } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ValidationError } from "../errors";
import type { Logger } from "../logger";
import { buildInstallArgv, buildListArgv, buildStatusArgv, buildUninstallArgv, buildUpgradeArgv, assertValidHelmTarget } from "./argv";
import { classifyHelmError, extractHelmErrorMessage, HelmCommandError } from "./errors";
import { createKeyedLock } from "./keyed-lock";
import { isPlainObject, type HelmValues } from "./values";

export type HelmClientOptions = {
  /** The helm executable: a name looked up in PATH or a path (HELM_BIN). */
  helmBin?: string;
  /** Kubeconfig of the Karmada API server (KARMADA_KUBECONFIG). */
  kubeconfigPath: string;
  /** Pull charts over plain HTTP (HELM_PLAIN_HTTP), for insecure registries. */
  plainHttp?: boolean;
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL once the timeout has passed: helm handles SIGTERM by cancelling. */
  killGraceMs?: number;
  /** Added to (and overriding) the console's own environment for the child. */
  env?: Record<string, string>;
  /** Where the per-call private folder holding the values file is created (default: the OS temp folder). */
  tempDir?: string;
  logger?: Logger;
};

export type HelmInstallInput = { release: string; chart: string; namespace: string; values: HelmValues };
export type HelmUpgradeInput = HelmInstallInput & { reuseValues: boolean };
export type HelmReleaseRef = { release: string; namespace: string };

/** What one helm run printed; kept in the operation log. */
export type HelmCommandResult = { argv: string[]; stdout: string; stderr: string; durationMs: number };

export type HelmReleaseOutcome = HelmCommandResult & {
  release: string;
  namespace: string;
  /** From helm's STATUS block; undefined when the output had none. */
  revision?: number;
  status?: string;
};

export type HelmReleaseStatus = {
  release: string;
  namespace: string;
  revision: number;
  status: string;
  firstDeployed?: string;
  lastDeployed?: string;
  description?: string;
};

export type HelmListedRelease = {
  release: string;
  namespace: string;
  revision: number;
  updated: string;
  status: string;
  chart: string;
  appVersion: string;
};

export type HelmClient = {
  /** install, upgrade and uninstall of one release run one at a time, in call order (per client). */
  install(input: HelmInstallInput): Promise<HelmReleaseOutcome>;
  upgrade(input: HelmUpgradeInput): Promise<HelmReleaseOutcome>;
  uninstall(input: HelmReleaseRef): Promise<HelmCommandResult>;
  /** undefined when the release does not exist. */
  status(input: HelmReleaseRef): Promise<HelmReleaseStatus | undefined>;
  /** Releases of one namespace, or of all namespaces when none is given (deployed and failed ones, like helm). */
  list(input?: { namespace?: string }): Promise<HelmListedRelease[]>;
};

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_KILL_GRACE_MS = 2_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export function createHelmClient(options: HelmClientOptions): HelmClient {
  const helmBin = options.helmBin ?? "helm";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const plainHttp = options.plainHttp ?? false;
  const kubeconfigPath = options.kubeconfigPath;
  const lock = createKeyedLock();
  const childEnv = { ...process.env, ...options.env };

  async function runHelm(argv: string[]): Promise<HelmCommandResult> {
    const startedAt = Date.now();
    options.logger?.debug({ helmBin, argv }, "helm: running");
    const { stdout, stderr, failure } = await runProcess(helmBin, argv, { env: childEnv, timeoutMs, killGraceMs });
    const durationMs = Date.now() - startedAt;
    if (failure) {
      const error = toHelmError(failure, { argv, stdout, stderr, timeoutMs, helmBin });
      options.logger?.warn({ argv, reason: error.reason, exitCode: error.exitCode, stderr, durationMs }, "helm: failed");
      throw error;
    }
    options.logger?.info({ argv, durationMs }, "helm: done");
    return { argv, stdout, stderr, durationMs };
  }

  async function withValuesFile<T>(values: HelmValues, task: (valuesFile: string) => Promise<T>): Promise<T> {
    if (!isPlainObject(values)) throw new ValidationError([{ path: "values", message: "must be a plain object" }]);
    const folder = await mkdtemp(join(options.tempDir ?? tmpdir(), "smo-helm-"));
    try {
      const valuesFile = join(folder, "values.yaml");
      // YAML 1.1 quoting, because helm reads values as YAML 1.1: "yes"/"on"/"y" stay strings.
      await writeFile(valuesFile, stringify(values, { version: "1.1" }), { mode: 0o600, flag: "wx" });
      return await task(valuesFile);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  function releaseKey(ref: HelmReleaseRef): string {
    return `${ref.namespace}/${ref.release}`;
  }

  return {
    async install(input) {
      assertValidHelmTarget(input);
      return lock.run(releaseKey(input), () =>
        withValuesFile(input.values, async (valuesFile) => {
          const argv = buildInstallArgv({ ...input, valuesFile, kubeconfigPath, plainHttp });
          return describeOutcome(input, await runHelm(argv));
        }),
      );
    },
    async upgrade(input) {
      assertValidHelmTarget(input);
      return lock.run(releaseKey(input), () =>
        withValuesFile(input.values, async (valuesFile) => {
          const argv = buildUpgradeArgv({ ...input, valuesFile, kubeconfigPath, plainHttp });
          return describeOutcome(input, await runHelm(argv));
        }),
      );
    },
    async uninstall(input) {
      const argv = buildUninstallArgv({ ...input, kubeconfigPath });
      return lock.run(releaseKey(input), () => runHelm(argv));
    },
    async status(input) {
      const argv = buildStatusArgv({ ...input, kubeconfigPath });
      try {
        // A read: not queued behind a long install of the same release.
        const result = await runHelm(argv);
        return parseStatusJson(result.stdout, argv);
      } catch (error) {
        if (error instanceof HelmCommandError && error.reason === "not-found") return undefined;
        throw error;
      }
    },
    async list(input = {}) {
      const argv = buildListArgv({ namespace: input.namespace, kubeconfigPath });
      const result = await runHelm(argv);
      return parseListJson(result.stdout, argv);
    },
  };
}

type ProcessFailure = { exitCode?: number; signal?: string; timedOut: boolean; spawnError?: Error };

type ProcessOutput = { stdout: string; stderr: string; failure?: ProcessFailure };

/** Runs a file with arguments (no shell); on timeout sends SIGTERM, then SIGKILL after a grace period. */
function runProcess(file: string, argv: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number; killGraceMs: number }): Promise<ProcessOutput> {
  return new Promise((resolve) => {
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = execFile(file, argv, { env: options.env, maxBuffer: MAX_OUTPUT_BYTES, encoding: "utf8", shell: false }, (error, stdout, stderr) => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      if (!error) return resolve({ stdout, stderr });
      resolve({ stdout, stderr, failure: describeFailure(error, timedOut) });
    });
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), options.killGraceMs);
    }, options.timeoutMs);
  });
}

function describeFailure(error: ExecFileException, timedOut: boolean): ProcessFailure {
  // A string code (ENOENT, EACCES, ERR_CHILD_PROCESS_STDIO_MAXBUFFER) means helm did not run to an exit.
  if (typeof error.code === "string") return { timedOut, spawnError: error };
  return { exitCode: typeof error.code === "number" ? error.code : undefined, signal: error.signal ?? undefined, timedOut };
}

function toHelmError(
  failure: ProcessFailure,
  context: { argv: string[]; stdout: string; stderr: string; timeoutMs: number; helmBin: string },
): HelmCommandError {
  const { argv, stdout, stderr } = context;
  const what = `helm ${argv[0]}${argv[1] && !argv[1].startsWith("-") ? ` ${argv[1]}` : ""}`;
  if (failure.timedOut) {
    return new HelmCommandError(`${what} timed out after ${context.timeoutMs} ms and was killed`, { reason: "timeout", argv, stdout, stderr });
  }
  if (failure.spawnError) {
    return new HelmCommandError(`cannot run ${JSON.stringify(context.helmBin)}: ${failure.spawnError.message}`, {
      reason: "spawn-failed",
      argv,
      stdout,
      stderr,
      cause: failure.spawnError,
    });
  }
  const helmMessage = extractHelmErrorMessage(stderr);
  const message = helmMessage ?? `${what} exited with ${failure.exitCode !== undefined ? `code ${failure.exitCode}` : `signal ${failure.signal}`} and printed no error`;
  return new HelmCommandError(message, { reason: helmMessage ? classifyHelmError(helmMessage) : "failed", exitCode: failure.exitCode, argv, stdout, stderr });
}

/** Reads REVISION and STATUS from helm's status block (install/upgrade print it on success). */
function describeOutcome(input: HelmReleaseRef, result: HelmCommandResult): HelmReleaseOutcome {
  const revision = /^REVISION: (\d+)$/m.exec(result.stdout)?.[1];
  const status = /^STATUS: (\S+)$/m.exec(result.stdout)?.[1];
  return { ...result, release: input.release, namespace: input.namespace, revision: revision ? Number(revision) : undefined, status };
}

function parseJsonOutput(stdout: string, argv: string[]): unknown {
  try {
    return JSON.parse(stdout);
  } catch (error) {
    throw new HelmCommandError(`helm ${argv[0]} printed output that is not JSON: ${stdout.slice(0, 200)}`, {
      reason: "failed",
      exitCode: 0,
      argv,
      stdout,
      stderr: "",
      cause: error,
    });
  }
}

function parseStatusJson(stdout: string, argv: string[]): HelmReleaseStatus {
  const parsed = parseJsonOutput(stdout, argv);
  if (!isPlainObject(parsed) || typeof parsed.name !== "string" || typeof parsed.version !== "number") {
    throw new HelmCommandError("helm status printed JSON without name and version", { reason: "failed", exitCode: 0, argv, stdout, stderr: "" });
  }
  const info = isPlainObject(parsed.info) ? parsed.info : {};
  return {
    release: parsed.name,
    namespace: typeof parsed.namespace === "string" ? parsed.namespace : "",
    revision: parsed.version,
    status: typeof info.status === "string" ? info.status : "unknown",
    firstDeployed: typeof info.first_deployed === "string" ? info.first_deployed : undefined,
    lastDeployed: typeof info.last_deployed === "string" ? info.last_deployed : undefined,
    description: typeof info.description === "string" ? info.description : undefined,
  };
}

function parseListJson(stdout: string, argv: string[]): HelmListedRelease[] {
  const parsed = parseJsonOutput(stdout, argv);
  if (!Array.isArray(parsed)) throw new HelmCommandError("helm list printed JSON that is not an array", { reason: "failed", exitCode: 0, argv, stdout, stderr: "" });
  return parsed.filter(isPlainObject).map((item) => ({
    release: String(item.name ?? ""),
    namespace: String(item.namespace ?? ""),
    // helm list prints the revision as a string.
    revision: Number(item.revision ?? 0),
    updated: String(item.updated ?? ""),
    status: String(item.status ?? ""),
    chart: String(item.chart ?? ""),
    appVersion: String(item.app_version ?? ""),
  }));
}

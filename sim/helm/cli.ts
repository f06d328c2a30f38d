/**
 * A helm-3-compatible command line for the sandbox (used through HELM_BIN): install, upgrade,
 * uninstall, status, list, get values and version, with helm's flags, outputs, `Error: …`
 * texts and exit codes (fixtures/helm-errors.txt). Releases live in Secrets in the cluster the
 * `--kubeconfig` names, exactly where helm keeps them.
 *
 * Fault injection for tests and the sandbox, from the environment:
 * - SMO_SIM_HELM_LATENCY_MS: sleep this long before acting;
 * - SMO_SIM_HELM_STEP_LATENCY_MS: sleep this long before applying each object (a slow install,
 *   during which SIGTERM cancels like helm's and leaves the release failed);
 * - SMO_SIM_HELM_FAIL_RELEASES: comma-separated release names whose install/upgrade fails
 *   while rendering (exit 1, nothing created);
 * - SMO_SIM_HELM_LOG: a file receiving one JSON line when a command starts and one when it ends.
 */

import { appendFileSync, readFileSync, statSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ValidationError } from "../../lib/errors";
import { mergeValues } from "../../lib/helm/values";
import { CliUsageError, GLOBAL_FLAGS, parseFlags, splitCommand, type FlagSpec, type ParsedFlags } from "./args";
import { ChartLocateError, locateChart } from "./charts";
import { formatGoTime, formatJson, formatStatusBlock, formatTable, formatYaml } from "./format";
import type { KubeAccess, KubeObject, ObjectRef } from "./kube";
import { decodeReleaseSecret, encodeReleaseSecret, isPendingStatus, sortByRevisionDescending, type ReleaseStatus, type StoredRelease } from "./release";
import { isRecord, RenderError, renderChart, type ChartInfo, type RenderedObject } from "./render";
import { readUserValues, ValuesError } from "./values";

export type CliIO = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /**
   * Called when install/upgrade reaches the point where helm starts handling SIGTERM: from then
   * on a SIGTERM cancels the operation (the release is recorded as failed) instead of killing.
   */
  armCancellation?: (onCancel: () => void) => void;
};

export const SIM_HELM_VERSION = "v3.21.4";
const SIM_GIT_COMMIT = "5caf0044d4ef3d62a955440272999e139aafbbed";
const RELEASE_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RELEASE_NAME_REGEX_TEXT = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const GO_DURATION_PATTERN = /^(0|[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/;

/** Printed as `Error: <message>`; exit code 1. */
class HelmFailure extends Error {}

type ArgsRule = { exact: number } | { min: number } | { none: true };

type CommandContext = {
  args: string[];
  flags: ParsedFlags;
  io: CliIO;
  namespace: string;
  kube: () => Promise<KubeAccess>;
};

type CommandSpec = {
  path: string[];
  use: string;
  args: ArgsRule;
  flags: FlagSpec[];
  /** Commands that act on the cluster wait SMO_SIM_HELM_LATENCY_MS first. */
  isAction: boolean;
  run: (context: CommandContext) => Promise<void>;
};

const OUTPUT_FLAG: FlagSpec = { name: "output", shorthand: "o", kind: "string" };
const TIMEOUT_FLAG: FlagSpec = { name: "timeout", kind: "string" };
const INSTALL_FLAGS: FlagSpec[] = [
  { name: "values", shorthand: "f", kind: "stringArray" },
  { name: "set", kind: "stringArray" },
  { name: "create-namespace", kind: "bool" },
  { name: "plain-http", kind: "bool" },
  { name: "insecure-skip-tls-verify", kind: "bool" },
  { name: "wait", kind: "bool" },
  { name: "wait-for-jobs", kind: "bool" },
  { name: "atomic", kind: "bool" },
  { name: "version", kind: "string" },
  { name: "description", kind: "string" },
  TIMEOUT_FLAG,
  OUTPUT_FLAG,
];

const COMMANDS: CommandSpec[] = [
  { path: ["install"], use: "install [NAME] [CHART]", args: { min: 1 }, flags: INSTALL_FLAGS, isAction: true, run: runInstallCommand },
  {
    path: ["upgrade"],
    use: "upgrade [RELEASE] [CHART]",
    args: { exact: 2 },
    flags: [
      ...INSTALL_FLAGS,
      { name: "install", shorthand: "i", kind: "bool" },
      { name: "reuse-values", kind: "bool" },
      { name: "reset-values", kind: "bool" },
    ],
    isAction: true,
    run: runUpgradeCommand,
  },
  {
    path: ["uninstall"],
    use: "uninstall RELEASE_NAME [...]",
    args: { min: 1 },
    flags: [{ name: "wait", kind: "bool" }, { name: "ignore-not-found", kind: "bool" }, { name: "description", kind: "string" }, TIMEOUT_FLAG],
    isAction: true,
    run: runUninstallCommand,
  },
  {
    path: ["status"],
    use: "status RELEASE_NAME",
    args: { exact: 1 },
    flags: [OUTPUT_FLAG, { name: "revision", kind: "string" }, { name: "show-desc", kind: "bool" }],
    isAction: true,
    run: runStatusCommand,
  },
  {
    path: ["list"],
    use: "list",
    args: { none: true },
    flags: [
      OUTPUT_FLAG,
      { name: "all-namespaces", shorthand: "A", kind: "bool" },
      { name: "all", shorthand: "a", kind: "bool" },
      { name: "short", shorthand: "q", kind: "bool" },
      { name: "filter", shorthand: "f", kind: "string" },
      { name: "no-headers", kind: "bool" },
    ],
    isAction: true,
    run: runListCommand,
  },
  {
    path: ["get", "values"],
    use: "get values RELEASE_NAME",
    args: { exact: 1 },
    flags: [OUTPUT_FLAG, { name: "all", shorthand: "a", kind: "bool" }, { name: "revision", kind: "string" }],
    isAction: true,
    run: runGetValuesCommand,
  },
  {
    path: ["version"],
    use: "version",
    args: { none: true },
    flags: [{ name: "short", kind: "bool" }, { name: "client", shorthand: "c", kind: "bool" }, { name: "template", kind: "string" }],
    isAction: false,
    run: runVersionCommand,
  },
];

export async function runHelmCli(argv: string[], io: CliIO): Promise<number> {
  const log = createInvocationLog(io.env.SMO_SIM_HELM_LOG, argv);
  let exitCode = 1;
  try {
    await dispatch(argv, io, log);
    exitCode = 0;
  } catch (error) {
    if (error instanceof HelmFailure || error instanceof CliUsageError) io.stderr(`Error: ${error.message}\n`);
    else io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  log.end(exitCode);
  return exitCode;
}

async function dispatch(argv: string[], io: CliIO, log: InvocationLog): Promise<void> {
  const isPrefix = (path: string[]) => COMMANDS.some((command) => path.every((word, index) => command.path[index] === word));
  const { path, rest } = splitCommand(argv, isPrefix);
  const command = COMMANDS.find((candidate) => candidate.path.join(" ") === path.join(" "));
  if (!command) {
    const word = rest.find((arg) => !arg.startsWith("-"));
    if (path.length === 0 && word === undefined) throw new HelmFailure(`a subcommand is required; the sandbox helm supports: ${COMMANDS.map((c) => c.path.join(" ")).join(", ")}`);
    throw new HelmFailure(`unknown command "${word ?? path.join(" ")}" for "helm${path.length > 0 ? ` ${path.join(" ")}` : ""}"\nRun 'helm${path.length > 0 ? ` ${path.join(" ")}` : ""} --help' for usage.`);
  }
  const { flags, positionals } = parseFlags(rest, [...GLOBAL_FLAGS, ...command.flags]);
  checkArgs(command, positionals);
  checkFlagValues(flags);
  const namespace = flags.strings.get("namespace") ?? io.env.HELM_NAMESPACE ?? "default";
  log.start(valuesFilesOf(flags));
  if (command.isAction) await sleep(Number(io.env.SMO_SIM_HELM_LATENCY_MS ?? 0));
  let kube: KubeAccess | undefined;
  const connect = async () => {
    if (!kube) {
      // Loaded on first use: client-node is the bulk of this program's start-up time.
      const { connectKube, KubeFailure } = await import("./kube");
      try {
        kube = connectKube({ kubeconfigPath: flags.strings.get("kubeconfig") ?? io.env.KUBECONFIG, context: flags.strings.get("kube-context") });
      } catch (error) {
        if (error instanceof KubeFailure) throw new HelmFailure(error.message);
        throw error;
      }
    }
    return kube;
  };
  await command.run({ args: positionals, flags, io, namespace, kube: connect });
}

function checkArgs(command: CommandSpec, args: string[]): void {
  const usage = `\n\nUsage:  helm ${command.use} [flags]`;
  const name = `"helm ${command.path.join(" ")}"`;
  const rule = command.args;
  if ("exact" in rule && args.length !== rule.exact) throw new HelmFailure(`${name} requires ${rule.exact} ${rule.exact === 1 ? "argument" : "arguments"}${usage}`);
  if ("min" in rule && args.length < rule.min) throw new HelmFailure(`${name} requires at least ${rule.min} ${rule.min === 1 ? "argument" : "arguments"}${usage}`);
  if ("none" in rule && args.length > 0) throw new HelmFailure(`${name} accepts no arguments${usage}`);
}

function checkFlagValues(flags: ParsedFlags): void {
  const output = flags.strings.get("output");
  if (output !== undefined && !["table", "json", "yaml"].includes(output)) throw new HelmFailure(`invalid argument "${output}" for "-o, --output" flag: invalid format type`);
  const timeout = flags.strings.get("timeout");
  if (timeout !== undefined && !GO_DURATION_PATTERN.test(timeout)) throw new HelmFailure(`invalid argument "${timeout}" for "--timeout" flag: time: invalid duration "${timeout}"`);
}

function outputFormat(flags: ParsedFlags): "table" | "json" | "yaml" {
  return (flags.strings.get("output") ?? "table") as "table" | "json" | "yaml";
}

// ---------------------------------------------------------------------------------------------
// install / upgrade

async function runInstallCommand(context: CommandContext): Promise<void> {
  const { args } = context;
  try {
    if (args.length > 2) throw new HelmFailure(`expected at most two arguments, unexpected arguments: ${args.slice(2).join(", ")}`);
    if (args.length < 2) throw new HelmFailure("must either provide a name or specify --generate-name");
    const release = await installRelease(context, args[0], args[1]);
    printRelease(context, release);
  } catch (error) {
    throw wrapFailure(error, "INSTALLATION FAILED");
  }
}

async function runUpgradeCommand(context: CommandContext): Promise<void> {
  const { args, flags, io, namespace } = context;
  const [name, chartReference] = args;
  if (flags.bools.get("install")) {
    const kube = await context.kube();
    const history = await loadHistory(kube, namespace, name).catch(rethrowKube);
    if (history.length === 0) {
      if (outputFormat(flags) === "table") io.stdout(`Release "${name}" does not exist. Installing it now.\n`);
      // As in helm, errors of this implicit install are not prefixed.
      printRelease(context, await installRelease(context, name, chartReference));
      return;
    }
  }
  const chart = locateChartOrFail(chartReference, flags);
  const values = readValuesOrFail(flags);
  try {
    const release = await upgradeRelease(context, name, chart, values);
    if (outputFormat(flags) === "table") io.stdout(`Release "${name}" has been upgraded. Happy Helming!\n`);
    printRelease(context, release);
  } catch (error) {
    throw wrapFailure(error, "UPGRADE FAILED");
  }
}

async function installRelease(context: CommandContext, name: string, chartReference: string): Promise<StoredRelease> {
  const { flags, namespace } = context;
  const chart = locateChartOrFail(chartReference, flags);
  const values = readValuesOrFail(flags);
  const cancellation = armCancellation(context, name);
  const kube = await context.kube();
  const namespaceExists = await kube.namespaceExists(namespace).catch(rethrowKube);
  if (!isValidReleaseName(name)) {
    throw new HelmFailure(`release name "${name}": invalid release name, must match regex ${RELEASE_NAME_REGEX_TEXT} and the length must not be longer than 53`);
  }
  const history = await loadHistory(kube, namespace, name).catch(rethrowKube);
  if (history.length > 0) throw new HelmFailure("cannot re-use a name that is still in use");

  const rendered = renderOrFail(context, { release: name, namespace, chart, values });
  const adopted = await findAdoptableObjects(kube, rendered, name, namespace);
  if (flags.bools.get("create-namespace") && !namespaceExists) await kube.createNamespace(namespace).catch(rethrowKube);

  const now = new Date().toISOString();
  const release: StoredRelease = {
    name,
    namespace,
    version: 1,
    info: { first_deployed: now, last_deployed: now, deleted: "", description: "Initial install underway", status: "pending-install" },
    chart: chartMetadata(chart),
    config: values,
    manifest: formatManifestOf(rendered),
  };
  // The record goes first (helm 3): a missing namespace fails here, before any object exists.
  await kube.createSecret(namespace, encodeReleaseSecret(release, { createdAt: Date.now() })).catch((error: unknown) => {
    throw new HelmFailure(`create: failed to create: ${kubeMessage(error)}`);
  });
  try {
    for (const { object } of rendered) {
      await pauseBeforeStep(context, cancellation);
      const ref = refOfRendered(object);
      if (adopted.has(refKey(ref))) await kube.mergePatchObject(ref, object);
      else await kube.createObject(object as KubeObject);
    }
    cancellation.check();
  } catch (error) {
    await recordRelease(kube, release, "failed", `Release "${name}" failed: ${kubeMessage(error)}`);
    throw new HelmFailure(kubeMessage(error));
  }
  await recordRelease(kube, release, "deployed", flags.strings.get("description") ?? "Install complete");
  return release;
}

async function upgradeRelease(context: CommandContext, name: string, chart: ChartInfo, newValues: Record<string, unknown>): Promise<StoredRelease> {
  const { flags, namespace } = context;
  const cancellation = armCancellation(context, name);
  const kube = await context.kube();
  await kube.namespaceExists(namespace).catch(rethrowKube);
  if (!isValidReleaseName(name)) throw new HelmFailure(`release name is invalid: ${name}`);
  const history = await loadHistory(kube, namespace, name).catch(rethrowKube);
  const last = history[0];
  if (!last) throw new HelmFailure(`"${name}" has no deployed releases`);
  if (isPendingStatus(last.info.status)) throw new HelmFailure("another operation (install/upgrade/rollback) is in progress");
  const current = history.find((release) => release.info.status === "deployed") ?? (["failed", "superseded"].includes(last.info.status) ? last : undefined);
  if (!current) throw new HelmFailure(`"${name}" has no deployed releases`);

  const values = reuseValues(flags, current.config, newValues);
  const rendered = renderOrFail(context, { release: name, namespace, chart, values });
  const upgraded: StoredRelease = {
    name,
    namespace,
    version: last.version + 1,
    info: { first_deployed: current.info.first_deployed, last_deployed: new Date().toISOString(), deleted: "", description: "Preparing upgrade", status: "pending-upgrade" },
    chart: chartMetadata(chart),
    config: values,
    manifest: formatManifestOf(rendered),
  };
  await kube.createSecret(namespace, encodeReleaseSecret(upgraded, { createdAt: Date.now() })).catch((error: unknown) => {
    throw new HelmFailure(`create: failed to create: ${kubeMessage(error)}`);
  });
  try {
    await applyUpgrade(kube, parseManifest(current.manifest), rendered, () => pauseBeforeStep(context, cancellation));
    cancellation.check();
  } catch (error) {
    await recordRelease(kube, upgraded, "failed", `Upgrade "${name}" failed: ${kubeMessage(error)}`);
    throw new HelmFailure(kubeMessage(error));
  }
  await recordRelease(kube, current, "superseded", current.info.description);
  await recordRelease(kube, upgraded, "deployed", flags.strings.get("description") ?? "Upgrade complete");
  return upgraded;
}

/** helm's reuseValues: --reuse-values merges the new values over the old; no values at all reuses them too. */
function reuseValues(flags: ParsedFlags, previous: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  if (flags.bools.get("reset-values")) return next;
  if (flags.bools.get("reuse-values")) return mergeValues(previous ?? {}, next);
  if (Object.keys(next).length === 0 && previous && Object.keys(previous).length > 0) return previous;
  return next;
}

/** Creates what is new, three-way merge-patches what exists, deletes what the new manifest dropped. */
async function applyUpgrade(kube: KubeAccess, previous: KubeObject[], rendered: RenderedObject[], beforeStep: () => Promise<void>): Promise<void> {
  const previousByKey = new Map(previous.map((object) => [refKey(refOfRendered(object)), object]));
  const nextKeys = new Set<string>();
  for (const { object } of rendered) {
    await beforeStep();
    const ref = refOfRendered(object);
    nextKeys.add(refKey(ref));
    const live = await kube.getObject(ref);
    if (!live) {
      await kube.createObject(object as KubeObject);
      continue;
    }
    const patch = createMergePatch(previousByKey.get(refKey(ref)) ?? {}, object);
    if (Object.keys(patch).length > 0) await kube.mergePatchObject(ref, patch);
  }
  for (const object of [...previous].reverse()) {
    const ref = refOfRendered(object);
    if (!nextKeys.has(refKey(ref))) await kube.deleteObject(ref);
  }
}

/** RFC 7386 diff: what turns `from` into `to` (keys dropped → null, arrays replaced whole). */
export function createMergePatch(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (isRecord(before) && isRecord(value)) {
      const nested = createMergePatch(before, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (JSON.stringify(before) !== JSON.stringify(value)) {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  return patch;
}

/**
 * Objects that already exist block an install unless they carry this release's ownership
 * metadata (then helm adopts them), with helm's "invalid ownership metadata" text.
 */
async function findAdoptableObjects(kube: KubeAccess, rendered: RenderedObject[], release: string, namespace: string): Promise<Set<string>> {
  const adoptable = new Set<string>();
  for (const { object } of rendered) {
    const ref = refOfRendered(object);
    const live = await kube.getObject(ref).catch(rethrowKube);
    if (!live) continue;
    const problems = ownershipProblems(live, release, namespace);
    if (problems.length > 0) {
      throw new HelmFailure(
        `rendered manifests contain a resource that already exists. Unable to continue with install: ${ref.kind} "${ref.name}" in namespace "${ref.namespace}" exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join("; ")}`,
      );
    }
    adoptable.add(refKey(ref));
  }
  return adoptable;
}

function ownershipProblems(live: KubeObject, release: string, namespace: string): string[] {
  const problems: string[] = [];
  const labels = live.metadata.labels ?? {};
  const annotations = live.metadata.annotations ?? {};
  const check = (kind: "label" | "annotation", map: Record<string, string>, key: string, expected: string) => {
    if (!(key in map)) problems.push(`${kind} validation error: missing key "${key}": must be set to "${expected}"`);
    else if (map[key] !== expected) problems.push(`${kind} validation error: key "${key}" must equal "${expected}": current value is "${map[key]}"`);
  };
  check("label", labels, "app.kubernetes.io/managed-by", "Helm");
  check("annotation", annotations, "meta.helm.sh/release-name", release);
  check("annotation", annotations, "meta.helm.sh/release-namespace", namespace);
  return problems;
}

type Cancellation = { check(): void };

/** The pause before each object is applied (SMO_SIM_HELM_STEP_LATENCY_MS). */
async function pauseBeforeStep(context: CommandContext, cancellation: Cancellation): Promise<void> {
  await sleep(Number(context.io.env.SMO_SIM_HELM_STEP_LATENCY_MS ?? 0));
  cancellation.check();
}

/** helm's SIGTERM handling around RunWithContext: print, cancel, and fail with "context canceled". */
function armCancellation(context: CommandContext, release: string): Cancellation {
  let isCancelled = false;
  context.io.armCancellation?.(() => {
    if (isCancelled) return;
    isCancelled = true;
    context.io.stdout(`Release ${release} has been cancelled.\n`);
  });
  return {
    check() {
      if (isCancelled) throw new HelmFailure("context canceled");
    },
  };
}

function renderOrFail(context: CommandContext, input: Parameters<typeof renderChart>[0]): RenderedObject[] {
  const failing = (context.io.env.SMO_SIM_HELM_FAIL_RELEASES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const file = `${input.chart.name}/templates/deployment.yaml`;
  if (failing.includes(input.release)) {
    throw new HelmFailure(`template: ${file}:21:28: executing "${file}" at <.Values.image.repository>: nil pointer evaluating interface {}.repository`);
  }
  try {
    return renderChart(input);
  } catch (error) {
    if (error instanceof RenderError) throw new HelmFailure(error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// uninstall / status / list / get values / version

async function runUninstallCommand(context: CommandContext): Promise<void> {
  const { args, flags, io, namespace } = context;
  const kube = await context.kube();
  await kube.namespaceExists(namespace).catch(rethrowKube);
  for (const name of args) {
    if (!isValidReleaseName(name)) throw new HelmFailure(`uninstall: Release name is invalid: ${name}`);
    const history = await loadHistory(kube, namespace, name).catch(rethrowKube);
    const latest = history[0];
    if (!latest) {
      if (flags.bools.get("ignore-not-found")) continue;
      throw new HelmFailure(`uninstall: Release not loaded: ${name}: release: not found`);
    }
    await recordRelease(kube, latest, "uninstalling", "Deletion in progress (or silently failed)");
    const errors: string[] = [];
    for (const object of parseManifest(latest.manifest).reverse()) {
      try {
        await kube.deleteObject(refOfRendered(object));
      } catch (error) {
        errors.push(kubeMessage(error));
      }
    }
    for (const release of history) await kube.deleteSecret(namespace, `sh.helm.release.v1.${release.name}.v${release.version}`).catch(rethrowKube);
    if (errors.length > 0) throw new HelmFailure(`uninstallation completed with ${errors.length} error(s): ${errors.join("; ")}`);
    io.stdout(`release "${name}" uninstalled\n`);
  }
}

async function runStatusCommand(context: CommandContext): Promise<void> {
  const release = await readRelease(context, context.args[0]);
  const { io, flags } = context;
  const { chart: _chart, ...withoutChart } = release;
  const format = outputFormat(flags);
  if (format === "json") io.stdout(formatJson(withoutChart));
  else if (format === "yaml") io.stdout(formatYaml(withoutChart));
  else io.stdout(formatStatusBlock(release, { showDescription: flags.bools.get("show-desc") ?? false }));
}

async function runGetValuesCommand(context: CommandContext): Promise<void> {
  const release = await readRelease(context, context.args[0]);
  const { io, flags } = context;
  const values = release.config && Object.keys(release.config).length > 0 ? release.config : null;
  const format = outputFormat(flags);
  if (format === "json") io.stdout(formatJson(values));
  else if (format === "yaml") io.stdout(formatYaml(values));
  else io.stdout(`${flags.bools.get("all") ? "COMPUTED VALUES:" : "USER-SUPPLIED VALUES:"}\n${formatYaml(values)}`);
}

async function runListCommand(context: CommandContext): Promise<void> {
  const { flags, io, namespace } = context;
  const kube = await context.kube();
  const scope = flags.bools.get("all-namespaces") ? undefined : namespace;
  const secrets = await kube.listReleaseSecrets({ namespace: scope }).catch(rethrowKube);
  const latest = new Map<string, StoredRelease>();
  for (const secret of secrets) {
    const release = decodeReleaseSecret(secret);
    const key = `${release.namespace}/${release.name}`;
    const known = latest.get(key);
    if (!known || known.version < release.version) latest.set(key, release);
  }
  const visible: ReleaseStatus[] = ["deployed", "failed"];
  const filter = flags.strings.get("filter");
  const pattern = filter ? new RegExp(filter) : undefined;
  const releases = [...latest.values()]
    .filter((release) => flags.bools.get("all") || visible.includes(release.info.status))
    .filter((release) => !pattern || pattern.test(release.name))
    .sort((a, b) => a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace));
  const elements = releases.map((release) => ({
    name: release.name,
    namespace: release.namespace,
    revision: String(release.version),
    updated: formatGoTime(release.info.last_deployed),
    status: release.info.status,
    chart: `${release.chart.metadata.name}-${release.chart.metadata.version}`,
    app_version: release.chart.metadata.appVersion,
  }));
  const format = outputFormat(flags);
  if (flags.bools.get("short") && format === "table") {
    io.stdout(elements.map((element) => `${element.name}\n`).join(""));
    return;
  }
  if (format === "json") io.stdout(formatJson(elements));
  else if (format === "yaml") io.stdout(formatYaml(elements));
  else {
    const header = flags.bools.get("no-headers") ? [] : [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]];
    io.stdout(formatTable([...header, ...elements.map((e) => [e.name, e.namespace, e.revision, e.updated, e.status, e.chart, e.app_version])]));
  }
}

async function runVersionCommand(context: CommandContext): Promise<void> {
  const { flags, io } = context;
  if (flags.bools.get("short")) io.stdout(`${SIM_HELM_VERSION}+g${SIM_GIT_COMMIT.slice(0, 7)}\n`);
  else io.stdout(`version.BuildInfo{Version:"${SIM_HELM_VERSION}", GitCommit:"${SIM_GIT_COMMIT}", GitTreeState:"clean", GoVersion:"go1.24.9"}\n`);
}

async function readRelease(context: CommandContext, name: string): Promise<StoredRelease> {
  const kube = await context.kube();
  await kube.namespaceExists(context.namespace).catch(rethrowKube);
  const history = await loadHistory(kube, context.namespace, name).catch(rethrowKube);
  const revision = context.flags.strings.get("revision");
  const release = revision ? history.find((candidate) => String(candidate.version) === revision) : history[0];
  if (!release) throw new HelmFailure("release: not found");
  return release;
}

// ---------------------------------------------------------------------------------------------
// shared helpers

function printRelease(context: CommandContext, release: StoredRelease): void {
  const format = outputFormat(context.flags);
  if (format === "json") context.io.stdout(formatJson(release));
  else if (format === "yaml") context.io.stdout(formatYaml(release));
  else context.io.stdout(formatStatusBlock(release));
}

async function loadHistory(kube: KubeAccess, namespace: string, name: string): Promise<StoredRelease[]> {
  const secrets = await kube.listReleaseSecrets({ namespace, release: name });
  return sortByRevisionDescending(secrets.map(decodeReleaseSecret).filter((release) => release.name === name));
}

/** Updates a release's status in place (its Secret keeps its name; labels follow the status). */
async function recordRelease(kube: KubeAccess, release: StoredRelease, status: ReleaseStatus, description: string): Promise<void> {
  release.info.status = status;
  release.info.description = description;
  await kube.replaceSecret(release.namespace, encodeReleaseSecret(release, { modifiedAt: Date.now() })).catch(rethrowKube);
}

function locateChartOrFail(reference: string, flags: ParsedFlags): ChartInfo {
  try {
    return locateChart(reference, { version: flags.strings.get("version"), plainHttp: flags.bools.get("plain-http") ?? false });
  } catch (error) {
    if (error instanceof ChartLocateError) throw new HelmFailure(error.message);
    throw error;
  }
}

function readValuesOrFail(flags: ParsedFlags): Record<string, unknown> {
  try {
    return readUserValues(flags.arrays.get("values") ?? [], flags.arrays.get("set") ?? []);
  } catch (error) {
    if (error instanceof ValuesError) throw new HelmFailure(error.message);
    if (error instanceof ValidationError) throw new HelmFailure(`failed to parse values: ${error.message}`);
    throw error;
  }
}

function chartMetadata(chart: ChartInfo): StoredRelease["chart"] {
  return { metadata: { apiVersion: "v2", name: chart.name, version: chart.version, appVersion: chart.version, type: "application" } };
}

function formatManifestOf(rendered: RenderedObject[]): string {
  return rendered.map(({ source, object }) => `---\n# Source: ${source}\n${formatYaml(object)}`).join("");
}

function parseManifest(manifest: string): KubeObject[] {
  return parseAllDocuments(manifest)
    .map((document) => document.toJS() as unknown)
    .filter((object): object is KubeObject => isRecord(object) && typeof object.kind === "string");
}

function refOfRendered(object: { apiVersion: unknown; kind: unknown; metadata: unknown }): ObjectRef {
  const metadata = (isRecord(object.metadata) ? object.metadata : {}) as { name?: string; namespace?: string };
  return { apiVersion: String(object.apiVersion), kind: String(object.kind), name: metadata.name ?? "", namespace: metadata.namespace ?? "" };
}

function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

function isValidReleaseName(name: string): boolean {
  return name.length > 0 && name.length <= 53 && RELEASE_NAME_PATTERN.test(name);
}

function kubeMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Cluster failures surface as helm prints them (their message is already helm's text). */
function rethrowKube(error: unknown): never {
  if (error instanceof HelmFailure) throw error;
  throw new HelmFailure(kubeMessage(error));
}

function wrapFailure(error: unknown, prefix: string): unknown {
  return error instanceof HelmFailure ? new HelmFailure(`${prefix}: ${error.message}`) : error;
}

function sleep(milliseconds: number): Promise<void> {
  return milliseconds > 0 ? new Promise((resolve) => setTimeout(resolve, milliseconds)) : Promise.resolve();
}

// ---------------------------------------------------------------------------------------------
// invocation log (SMO_SIM_HELM_LOG)

type InvocationLog = { start(valuesFiles: string[]): void; end(exitCode: number): void };

function valuesFilesOf(flags: ParsedFlags): string[] {
  return flags.arrays.get("values") ?? [];
}

function createInvocationLog(file: string | undefined, argv: string[]): InvocationLog {
  const write = (entry: Record<string, unknown>) => {
    if (file) appendFileSync(file, `${JSON.stringify({ pid: process.pid, argv, at: performance.timeOrigin + performance.now(), ...entry })}\n`);
  };
  return {
    start(valuesFiles) {
      write({
        event: "start",
        valuesFiles: valuesFiles.map((path) => {
          try {
            return { path, mode: statSync(path).mode & 0o777, content: readFileSync(path, "utf8") };
          } catch (error) {
            return { path, error: (error as Error).message };
          }
        }),
      });
    },
    end(exitCode) {
      write({ event: "end", exitCode });
    },
  };
}

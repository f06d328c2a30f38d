/**
 * The only place that turns user-influenced input into helm's argument vector (SPEC §3).
 * Every name and reference is validated before an argv exists, and the builders assert that
 * no element coming from input can start with '-', so input can never become a flag.
 */

import { ValidationError, type ValidationIssue } from "../errors";
import { explainInvalidName } from "../names";

/** `oci://host[:port]/path[:tag]` (or `@sha256:<hex>`), lowercase repository path as OCI requires. */
const OCI_CHART_PATTERN =
  /^oci:\/\/(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$/;
/** A local chart path or `repo/chart`: printable, no whitespace, no quotes or shell metacharacters. */
const PLAIN_CHART_PATTERN = /^[A-Za-z0-9._~/+:@=-]+$/;
const MAX_CHART_REFERENCE_LENGTH = 512;
const MAX_PATH_LENGTH = 4096;

export type HelmCommonOptions = {
  kubeconfigPath: string;
};

export type HelmInstallArgs = HelmCommonOptions & {
  release: string;
  chart: string;
  namespace: string;
  valuesFile: string;
  plainHttp: boolean;
};

export type HelmUpgradeArgs = HelmInstallArgs & { reuseValues: boolean };

export type HelmReleaseArgs = HelmCommonOptions & { release: string; namespace: string };

export type HelmListArgs = HelmCommonOptions & { namespace?: string };

/** Why `chart` is not an acceptable chart reference, or undefined when it is. */
export function explainInvalidChartReference(chart: unknown): string | undefined {
  if (typeof chart !== "string") return `must be a string, got ${chart === null ? "null" : typeof chart}`;
  if (chart.length === 0) return "must not be empty";
  if (chart.length > MAX_CHART_REFERENCE_LENGTH) return `is ${chart.length} characters long, at most ${MAX_CHART_REFERENCE_LENGTH} are allowed`;
  if (/[\s\p{Cc}]/u.test(chart)) return "must not contain whitespace or control characters";
  if (chart.startsWith("-")) return `"${chart}" must not start with '-'`;
  if (chart.includes("://")) {
    if (!chart.startsWith("oci://")) return `"${chart}" is not an oci:// reference (only oci:// or a chart path are accepted)`;
    if (!OCI_CHART_PATTERN.test(chart)) return `"${chart}" is not a valid reference: expected oci://host[:port]/repository[:tag]`;
    return undefined;
  }
  if (!PLAIN_CHART_PATTERN.test(chart)) return `"${chart}" contains characters not allowed in a chart path`;
  return undefined;
}

function explainInvalidFilePath(path: unknown): string | undefined {
  if (typeof path !== "string" || path.length === 0) return "must be a non-empty string";
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (/\p{Cc}/u.test(path)) return "must not contain control characters";
  if (path.startsWith("-")) return "must not start with '-'";
  return undefined;
}

/** Collects every problem with the inputs of one helm call; throws them together. */
function collectIssues(checks: [path: string, problem: string | undefined][]): void {
  const issues: ValidationIssue[] = checks.filter((check): check is [string, string] => check[1] !== undefined).map(([path, message]) => ({ path, message }));
  if (issues.length > 0) throw new ValidationError(issues);
}

export function assertValidHelmTarget(input: { release: unknown; namespace: unknown; chart?: unknown }): void {
  collectIssues([
    ["release", explainInvalidName(input.release)],
    ["namespace", explainInvalidName(input.namespace)],
    ["chart", "chart" in input ? explainInvalidChartReference(input.chart) : undefined],
  ]);
}

/**
 * An input-derived argv element: already validated, and re-checked here so that a future
 * caller bypassing validation still cannot smuggle a flag in.
 */
function operand(value: string): string {
  if (value.length === 0 || value.startsWith("-")) throw new Error(`refusing to pass ${JSON.stringify(value)} to helm as an operand`);
  return value;
}

export function buildInstallArgv(args: HelmInstallArgs): string[] {
  assertValidHelmTarget(args);
  collectIssues([
    ["valuesFile", explainInvalidFilePath(args.valuesFile)],
    ["kubeconfigPath", explainInvalidFilePath(args.kubeconfigPath)],
  ]);
  return [
    "install",
    operand(args.release),
    operand(args.chart),
    "--values",
    operand(args.valuesFile),
    "--namespace",
    operand(args.namespace),
    "--create-namespace",
    "--kubeconfig",
    operand(args.kubeconfigPath),
    ...(args.plainHttp ? ["--plain-http"] : []),
  ];
}

/**
 * Same flags as the original SMO's upgrade. `--create-namespace` is accepted by `helm upgrade`
 * and only acts together with `--install`, which SMO does not send: upgrading a release
 * that does not exist fails with `"<name>" has no deployed releases`, as in the original.
 */
export function buildUpgradeArgv(args: HelmUpgradeArgs): string[] {
  const [, ...rest] = buildInstallArgv(args);
  return ["upgrade", ...rest, ...(args.reuseValues ? ["--reuse-values"] : [])];
}

export function buildUninstallArgv(args: HelmReleaseArgs): string[] {
  assertValidHelmTarget(args);
  collectIssues([["kubeconfigPath", explainInvalidFilePath(args.kubeconfigPath)]]);
  return ["uninstall", operand(args.release), "--namespace", operand(args.namespace), "--kubeconfig", operand(args.kubeconfigPath)];
}

export function buildStatusArgv(args: HelmReleaseArgs): string[] {
  assertValidHelmTarget(args);
  collectIssues([["kubeconfigPath", explainInvalidFilePath(args.kubeconfigPath)]]);
  return ["status", operand(args.release), "--namespace", operand(args.namespace), "--kubeconfig", operand(args.kubeconfigPath), "--output", "json"];
}

/** Lists one namespace, or every namespace when none is given. */
export function buildListArgv(args: HelmListArgs): string[] {
  collectIssues([
    ["namespace", args.namespace === undefined ? undefined : explainInvalidName(args.namespace)],
    ["kubeconfigPath", explainInvalidFilePath(args.kubeconfigPath)],
  ]);
  const scope = args.namespace === undefined ? ["--all-namespaces"] : ["--namespace", operand(args.namespace)];
  return ["list", ...scope, "--kubeconfig", operand(args.kubeconfigPath), "--output", "json"];
}

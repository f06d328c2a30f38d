/**
 * How a failed helm run is reported: an UpstreamError('helm', …) whose message is helm's own
 * `Error: …` line, classified so callers can react (retry, treat as already gone, …), with the
 * full argv, stdout and stderr kept for the operation log.
 */

import { UpstreamError } from "../errors";

export type HelmErrorReason =
  | "name-in-use"
  | "not-found"
  | "namespace-missing"
  | "unreachable"
  | "chart-unavailable"
  | "in-progress"
  | "invalid"
  | "timeout"
  | "spawn-failed"
  | "failed";

export type HelmCommandErrorDetails = {
  reason: HelmErrorReason;
  /** helm's exit code; undefined when it did not exit by itself (killed, or never started). */
  exitCode?: number;
  argv: string[];
  stdout: string;
  stderr: string;
  cause?: unknown;
};

export class HelmCommandError extends UpstreamError {
  readonly reason: HelmErrorReason;
  readonly exitCode: number | undefined;
  readonly argv: string[];
  readonly stdout: string;
  readonly stderr: string;

  constructor(message: string, details: HelmCommandErrorDetails) {
    super("helm", message, { status: details.exitCode, reason: details.reason, cause: details.cause });
    this.reason = details.reason;
    this.exitCode = details.exitCode;
    this.argv = details.argv;
    this.stdout = details.stdout;
    this.stderr = details.stderr;
  }
}

/** Patterns over helm 3 and helm 4 wording (fixtures/helm-errors.txt), most specific first. */
const REASON_PATTERNS: [RegExp, HelmErrorReason][] = [
  [/cannot re-?use a name that is still in use/, "name-in-use"],
  [/another operation \(install\/upgrade\/rollback\) is in progress/, "in-progress"],
  [/Kubernetes cluster unreachable/, "unreachable"],
  [/namespaces "[^"]*" not found/, "namespace-missing"],
  [/release: not found|has no deployed releases/, "not-found"],
  [/failed to do request|failed to download|failed to fetch|failed to perform "\w+" on source|manifests\/[^ ]*: (?:response status code )?404|: not found$|path "[^"]*" not found/, "chart-unavailable"],
  [/invalid release name|unknown flag|unknown shorthand flag|requires (?:at least )?\d+ arguments?|accepts (?:at most )?\d+ arguments?|must either provide a name/, "invalid"],
];

export function classifyHelmError(message: string): HelmErrorReason {
  for (const [pattern, reason] of REASON_PATTERNS) if (pattern.test(message)) return reason;
  return "failed";
}

/** helm's own error line without the `Error: ` prefix; the first non-empty stderr line when there is none. */
export function extractHelmErrorMessage(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/);
  const errorLine = lines.find((line) => line.startsWith("Error: "));
  if (errorLine) return errorLine.slice("Error: ".length).trim();
  return lines.map((line) => line.trim()).find((line) => line.length > 0);
}

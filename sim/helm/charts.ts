/**
 * Chart lookup of the fake helm. The sandbox plays the registry the sample descriptors name
 * (`127.0.0.1:5000`, also as `localhost:5000`): every chart under it exists, named after the last
 * path segment, versioned by its tag (default 0.1.0). Any other registry fails the way helm
 * fails when it cannot reach one. Local chart folders with a Chart.yaml also work.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ChartInfo } from "./render";

export const SANDBOX_REGISTRY_HOSTS = new Set(["127.0.0.1:5000", "localhost:5000"]);
const DEFAULT_CHART_VERSION = "0.1.0";

export class ChartLocateError extends Error {}

export function locateChart(reference: string, options: { version?: string; plainHttp: boolean }): ChartInfo {
  if (reference.startsWith("oci://")) return locateOciChart(reference, options);
  if (!existsSync(reference)) {
    const isRepoReference = !reference.startsWith(".") && !reference.startsWith("/") && reference.includes("/");
    throw new ChartLocateError(isRepoReference ? `repo ${reference.split("/")[0]} not found` : `path "${reference}" not found`);
  }
  const chartFile = statSync(reference).isDirectory() ? join(reference, "Chart.yaml") : undefined;
  if (!chartFile || !existsSync(chartFile)) throw new ChartLocateError(`Chart.yaml file is missing`);
  const metadata = parse(readFileSync(chartFile, "utf8")) as { name?: unknown; version?: unknown } | null;
  if (!metadata || typeof metadata.name !== "string") throw new ChartLocateError("validation: chart.metadata.name is required");
  return { name: metadata.name, version: typeof metadata.version === "string" ? metadata.version : DEFAULT_CHART_VERSION };
}

function locateOciChart(reference: string, options: { version?: string; plainHttp: boolean }): ChartInfo {
  const match = /^oci:\/\/([^/]+)\/(.+?)(?::([A-Za-z0-9_][A-Za-z0-9_.+-]*)|@(sha256:[a-f0-9]{64}))?$/.exec(reference);
  if (!match) throw new ChartLocateError(`invalid_reference: invalid repository "${reference.slice("oci://".length)}"`);
  const [, host, repository, tag, digest] = match;
  const version = tag ?? options.version ?? (digest ? DEFAULT_CHART_VERSION : undefined);
  if (SANDBOX_REGISTRY_HOSTS.has(host)) {
    return { name: repository.split("/").pop() as string, version: version ?? DEFAULT_CHART_VERSION };
  }
  const scheme = options.plainHttp ? "http" : "https";
  const hostname = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const address = /:\d+$/.test(host) ? host : `${host}:${options.plainHttp ? 80 : 443}`;
  const isAddressLiteral = /^[\d.]+$/.test(hostname) || hostname.includes(":") || hostname === "localhost";
  const transport = isAddressLiteral ? `dial tcp ${address.replace(/^localhost/, "127.0.0.1")}: connect: connection refused` : `dial tcp: lookup ${hostname}: no such host`;
  // Without a tag helm first lists the repository's tags to pick the newest version.
  if (version === undefined) return fail(`Get "${scheme}://${host}/v2/${repository}/tags/list": ${transport}`);
  return fail(`failed to do request: Head "${scheme}://${host}/v2/${repository}/manifests/${digest ?? version}": ${transport}`);
}

function fail(message: string): never {
  throw new ChartLocateError(message);
}

/** helm's output formats: the status block, Go time layouts, uitable tables, sorted YAML. */

import { stringify } from "yaml";
import type { StoredRelease } from "./release";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}

/** Go's time.ANSIC ("Mon Jan _2 15:04:05 2006") in local time, as `LAST DEPLOYED:` prints it. */
export function formatAnsic(iso: string): string {
  const date = new Date(iso);
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, " ")} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())} ${date.getFullYear()}`;
}

/** Go's time.Time.String() in UTC ("2006-01-02 15:04:05.999999999 -0700 MST"), as `helm list` prints UPDATED. */
export function formatGoTime(iso: string): string {
  const date = new Date(iso);
  const fraction = date.getUTCMilliseconds() ? `.${String(date.getUTCMilliseconds()).padStart(3, "0").replace(/0+$/, "")}` : "";
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}${fraction} +0000 UTC`;
}

export function formatStatusBlock(release: StoredRelease, options: { showDescription?: boolean } = {}): string {
  return [
    `NAME: ${release.name}`,
    `LAST DEPLOYED: ${formatAnsic(release.info.last_deployed)}`,
    `NAMESPACE: ${release.namespace}`,
    `STATUS: ${release.info.status}`,
    `REVISION: ${release.version}`,
    ...(options.showDescription ? [`DESCRIPTION: ${release.info.description}`] : []),
    "TEST SUITE: None",
    "",
  ].join("\n");
}

/** gosuri/uitable as helm configures it: every cell right-padded to its column width, tab-separated. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return `${rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index])).join("\t")).join("\n")}\n`;
}

/** sigs.k8s.io/yaml output: keys sorted, two-space indentation. */
export function formatYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, version: "1.1", indentSeq: false });
}

/** helm's `-o json`: compact JSON and a newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

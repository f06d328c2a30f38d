/**
 * Dashboard identities and Grafana URLs: the one place that derives a dashboard's uid from
 * what it shows, its slug from its title, and single-panel embed URLs.
 */

import { createHash } from "node:crypto";
import { ValidationError } from "../errors";

export type DashboardKind = "cluster" | "graph" | "service";

/** Grafana accepts uids of at most 40 characters from this set. */
export const GRAFANA_UID_MAX_LENGTH = 40;
const UID_CHARACTERS = /^[a-zA-Z0-9_-]*$/;
const HASH_LENGTH = 10;

/**
 * A stable uid for the dashboard of a cluster (`cluster, name`), a graph (`graph, project, graph`)
 * or a service (`service, project, graph, service`): `smo-<kind>-<part>_<part>…`, the parts
 * joined with `_` (which DNS-1123 names never contain, so different parts never give the same
 * uid). When the result would pass 40 characters, or a part needed sanitising, it is cut and
 * ends with a hash of the full identity.
 */
export function dashboardUid(kind: DashboardKind, ...parts: string[]): string {
  if (parts.length === 0 || parts.some((part) => part.length === 0)) {
    throw new ValidationError([{ path: "name", message: `a ${kind} dashboard uid needs non-empty name parts` }]);
  }
  const sanitised = parts.map((part) => part.replace(/[^a-zA-Z0-9-]/g, "-"));
  const readable = `smo-${kind}-${sanitised.join("_")}`;
  const needsHash = readable.length > GRAFANA_UID_MAX_LENGTH || sanitised.some((part, index) => part !== parts[index]);
  if (!needsHash) return readable;
  const hash = createHash("sha256").update(JSON.stringify([kind, ...parts])).digest("hex").slice(0, HASH_LENGTH);
  return `${readable.slice(0, GRAFANA_UID_MAX_LENGTH - HASH_LENGTH - 1)}-${hash}`;
}

/** Why Grafana would reject `uid`, or undefined when it is acceptable. */
export function explainInvalidUid(uid: string): string | undefined {
  if (uid.length > GRAFANA_UID_MAX_LENGTH) return `uid "${uid}" is ${uid.length} characters long, Grafana allows ${GRAFANA_UID_MAX_LENGTH}`;
  if (!UID_CHARACTERS.test(uid)) return `uid "${uid}" may contain only letters, digits, '-' and '_'`;
  return undefined;
}

/** Grafana's slug of a title: lower-case, runs of other characters become one '-'. */
export function slugifyTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A time for Grafana URLs: epoch milliseconds, a Date, or a relative time such as `now-6h`. */
export type GrafanaTime = number | Date | string;

export type PanelEmbedUrlOptions = {
  grafanaUrl: string;
  uid: string;
  slug: string;
  panelId: number;
  from: GrafanaTime;
  to: GrafanaTime;
  theme: "light" | "dark";
  /** Template variables, e.g. `{ service: "frontend" }` → `var-service=frontend`. */
  vars?: Record<string, string>;
  orgId?: number;
};

/** `<grafana>/d-solo/<uid>/<slug>?orgId=1&panelId=…&from=…&to=…&theme=…&var-…`, every value URL-encoded. */
export function panelEmbedUrl(options: PanelEmbedUrlOptions): string {
  const problem = explainInvalidUid(options.uid);
  if (problem) throw new ValidationError([{ path: "uid", message: problem }]);
  if (!Number.isInteger(options.panelId) || options.panelId < 1) {
    throw new ValidationError([{ path: "panelId", message: `must be a positive integer, got ${options.panelId}` }]);
  }
  let base: URL;
  try {
    base = new URL(options.grafanaUrl);
  } catch {
    throw new ValidationError([{ path: "grafanaUrl", message: `"${options.grafanaUrl}" is not a valid URL` }]);
  }
  const root = base.toString().replace(/[?#].*$/, "").replace(/\/+$/, "");
  const params = new URLSearchParams({
    orgId: String(options.orgId ?? 1),
    panelId: String(options.panelId),
    from: formatGrafanaTime(options.from, "from"),
    to: formatGrafanaTime(options.to, "to"),
    theme: options.theme,
  });
  for (const [name, value] of Object.entries(options.vars ?? {})) params.append(`var-${name}`, value);
  return `${root}/d-solo/${encodeURIComponent(options.uid)}/${encodeURIComponent(options.slug)}?${params.toString()}`;
}

function formatGrafanaTime(time: GrafanaTime, path: string): string {
  if (time instanceof Date) {
    if (Number.isNaN(time.getTime())) throw new ValidationError([{ path, message: "is an invalid Date" }]);
    return String(time.getTime());
  }
  if (typeof time === "number") {
    if (!Number.isFinite(time)) throw new ValidationError([{ path, message: `${time} is not a time in epoch milliseconds` }]);
    return String(Math.round(time));
  }
  if (!/^now(?:[-+]\d+[smhdwMy])*(?:\/[smhdwMy])?$/.test(time)) {
    throw new ValidationError([{ path, message: `"${time}" is neither epoch milliseconds nor a relative time such as now-6h` }]);
  }
  return time;
}

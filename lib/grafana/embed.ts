/**
 * Single-panel embed URLs from a stored dashboard URL, for the console's iframes. Browser-safe:
 * no Node modules (names.ts derives uids with node:crypto and stays on the server).
 */

/** Panel ids of service and graph dashboards (stable: the console embeds panels by id). */
export const SERVICE_PANEL_IDS = { cpu: 1, memory: 2, throttling: 3, requestRate: 4 } as const;
/** Panel ids of cluster dashboards. */
export const CLUSTER_PANEL_IDS = { cpuPercent: 1, memoryPercent: 2, cpuCores: 3, memoryBytes: 4 } as const;

export type SoloPanelOptions = {
  panelId: number;
  /** Relative Grafana times such as `now-1h`, or epoch milliseconds. Default the last hour. */
  from?: string | number;
  to?: string | number;
  theme: "light" | "dark";
  /** Template variables, e.g. `{ service: "frontend" }` → `var-service=frontend`. */
  vars?: Record<string, string>;
};

const DASHBOARD_PATH = /^(.*?)\/d\/([^/]+)(?:\/([^/]*))?\/?$/;

/**
 * `<grafana>/d/<uid>/<slug>` (as SMO stores a published dashboard's URL, possibly under a sub path)
 * → `<grafana>/d-solo/<uid>/<slug>?orgId=…&panelId=…&from=…&to=…&theme=…`. The query string of the
 * stored URL (orgId, variables) is kept. Undefined when the URL is not a Grafana dashboard URL.
 */
export function soloPanelUrl(dashboardUrl: string, options: SoloPanelOptions): string | undefined {
  if (!Number.isInteger(options.panelId) || options.panelId < 1) return undefined;
  let url: URL;
  try {
    url = new URL(dashboardUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const match = DASHBOARD_PATH.exec(url.pathname);
  if (!match) return undefined;
  const [, prefix = "", uid = "", slug = ""] = match;
  const params = new URLSearchParams(url.search);
  if (!params.has("orgId")) params.set("orgId", "1");
  params.set("panelId", String(options.panelId));
  params.set("from", String(options.from ?? "now-1h"));
  params.set("to", String(options.to ?? "now"));
  params.set("theme", options.theme);
  for (const [name, value] of Object.entries(options.vars ?? {})) params.set(`var-${name}`, value);
  return `${url.origin}${prefix}/d-solo/${uid}${slug ? `/${slug}` : ""}?${params.toString()}`;
}

/**
 * What the console needs to embed single Grafana panels, with no dependency (it is bundled for
 * the browser): the fixed panel ids of SMO's dashboards and the `d-solo` URL of one panel of a
 * dashboard whose URL SMO stored when it published it.
 */

/** Panel ids of service and graph dashboards (stable: the console embeds panels by id). */
export const SERVICE_PANEL_IDS = { cpu: 1, memory: 2, throttling: 3, requestRate: 4 } as const;
/** Panel ids of cluster dashboards. */
export const CLUSTER_PANEL_IDS = { cpuPercent: 1, memoryPercent: 2, cpuCores: 3, memoryBytes: 4 } as const;
/** The graph dashboard's template variable over its services. */
export const SERVICE_VARIABLE = "service";
/** Grafana's value of a multi-value variable meaning every option. */
export const ALL_VALUES = "$__all";

export type SoloPanelOptions = {
  panelId: number;
  /** Epoch milliseconds or a relative time such as `now-1h`. Default the last hour. */
  from?: number | string;
  to?: number | string;
  theme: "light" | "dark";
  /** Template variables, e.g. `{ service: "frontend" }` → `var-service=frontend`. */
  vars?: Record<string, string>;
  /** Auto-refresh interval, e.g. `30s`. */
  refresh?: string;
};

const DASHBOARD_PATH = /^(.*)\/d\/([^/]+)(?:\/([^/]*))?\/?$/;
const RELATIVE_TIME = /^now(?:[-+]\d+[smhdwMy])*(?:\/[smhdwMy])?$/;

/**
 * The single-panel page (`<grafana>/d-solo/<uid>/<slug>?…&panelId=…`) of a panel of the dashboard
 * at `dashboardUrl` (`<grafana>/d/<uid>/<slug>`, as publishing stored it; a sub-path and `orgId`
 * are kept). Undefined when the URL is not a dashboard's or an option is not one Grafana reads.
 */
export function soloPanelUrl(dashboardUrl: string, options: SoloPanelOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(dashboardUrl);
  } catch {
    return undefined;
  }
  const match = DASHBOARD_PATH.exec(url.pathname);
  if (!match || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  if (!Number.isInteger(options.panelId) || options.panelId < 1) return undefined;
  const { from = "now-1h", to = "now" } = options;
  if (!isGrafanaTime(from) || !isGrafanaTime(to)) return undefined;
  const [, prefix = "", uid = "", slug = ""] = match;
  const params = new URLSearchParams({
    orgId: url.searchParams.get("orgId") ?? "1",
    panelId: String(options.panelId),
    from: String(from),
    to: String(to),
    theme: options.theme,
  });
  for (const [name, value] of Object.entries(options.vars ?? {})) params.append(`var-${name}`, value);
  if (options.refresh) params.set("refresh", options.refresh);
  return `${url.origin}${prefix}/d-solo/${uid}/${slug || uid}?${params.toString()}`;
}

function isGrafanaTime(value: number | string): boolean {
  return typeof value === "number" ? Number.isFinite(value) && value >= 0 : RELATIVE_TIME.test(value);
}

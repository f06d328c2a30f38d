"use client";
/**
 * Grafana panels of the graph and of one service, embedded as single-panel (`d-solo`) iframes
 * in the console's colour scheme. The dashboards are the ones SMO published at deploy.
 */
import { useId, useState, useSyncExternalStore } from "react";
import { EmptyState } from "@/app/_components/ui";
import type { ServiceDetail } from "@/lib/graphs";
import { ALL_VALUES, SERVICE_PANEL_IDS, SERVICE_VARIABLE, soloPanelUrl } from "@/lib/grafana/panels";
import styles from "./detail.module.css";

const RANGE = { from: "now-1h", to: "now", refresh: "30s" } as const;

const DARK_QUERY = "(prefers-color-scheme: dark)";
function subscribeToScheme(onChange: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}
function usePanelTheme(): "light" | "dark" {
  const dark = useSyncExternalStore(
    subscribeToScheme,
    () => window.matchMedia(DARK_QUERY).matches,
    () => false,
  );
  return dark ? "dark" : "light";
}

function Panel({ src, title }: { src: string | undefined; title: string }) {
  if (!src) return null;
  return (
    <figure className={styles.panel}>
      <iframe src={src} title={title} loading="lazy" className={styles.panelFrame} referrerPolicy="no-referrer" />
      <figcaption className="visually-hidden">{title}</figcaption>
    </figure>
  );
}

export function GrafanaSection({ graphUrl, services }: { graphUrl: string | null; services: ServiceDetail[] }) {
  const theme = usePanelTheme();
  const selectId = useId();
  const withDashboards = services.filter((service) => service.grafanaUrl);
  const [picked, setPicked] = useState<string>();
  const service = withDashboards.find((candidate) => candidate.name === picked) ?? withDashboards[0];

  if (!graphUrl && withDashboards.length === 0) {
    return (
      <EmptyState title="No Grafana dashboard for this graph">
        <p>Dashboards are published at deploy when a Grafana is configured (Settings shows its connection). A publication that failed is retried in the background.</p>
      </EmptyState>
    );
  }
  const panel = (url: string, panelId: number, vars?: Record<string, string>) => soloPanelUrl(url, { panelId, ...RANGE, theme, vars });
  return (
    <div className={styles.grafana}>
      {graphUrl && (
        <>
          <div className={styles.grafanaHead}>
            <h3>All services</h3>
            <a href={graphUrl} target="_blank" rel="noopener noreferrer">
              Open the graph dashboard in Grafana
            </a>
          </div>
          <div className={styles.panels}>
            <Panel src={panel(graphUrl, SERVICE_PANEL_IDS.requestRate, { [SERVICE_VARIABLE]: ALL_VALUES })} title="Request rate of every service, last hour (Grafana panel)" />
            <Panel src={panel(graphUrl, SERVICE_PANEL_IDS.cpu, { [SERVICE_VARIABLE]: ALL_VALUES })} title="CPU utilization of every service, last hour (Grafana panel)" />
          </div>
        </>
      )}
      {service?.grafanaUrl && (
        <>
          <div className={styles.grafanaHead}>
            <h3>Service</h3>
            {withDashboards.length > 1 && (
              <span className={styles.inlineField}>
                <label htmlFor={selectId} className="visually-hidden">
                  Service
                </label>
                <select id={selectId} value={service.name} onChange={(event) => setPicked(event.target.value)}>
                  {withDashboards.map((candidate) => (
                    <option key={candidate.name} value={candidate.name}>
                      {candidate.name}
                    </option>
                  ))}
                </select>
              </span>
            )}
            <a href={service.grafanaUrl} target="_blank" rel="noopener noreferrer">
              Open the dashboard of {service.name} in Grafana
            </a>
          </div>
          <div className={styles.panels}>
            <Panel src={panel(service.grafanaUrl, SERVICE_PANEL_IDS.cpu)} title={`CPU utilization of ${service.name}, last hour (Grafana panel)`} />
            <Panel src={panel(service.grafanaUrl, SERVICE_PANEL_IDS.memory)} title={`RAM usage of ${service.name}, last hour (Grafana panel)`} />
            <Panel src={panel(service.grafanaUrl, SERVICE_PANEL_IDS.requestRate)} title={`Request rate of ${service.name}, last hour (Grafana panel)`} />
            <Panel src={panel(service.grafanaUrl, SERVICE_PANEL_IDS.throttling)} title={`CPU throttling of ${service.name}, last hour (Grafana panel)`} />
          </div>
        </>
      )}
    </div>
  );
}

"use client";
/** The cluster's Grafana dashboard, embedded panel by panel (d-solo pages), in the console's light or dark theme. */
import { useSyncExternalStore } from "react";
import { CLUSTER_PANEL_IDS, soloPanelUrl } from "@/lib/grafana/panels";
import styles from "../clusters.module.css";

const PANELS = [
  { id: CLUSTER_PANEL_IDS.cpuPercent, title: "CPU usage (%)" },
  { id: CLUSTER_PANEL_IDS.memoryPercent, title: "Memory usage (%)" },
  { id: CLUSTER_PANEL_IDS.cpuCores, title: "CPU cores used and allocatable" },
  { id: CLUSTER_PANEL_IDS.memoryBytes, title: "Memory used and allocatable" },
];

const DARK = "(prefers-color-scheme: dark)";

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(DARK);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/** The colour scheme the browser asks for; light on the server. */
export function useColorScheme(): "light" | "dark" {
  return useSyncExternalStore(
    subscribe,
    () => (window.matchMedia(DARK).matches ? "dark" : "light"),
    () => "light",
  );
}

export function GrafanaPanels({ cluster, dashboardUrl }: { cluster: string; dashboardUrl: string }) {
  const theme = useColorScheme();
  const panels = PANELS.map((panel) => ({ ...panel, src: soloPanelUrl(dashboardUrl, { panelId: panel.id, theme, from: "now-1h", to: "now" }) }));
  if (panels.some((panel) => !panel.src)) {
    return (
      <p className="muted">
        The stored dashboard address is not a Grafana dashboard URL, so its panels cannot be embedded: <span className="mono">{dashboardUrl}</span>
      </p>
    );
  }
  return (
    <div className={styles.panels}>
      {panels.map((panel) => (
        <iframe key={`${panel.id}-${theme}`} className={styles.panel} src={panel.src} title={`${panel.title} of cluster ${cluster} (Grafana, last hour)`} loading="lazy" />
      ))}
    </div>
  );
}

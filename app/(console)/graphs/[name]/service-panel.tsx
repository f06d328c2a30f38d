"use client";
/** The details of one service, opened from the topology or the services table. */
import { forwardRef } from "react";
import { formatCpu, formatMemory } from "@/app/_components/format";
import { StatusBadge } from "@/app/_components/ui";
import type { ServiceDetail } from "@/lib/graphs";
import type { ServiceExplanation } from "@/lib/placement/types";
import { describeLatency, type TopologyLink } from "./topology-model";
import styles from "./detail.module.css";

export type ServicePanelProps = {
  service: ServiceDetail | undefined;
  links: TopologyLink[];
  explanation: ServiceExplanation | undefined;
  pinned: boolean;
  onClose: () => void;
};

export const ServicePanel = forwardRef<HTMLElement, ServicePanelProps>(function ServicePanel({ service, links, explanation, pinned, onClose }, ref) {
  if (!service) {
    return (
      <aside ref={ref} className={styles.sidePanel} aria-label="Service details" tabIndex={-1}>
        <p className={styles.sideHint}>Select a service in the drawing (click it, or Tab to it and press Enter) or in the services table to see its details here.</p>
      </aside>
    );
  }
  const outgoing = links.filter((link) => link.from === service.name);
  const incoming = links.filter((link) => link.to === service.name);
  return (
    <aside ref={ref} className={styles.sidePanel} aria-labelledby="service-panel-title" tabIndex={-1} data-testid="service-panel">
      <div className={styles.sideHead}>
        <h3 id="service-panel-title">{service.name}</h3>
        <button type="button" className="button button-small" onClick={onClose} aria-label={`Close the details of ${service.name}`}>
          Close
        </button>
      </div>
      <dl className={styles.facts}>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={service.status} />
          {service.eventTriggered && <span className="tag">event-triggered</span>}
        </dd>
        <dt>Clusters</dt>
        <dd>{service.clusters.length > 0 ? service.clusters.join(", ") : "none yet"}</dd>
        <dt>Replicas</dt>
        <dd>{service.replicas}</dd>
        <dt>Per replica</dt>
        <dd>
          {formatCpu(service.cpu)} CPU · {formatMemory(service.memory)}
          {service.gpu ? " · GPU" : ""}
        </dd>
        <dt>In all</dt>
        <dd>
          {formatCpu(service.cpu * service.replicas)} CPU · {formatMemory(service.memory * service.replicas)}
        </dd>
        <dt>Artifact</dt>
        <dd className={styles.artifact}>
          <span className="mono">{service.artifact.ref}</span>
          <span className="muted">{[service.artifact.type, service.artifact.implementer].filter(Boolean).join(" · ")}</span>
        </dd>
        <dt>Connects to</dt>
        <dd>
          {outgoing.length === 0
            ? "—"
            : outgoing.map((link) => (
                <div key={link.id}>
                  {link.to}{" "}
                  <span className="muted">
                    ({describeLatency(link.latency)}
                    {link.crossCluster ? ", cross-cluster" : ""})
                  </span>
                </div>
              ))}
        </dd>
        <dt>Used by</dt>
        <dd>{incoming.length === 0 ? "—" : incoming.map((link) => link.from).join(", ")}</dd>
      </dl>
      <div className={styles.sideWhy}>
        <h4>Why here</h4>
        <p className={styles.sideExplanation}>
          {pinned ? "Pinned by the descriptor (static placement)." : explanation ? `${explanation.summary.charAt(0).toUpperCase()}${explanation.summary.slice(1)}.` : "No explanation recorded."}
        </p>
        {service.grafanaUrl && (
          <a href={service.grafanaUrl} target="_blank" rel="noopener noreferrer">
            Open its Grafana dashboard
          </a>
        )}
      </div>
    </aside>
  );
});

"use client";
/**
 * The current placement and why: per service, the clusters it runs on and the one-sentence
 * reason, which clusters were ruled out (and by what), and what moving it alone to each other
 * cluster would change in the objective.
 */
import { formatDateTime, timeAgo } from "@/app/_components/format";
import { EmptyState, StatusBadge } from "@/app/_components/ui";
import type { PlacementSummary, ServiceDetail } from "@/lib/graphs";
import type { ClusterExclusion } from "@/lib/placement/types";
import { formatCost, TERM_LABELS, TERMS } from "./placement-format";
import styles from "./detail.module.css";

const REASONS: Record<ClusterExclusion["reason"], string> = {
  "not-ready": "not Ready",
  "no-gpu": "no GPU",
  cpu: "not enough CPU",
  memory: "not enough memory",
  "co-location": "co-location",
  spread: "spread",
};

export function PlacementSection({ placement, services }: { placement: PlacementSummary | undefined; services: ServiceDetail[] }) {
  if (!placement) {
    return (
      <EmptyState title="No placement applied yet">
        <p>The graph&apos;s first placement is recorded when its deploy places it; a failed placement says why in the operations below.</p>
      </EmptyState>
    );
  }
  const explanations = new Map(placement.explanations.map((explanation) => [explanation.service, explanation]));
  return (
    <>
      <div className={styles.placementHead}>
        <span>
          <span className="muted">Algorithm</span> <span className="mono">{placement.algorithm}</span>
        </span>
        {placement.algorithm !== "optimal" && placement.status === "feasible" ? (
          <StatusBadge status="info" label="heuristic: feasible, not proven optimal" />
        ) : (
          <StatusBadge status={placement.status} label={placement.status === "optimal" ? "proven optimal" : placement.status} />
        )}
        <span>
          <span className="muted">Objective</span> <strong>{formatCost(placement.objective)}</strong>
        </span>
        {placement.terms && (
          <span className={styles.terms}>
            {TERMS.map((term) => (
              <span key={term} className="tag">
                {TERM_LABELS[term]} {formatCost(placement.terms![term])}
              </span>
            ))}
          </span>
        )}
        <time className="muted" dateTime={new Date(placement.createdAt).toISOString()} title={formatDateTime(placement.createdAt)}>
          decided {timeAgo(placement.createdAt)}
        </time>
      </div>
      <div className={styles.explanations}>
        {services.map((service) => {
          const explanation = explanations.get(service.name);
          const pinned = placement.pinned[service.name];
          const clusters = explanation?.clusters ?? pinned ?? placement.placement[service.name] ?? service.clusters;
          const feasibleMoves = explanation?.moveCosts.filter((move) => move.feasible) ?? [];
          const blockedMoves = explanation?.moveCosts.filter((move) => !move.feasible) ?? [];
          return (
            <article key={service.name} className={styles.explanation} data-testid={`explanation-${service.name}`}>
              <header className={styles.explanationHead}>
                <h3>{service.name}</h3>
                <span className={styles.onClusters}>
                  on{" "}
                  {clusters.length > 0
                    ? clusters.map((cluster) => (
                        <span key={cluster} className={styles.clusterTag}>
                          {cluster}
                        </span>
                      ))
                    : "no cluster"}
                </span>
              </header>
              {pinned ? (
                <p className={styles.summary}>Pinned by the descriptor (static placement): SMO keeps the clusters it gives and does not choose for this service.</p>
              ) : explanation ? (
                <p className={styles.summary}>{capitalise(withoutExclusions(explanation.summary))}.</p>
              ) : (
                <p className={styles.summary}>No explanation was recorded for this service.</p>
              )}
              {explanation && (
                <div className={styles.explanationGrid}>
                  <div>
                    <h4>Ruled out</h4>
                    {explanation.excluded.length === 0 ? (
                      <p className="muted">No cluster was ruled out.</p>
                    ) : (
                      <ul className={styles.reasons}>
                        {explanation.excluded.map((exclusion) => (
                          <li key={exclusion.cluster}>
                            <strong>{exclusion.cluster}</strong> <span className="tag">{REASONS[exclusion.reason]}</span>
                            <div className="muted">{exclusion.message}</div>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                  <div>
                    <h4>Moving it would cost</h4>
                    {feasibleMoves.length === 0 && blockedMoves.length === 0 ? (
                      <p className="muted">No other cluster can take it.</p>
                    ) : (
                      <table className={styles.moveTable}>
                        <caption className="visually-hidden">Change of the objective if {service.name} moved alone to another cluster</caption>
                        <thead>
                          <tr>
                            <th scope="col">To</th>
                            <th scope="col" className="number">
                              Objective change
                            </th>
                          </tr>
                        </thead>
                        <tbody>
                          {[...feasibleMoves].sort((a, b) => a.objectiveDelta - b.objectiveDelta).map((move) => (
                            <tr key={move.cluster}>
                              <th scope="row">{move.cluster}</th>
                              <td className={`number ${move.objectiveDelta < 0 ? styles.better : ""}`}>{formatCost(move.objectiveDelta, true)}</td>
                            </tr>
                          ))}
                          {blockedMoves.map((move) => (
                            <tr key={move.cluster}>
                              <th scope="row">{move.cluster}</th>
                              <td className="number muted">no room left</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </div>
                </div>
              )}
            </article>
          );
        })}
      </div>
    </>
  );
}

/** The summary ends with the clusters ruled out; they are listed with their reasons beside it. */
function withoutExclusions(summary: string): string {
  return summary.replace(/;\s*ruled out: .*$/, "");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
